from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "aftersales.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registering their deploy checks: of AFTERSALES_SITE_URL and of the file storage.
        from . import links, storage_checks  # noqa: F401
