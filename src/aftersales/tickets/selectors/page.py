"""The ticket page's reads: the timeline, the attachments and the process overview.

Call these only with a ticket fetched through the caller's scope (``scope.ticket_get_for_user``).
The page's fixed-shape statements are compiled once per process (``core.precompiled``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from aftersales.accounts.models import User
from aftersales.core.precompiled import PreparedQuery

from ..models import ApprovalRequest, Attachment, CustomerAgreement, PlanMeasure, Ticket, TicketEvent, TicketPlan

# --- The timeline ----------------------------------------------------------------------------


def _events(ticket_id: int, *, public_only: bool) -> QuerySet[TicketEvent]:
    """The ticket's timeline statement, oldest first, with each event's actor: every event, or
    only those the customer sees. The one definition of both."""
    found = (
        TicketEvent.objects.filter(ticket_id=ticket_id, public=True)
        if public_only
        else TicketEvent.objects.filter(ticket_id=ticket_id)
    )
    return found.select_related("actor").order_by("created_at", "id")


_ALL_EVENTS = PreparedQuery(lambda ticket_id: _events(ticket_id, public_only=False))
_PUBLIC_EVENTS = PreparedQuery(lambda ticket_id: _events(ticket_id, public_only=True))


def _read_events(ticket: Ticket, *, public_only: bool, with_attachments: bool) -> list[TicketEvent]:
    reader = _PUBLIC_EVENTS if public_only else _ALL_EVENTS
    if not with_attachments:  # one statement shape per audience, compiled once
        return reader.list(ticket_id=ticket.pk)
    events = reader.build(ticket_id=ticket.pk).prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    return list(events)


def ticket_public_timeline(*, ticket: Ticket, with_attachments: bool = False) -> list[TicketEvent]:
    """The events the customer sees (public ones), in order, with their actors.
    ``with_attachments``: each event's attachments prefetched too (one more statement)."""
    return _read_events(ticket, public_only=True, with_attachments=with_attachments)


def ticket_timeline(*, ticket: Ticket, user: User, with_attachments: bool = True) -> list[TicketEvent]:
    """Timeline events in order; customers see only public ones. ``with_attachments=False``: the
    caller attaches them itself (the ticket page reads the ticket's attachments once for both
    the timeline and the attachments list)."""
    if user.is_customer:
        return ticket_public_timeline(ticket=ticket, with_attachments=with_attachments)
    return _read_events(ticket, public_only=False, with_attachments=with_attachments)


# --- Attachments -----------------------------------------------------------------------------


def ticket_all_attachments(*, ticket: Ticket) -> list[Attachment]:
    """Every attachment of the ticket, oldest first, public or not: for callers that split them
    by event and by visibility themselves."""
    return _ALL_ATTACHMENTS.list(ticket_id=ticket.pk)


_ALL_ATTACHMENTS = PreparedQuery(lambda ticket_id: Attachment.objects.filter(ticket_id=ticket_id).order_by("created_at", "id"))


def ticket_attachments(*, ticket: Ticket, user: User) -> list[Attachment]:
    """The ticket's attachments as ``user`` sees them (a customer: public ones), oldest first."""
    qs = Attachment.objects.filter(ticket=ticket)
    if user.is_customer:
        qs = qs.filter(public=True)
    return list(qs.order_by("created_at", "id"))


# --- The process ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessOverview:
    """What the detail page shows of the process: the current plan and every decision on plans."""

    plan: TicketPlan | None
    measures: list[PlanMeasure]
    approvals: list[ApprovalRequest]
    agreements: list[CustomerAgreement]


def ticket_process_overview(*, ticket: Ticket) -> ProcessOverview:
    """The current plan with its measures (and owners), approval requests and customer answers
    of all the ticket's plans, newest last. Call only with a ticket fetched through the user's scope."""
    # At most one current plan (constraint ticket_plan_one_current): no ORDER BY needed.
    current = _CURRENT_PLAN.list(ticket_id=ticket.pk)
    if not current:  # a ticket's first plan stays current until a newer one replaces it
        return ProcessOverview(plan=None, measures=[], approvals=[], agreements=[])
    plan = current[0]
    measures = list(PlanMeasure.objects.filter(plan=plan).select_related("owner"))
    approvals = list(ApprovalRequest.objects.filter(plan__ticket=ticket).select_related("plan", "requested_by", "decided_by"))
    agreements = list(CustomerAgreement.objects.filter(plan__ticket=ticket).select_related("plan", "recorded_by"))
    return ProcessOverview(plan=plan, measures=measures, approvals=approvals, agreements=agreements)


_CURRENT_PLAN = PreparedQuery(
    lambda ticket_id: TicketPlan.objects.filter(ticket_id=ticket_id, is_current=True).select_related("created_by")[:1]
)
