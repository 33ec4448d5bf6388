from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "aftersales.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from aftersales.accounts.two_factor import second_factor_event

        from .two_factor import record_second_factor_event

        second_factor_event.connect(record_second_factor_event, dispatch_uid="aftersales.audit.second_factor")
