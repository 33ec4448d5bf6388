from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "aftersales.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # Fills the process actions' registry (tickets.registry.ACTIONS) from their declarations.
        from . import actions  # noqa: F401
