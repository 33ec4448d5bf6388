"""Which resolved tickets wait for the quality manager's acceptance: the administrator's rule
(``AcceptanceRule``, one row; the defaults without one) applied to a ticket."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import join_list
from aftersales.tickets.choices import EventKind, Priority, Severity
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure, Ticket, TicketEvent
from aftersales.tickets.states import TicketStatus

from .acceptance_models import AcceptanceMode, AcceptanceRule

MONEY_MEASURES = frozenset({MeasureKind.REFUND, MeasureKind.EXCHANGE, MeasureKind.COMPENSATION})

# The reasons' codes (stored on the record) and how they read.
REASON_LABELS: dict[str, Promise] = {
    "all": _("every ticket"),
    "urgent": _("urgent priority"),
    "serious": _("serious severity"),
    "safety": _("safety hazard"),
    "money_measure": _("refund, exchange or compensation"),
    "reopened": _("reopened before"),
}


def reason_labels(codes: list[str]) -> list[str]:
    return [str(REASON_LABELS.get(code, code)) for code in codes]


def current_rule() -> AcceptanceRule:
    """The rule in force: the saved row, or the shipped defaults."""
    return AcceptanceRule.objects.filter(pk=AcceptanceRule.SINGLETON_PK).first() or AcceptanceRule(pk=AcceptanceRule.SINGLETON_PK)


def _has_money_measure(ticket: Ticket) -> bool:
    return (
        PlanMeasure.objects.filter(plan__ticket_id=ticket.pk, plan__is_current=True, kind__in=MONEY_MEASURES)
        .exclude(status=MeasureStatus.CANCELLED)
        .exists()
    )


def _was_reopened(ticket: Ticket) -> bool:
    # From the timeline: the escalation level also rises with SLA escalations.
    return TicketEvent.objects.filter(
        ticket_id=ticket.pk, kind=EventKind.STATUS_CHANGED, data__to=TicketStatus.REOPENED.value
    ).exists()


def reasons_for(ticket: Ticket, rule: AcceptanceRule) -> list[str]:
    """The codes of the rule's conditions ``ticket`` meets (empty: it closes without acceptance)."""
    if rule.mode == AcceptanceMode.NONE:
        return []
    if rule.mode == AcceptanceMode.ALL:
        return ["all"]
    reasons = []
    if rule.urgent and ticket.priority == Priority.URGENT:
        reasons.append("urgent")
    if rule.serious and ticket.severity == Severity.SERIOUS:
        reasons.append("serious")
    if rule.safety and ticket.safety_hazard:
        reasons.append("safety")
    if rule.money_measures and _has_money_measure(ticket):
        reasons.append("money_measure")
    if rule.reopened and _was_reopened(ticket):
        reasons.append("reopened")
    return reasons


def rule_summary(rule: AcceptanceRule) -> str:
    """The rule in words, for the worklist's header."""
    if rule.mode != AcceptanceMode.MATCHING:
        return str(AcceptanceMode(rule.mode).label)
    flags = {
        "urgent": rule.urgent,
        "serious": rule.serious,
        "safety": rule.safety,
        "money_measure": rule.money_measures,
        "reopened": rule.reopened,
    }
    chosen = [code for code, on in flags.items() if on]
    if not chosen:
        return str(AcceptanceMode.NONE.label)
    return join_list(reason_labels(chosen))
