from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "aftersales.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        # A calendar takes a new days_version (the key of its cached days) when a day changes.
        from . import calendar_cache  # noqa: F401
