"""``manage.py api_key create|revoke|list``: API keys for integrations.

  api_key create --owner agent --name "WeChat backend" --scope tickets:read --scope tickets:write [--region east]
  api_key revoke ask_1a2b3c4d
  api_key list [--owner agent]

The secret is printed once, at creation; only its hash is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aftersales.accounts.models import Region, User
from aftersales.core.errors import DomainError

from ...models import ALL_SCOPES, ApiKey
from ...services import api_key_create, api_key_revoke_by_prefix


class Command(BaseCommand):
    help = "Create, revoke or list API keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print its secret once.")
        create.add_argument("--owner", required=True, help="Username the key acts as.")
        create.add_argument("--name", required=True, help="What uses the key (e.g. 'WeChat backend').")
        create.add_argument(
            "--scope", action="append", dest="scopes", default=[], help=f"Repeat; one of {', '.join(ALL_SCOPES)}, or 'all'."
        )
        create.add_argument("--region", default="", help="Region code: the key sees only this region.")
        create.add_argument("--rate-limit", type=int, default=None, help="Requests per minute (default: server setting).")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="List keys (prefixes only).")
        listing.add_argument("--owner", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _create(self, options: dict[str, Any]) -> None:
        owner = User.objects.filter(username=options["owner"]).first()
        if owner is None:
            raise CommandError(_("No user is called %(name)s.") % {"name": options["owner"]})
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(_("No region has the code %(code)s.") % {"code": options["region"]})
        scopes = list(ALL_SCOPES) if "all" in options["scopes"] else options["scopes"]
        created = api_key_create(
            name=options["name"],
            owner=owner,
            scopes=scopes,
            region=region,
            rate_limit_per_minute=options["rate_limit"],
            actor=None,
        )
        self.stdout.write(
            _("API key created for %(owner)s (%(scopes)s):") % {"owner": owner, "scopes": ", ".join(created.key.scopes)}
        )
        self.stdout.write(created.secret)
        self.stdout.write(_("Store it now: it is not shown again."))

    def _revoke(self, options: dict[str, Any]) -> None:
        key = api_key_revoke_by_prefix(prefix=options["prefix"], actor=None)
        self.stdout.write(_("Revoked %(key)s.") % {"key": key})

    def _list(self, options: dict[str, Any]) -> None:
        keys = ApiKey.objects.select_related("owner", "region").order_by("owner__username", "-created_at")
        if options["owner"]:
            keys = keys.filter(owner__username=options["owner"])
        for key in keys:
            state = _("revoked") if key.revoked_at else _("active")
            used = key.last_used_at.isoformat() if key.last_used_at else "-"
            region = key.region.code if key.region else "-"
            self.stdout.write(
                f"{key.prefix}  {state:<8} {key.owner.get_username():<14} {region:<10} {used:<32} {','.join(key.scopes)}  {key.name}"
            )
