"""The quality manager's worklist: tickets awaiting the acceptance of their result, within the
reader's data scope, urgent first, then the longest waiting, each with its checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import PermissionDenied
from aftersales.core.i18n import join_list
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.acceptance import may_accept
from aftersales.tickets.selectors import tickets_visible_to
from aftersales.tickets.states import TicketStatus

from .acceptance_checklist import CheckItem, checklist_items, checklist_states
from .acceptance_models import AcceptanceDecision, ResultAcceptance
from .acceptance_rules import reason_labels


def require_acceptor(user: User) -> None:
    if not may_accept(user):
        raise PermissionDenied(
            _("Only a quality manager, a supervisor or an administrator accepts results."), code="acceptor_role"
        )


def awaiting_acceptance(user: User) -> QuerySet[Ticket]:
    """The tickets waiting for acceptance that ``user`` sees, urgent first, oldest wait first."""
    pending = ResultAcceptance.objects.filter(ticket=OuterRef("pk"), decision=AcceptanceDecision.PENDING)
    return (
        tickets_visible_to(user)
        .filter(status=TicketStatus.AWAITING_ACCEPTANCE)
        .annotate(
            waiting_since=Subquery(pending.values("requested_at")[:1]),
        )
        .select_related("assignee")
        .order_by("priority", "waiting_since", "resolved_at", "pk")
    )


def awaiting_acceptance_count(user: User) -> int:
    """For a home page's link: how many wait for ``user``'s acceptance (0 for other roles)."""
    if not may_accept(user):
        return 0
    return tickets_visible_to(user).filter(status=TicketStatus.AWAITING_ACCEPTANCE).count()


@dataclass(frozen=True)
class WorklistRow:
    ticket: Ticket
    waiting_since: dt.datetime | None
    reasons: str  # why it needs acceptance, in the reader's words and list separator
    checks: list[CheckItem]


def worklist_rows(tickets: list[Ticket]) -> list[WorklistRow]:
    """One page of the worklist with each ticket's checklist (a few queries for the page)."""
    ids = [t.pk for t in tickets]
    states = checklist_states(ids)
    reasons = dict(
        ResultAcceptance.objects.filter(ticket_id__in=ids, decision=AcceptanceDecision.PENDING).values_list(
            "ticket_id", "reasons"
        )
    )
    return [
        WorklistRow(
            ticket=t,
            waiting_since=getattr(t, "waiting_since", None),
            reasons=join_list(reason_labels(list(reasons.get(t.pk) or []))),
            checks=checklist_items(states[t.pk]),
        )
        for t in tickets
    ]
