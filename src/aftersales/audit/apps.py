from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "aftersales.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from aftersales.accounts.signals import security_event

        from .two_factor import record_security_event

        security_event.connect(record_security_event, dispatch_uid="aftersales.audit.account_security")
