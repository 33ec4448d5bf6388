"""Background jobs of the crisis app (django-tasks). Idempotent: a second run merges into the
alerts the first opened."""

from __future__ import annotations

from django_tasks import task

from aftersales.tickets.models import Ticket

from .services import alerts_detect_spikes, crises_link_new_ticket


@task()
def detect_spikes() -> int:
    """Periodic: the spike scan over every model, batch, region and category. Returns how many
    alerts it opened."""
    return len(alerts_detect_spikes())


@task()
def scan_new_ticket(ticket_id: int) -> int:
    """After a ticket's intake committed: link it to the open crises it matches and run the spike
    scan on its model, batch, region and category. Kept out of the intake's transaction, which
    holds the day's number counter. Returns how many alerts it opened."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    crises_link_new_ticket(ticket=ticket)
    return len(alerts_detect_spikes(now=ticket.created_at, only=ticket))
