from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "aftersales.mailin"
    label = "mailin"
    verbose_name = _("Email intake")

    def ready(self) -> None:
        checks.register(check_reply_authentication, checks.Tags.security)
        from . import export_kind  # noqa: F401 - registers the held queue's Excel export


def check_reply_authentication(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Mail is received (a mailbox or the push endpoint is configured) outside DEBUG, but no
    trusted authserv-id is set: replies are then threaded by their From address unchecked."""
    from django.conf import settings

    from .config import trusted_authserv_ids

    receiving = bool(getattr(settings, "MAILIN_IMAP_HOST", "") or getattr(settings, "MAILIN_HTTP_SECRET", ""))
    if settings.DEBUG or not receiving or trusted_authserv_ids():
        return []
    return [
        checks.Warning(
            "Email intake is configured but MAILIN_TRUSTED_AUTHSERV_IDS is empty: a reply is added as the "
            "customer's message on its From address alone (forgeable).",
            hint="Set MAILIN_TRUSTED_AUTHSERV_IDS to the authserv-id your receiving mail server writes into "
            "Authentication-Results (see docs/email-intake.md).",
            id="mailin.W001",
        )
    ]
