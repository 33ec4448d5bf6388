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
    """Link ticket ``ticket_id`` to the open crises it matches and run the spike scan on its
    model, batch, region and category. Returns how many alerts it opened. The intake no longer
    queues it (``receivers.ticket_created_later`` runs in the one job after intake); kept for
    jobs queued before that change and for re-running a ticket's scan by hand."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    crises_link_new_ticket(ticket=ticket)
    return len(alerts_detect_spikes(now=ticket.created_at, only=ticket))
