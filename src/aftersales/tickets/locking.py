"""The one door for locking tickets and checking the version a caller read.

Lock order, for every aggregate that belongs to a ticket (plan, approval, agreement, survey,
work order, requisition of a work order): **the ticket first, then what belongs to it**; several
tickets **in ascending key order** (``lock_tickets``). Two transactions that follow this order
never wait for each other's rows in opposite orders, so they cannot deadlock; a service that
needs a child row locks the ticket before it (``lock_ticket(child.ticket_id)``).

``check_version`` is the one optimistic check: a stale ``expected_version`` raises ``Conflict``
naming who changed the ticket last and when, so the user knows to reload.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict

from .event_text import event_actor
from .models import Ticket, TicketEvent


def lock_ticket(ticket_id: int) -> Ticket:
    """The ticket row, locked (``SELECT … FOR UPDATE``) until the transaction ends."""
    return Ticket.objects.select_for_update().get(pk=ticket_id)


def lock_tickets(*ticket_ids: int) -> dict[int, Ticket]:
    """Several ticket rows, locked in ascending key order; by id."""
    ordered = sorted(set(ticket_ids))
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=ordered).order_by("pk")}
    missing = [pk for pk in ordered if pk not in locked]
    if missing:
        raise Ticket.DoesNotExist(f"tickets {missing} do not exist")
    return locked


def stale_version_conflict(ticket: Ticket) -> Conflict:
    """A ``Conflict`` naming who changed ``ticket`` last and when, so the user knows to reload."""
    last = TicketEvent.objects.filter(ticket_id=ticket.pk).select_related("actor").order_by("-created_at", "-id").first()
    if last is None:
        return Conflict(
            _("This ticket was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    when = timezone.localtime(last.created_at, timezone.get_default_timezone())
    name = event_actor(last)
    return Conflict(
        _("This ticket was changed by %(name)s at %(time)s; reload it and try again.")
        % {"name": name, "time": when.strftime("%Y-%m-%d %H:%M")},
        code="stale_version",
        field="version",
    )


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    """Raise ``Conflict`` unless ``expected_version`` is None or the (locked) ticket's version."""
    if expected_version is not None and ticket.version != expected_version:
        raise stale_version_conflict(ticket)
