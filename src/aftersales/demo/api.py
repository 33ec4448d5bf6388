"""The demo integration API key, so that the curl examples of docs/api.md work at once.

A known key, made only on a local machine with the demo data loaded (never when
AFTERSALES_ENV=production). It acts as the demo agent (李娜), with every scope.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.api.models import ALL_SCOPES, ApiKey
from aftersales.api.services import PREFIX_LENGTH, api_key_create

DEMO_API_KEY = "ask_demo2026_local-demo-data-only-never-in-production"
DEMO_API_KEY_OWNER = "agent"
DEMO_API_KEY_NAME = "Demo integration (docs/api.md)"


def demo_api_key() -> str | None:
    """The demo key if it exists and works here; ``None`` in production or without demo data."""
    if settings.PRODUCTION:
        return None
    exists = ApiKey.objects.filter(prefix=DEMO_API_KEY[:PREFIX_LENGTH], revoked_at__isnull=True).exists()
    return DEMO_API_KEY if exists else None


def load_api_demo(stdout: IO[str]) -> None:
    """Create the demo key once (when the demo agent exists) and print it."""
    if settings.PRODUCTION:
        return
    owner = User.objects.filter(username=DEMO_API_KEY_OWNER, is_active=True).first()
    if owner is None:
        return
    if not ApiKey.objects.filter(prefix=DEMO_API_KEY[:PREFIX_LENGTH]).exists():
        api_key_create(name=DEMO_API_KEY_NAME, owner=owner, scopes=ALL_SCOPES, actor=None, raw_key=DEMO_API_KEY)
    key = demo_api_key()
    if key is None:
        stdout.write(
            _("The demo API key was revoked; create one with: manage.py api_key create --owner agent --name demo --scope all")
        )
        return
    stdout.write(_("Demo API key (acts as %(owner)s; local demo data only): %(key)s") % {"owner": owner, "key": key})
