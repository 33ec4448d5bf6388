"""Shared steps for the process tests: walk a ticket along the process like real users do."""

from __future__ import annotations

from decimal import Decimal

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import Nature, Priority, RequestType, Responsibility, Severity
from aftersales.tickets.models import MeasureKind, Ticket
from aftersales.tickets.process import (
    FIELD_MEASURE_KINDS,
    MeasureInput,
    ticket_classify,
    ticket_propose_plan,
    ticket_record_verification,
    ticket_set_responsibility,
    ticket_start_verification,
)
from tests.factories import UserFactory


def agent(**kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def supervisor(**kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def analysed(ticket: Ticket, actor) -> Ticket:  # type: ignore[no-untyped-def]
    """Registered → verified, classified, responsibility decided → ANALYSING."""
    ticket = ticket_start_verification(ticket=ticket, actor=actor)
    ticket = ticket_classify(
        ticket=ticket,
        actor=actor,
        category=None,
        nature=Nature.QUALITY,
        severity=Severity.GENERAL,
        request_type=RequestType.REPAIR,
        priority=Priority.NORMAL,
    )
    ticket = ticket_set_responsibility(
        ticket=ticket, actor=actor, responsibility=Responsibility.INTERNAL, party="生产部", cause="manufacturing"
    )
    return ticket_record_verification(ticket=ticket, actor=actor, authentic=True, complete=True)


def repair_plan(  # type: ignore[no-untyped-def]
    ticket: Ticket, actor, *, owner=None, amount: str = "0", kind: str = MeasureKind.ONSITE_REPAIR, charge: str | None = None
):
    """One measure; a field measure the warranty may not cover carries the customer's estimate
    (issue 14: the plan says what the customer pays), 200 CNY unless ``charge`` says otherwise."""
    if charge is None:
        charge = "200" if kind in FIELD_MEASURE_KINDS else "0"
    return ticket_propose_plan(
        ticket=ticket,
        actor=actor,
        diagnosis="排水管堵塞，需上门清理。",
        measures=[
            MeasureInput(
                kind=kind, owner=owner or actor, amount=Decimal(amount), customer_charge=Decimal(charge), description="上门维修"
            )
        ],
    )


def refreshed(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)
