from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "aftersales.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The language at sign-in: the one chosen on the way in, else the person's own
        # (login_language); the region table's cache is cleared when a region or one of its
        # areas changes (regions).
        from . import login_language, regions  # noqa: F401
