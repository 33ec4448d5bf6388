from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "aftersales.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import links  # noqa: F401 - registers the deploy check of AFTERSALES_SITE_URL
