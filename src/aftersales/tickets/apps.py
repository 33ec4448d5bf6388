from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "aftersales.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # Fills the process actions' registry (tickets.registry.ACTIONS) from their declarations.
        # A ticket registered by a channel names it as its actor ("channel:hotline"), said in
        # the reader's language (core.i18n.actor_text).
        from aftersales.core.i18n import register_actor_kind

        from . import actions  # noqa: F401
        from .choices import Channel

        register_actor_kind("channel", lambda value: Channel(value).label)
