"""``manage.py api_key create|revoke|list``: API keys for integrations.

  api_key create --owner agent --name "WeChat backend" --scope tickets:read --scope tickets:write [--region east]
  api_key revoke ask_1a2b3c4d
  api_key list [--owner agent]

``--language`` (``zh-hans``, ``en``; default ``settings.LANGUAGE_CODE``), before or after the
action (``api_key --language en list`` and ``api_key list --language en``; given twice, the one
after the action wins): what the command prints, its errors and its ``--help`` included, is in
the operator's language (``core.operator_command``). The secret is printed once, at creation;
only its hash is stored.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Region, User
from aftersales.core.errors import DomainError
from aftersales.core.operator_command import OperatorCommand, languages, lazy_help

from ...models import ALL_SCOPES, ApiKey
from ...services import api_key_create, api_key_revoke_by_prefix


class Command(OperatorCommand):
    # ``--language`` before the action is OperatorCommand's; the one after it is each action's.
    help_text = gettext_lazy("Create, revoke or list API keys.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=lazy_help(gettext_lazy("Create a key and print its secret once.")))
        create.add_argument("--owner", required=True, help=lazy_help(gettext_lazy("Username the key acts as.")))
        create.add_argument("--name", required=True, help=lazy_help(gettext_lazy("What uses the key (e.g. “WeChat backend”).")))
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=[],
            help=lazy_help(format_lazy(gettext_lazy("Repeat; one of {scopes}, or “all”."), scopes=", ".join(ALL_SCOPES))),
        )
        create.add_argument("--region", default="", help=lazy_help(gettext_lazy("Region code: the key sees only this region.")))
        create.add_argument(
            "--rate-limit",
            type=int,
            default=None,
            help=lazy_help(gettext_lazy("Requests per minute (default: the server's setting).")),
        )
        revoke = sub.add_parser("revoke", help=lazy_help(gettext_lazy("Revoke a key by its prefix.")))
        revoke.add_argument("prefix", help=lazy_help(gettext_lazy("The key's prefix (ask_…).")))
        listing = sub.add_parser("list", help=lazy_help(gettext_lazy("List keys (prefixes only).")))
        listing.add_argument("--owner", default="", help=lazy_help(gettext_lazy("Only this user's keys.")))
        for action in (create, revoke, listing):
            # SUPPRESS: an action given no --language leaves the one before it in place.
            action.add_argument(
                "--language",
                default=argparse.SUPPRESS,
                choices=languages(),
                help=lazy_help(gettext_lazy("The language of the output, one of %(choices)s (default: the site's language).")),
            )

    def handle(self, *args: Any, **options: Any) -> None:
        # Without --language: the site's language, also under call_command (not the caller's).
        with translation.override(options.get("language") or settings.LANGUAGE_CODE):
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
