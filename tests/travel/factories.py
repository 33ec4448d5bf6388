"""Factories of the travel tests: technicians in a team, their jobs (rows, as the outlets tests
make them), and their claims and advances brought to a status through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from aftersales.accounts.models import DataScope, Region, Role, Team, User
from aftersales.core import clock
from aftersales.fieldservice import services as fieldservice
from aftersales.fieldservice.models import ExpenseClaim, ExpenseKind, WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.travel import services
from aftersales.travel.models import CashAdvance, PaymentMethod
from tests.factories import TeamFactory, UserFactory, make_ticket

_numbers = itertools.count(1)


def staff(role: str, **kwargs: Any) -> User:
    return UserFactory(role=role, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def finance(**kwargs: Any) -> User:
    return staff(Role.FINANCE, **kwargs)


def technician(*, team: Team | None = None, **kwargs: Any) -> User:
    return UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN, team=team, **kwargs)


def team_with_leader(**kwargs: Any) -> tuple[Team, User]:
    """A team of technicians led by one of them (the leader decides his members' advances)."""
    team = TeamFactory(**kwargs)
    leader = technician(team=team)
    team.leader = leader
    team.save(update_fields=["leader"])
    return team, leader


def job(tech: User, *, status: str = WorkOrderStatus.DONE, region: Region | None = None) -> WorkOrder:
    """A work order of ``tech`` (its ticket registered through intake) that he worked; with
    ``region``, the ticket's and the job's service region."""
    now = clock.now()
    return WorkOrder.objects.create(
        number=f"WOTR{next(_numbers):06d}",
        ticket=make_ticket(region=region),
        region=region,
        kind=WorkOrderKind.ONSITE_REPAIR,
        status=status,
        technician=tech,
        dispatched_at=now - dt.timedelta(days=1),
        created_at=now - dt.timedelta(days=2),
        updated_at=now,
    )


def claim(
    tech: User, amount: str = "100.00", *, decider: User | None = None, work_order: WorkOrder | None = None
) -> ExpenseClaim:
    """An expense claim submitted by ``tech`` and, with ``decider``, approved by him."""
    submitted = fieldservice.expense_claim_submit(
        work_order=work_order or job(tech), actor=tech, kind=ExpenseKind.TRANSPORT, amount=amount, note="高铁"
    )
    if decider is None:
        return submitted
    return fieldservice.expense_claim_decide(claim=submitted, actor=decider, approve=True)


def advance(tech: User, amount: str = "500.00", **kwargs: Any) -> CashAdvance:
    today = clock.local_today()
    return services.advance_request(
        actor=tech,
        purpose=kwargs.pop("purpose", "上门维修差旅"),
        amount=Decimal(amount),
        trip_from=kwargs.pop("trip_from", today),
        trip_until=kwargs.pop("trip_until", today + dt.timedelta(days=2)),
        **kwargs,
    )


def paid_advance(tech: User, amount: str = "500.00", *, payer: User, reference: str = "") -> CashAdvance:
    requested = advance(tech, amount)
    approved = services.advance_approve(advance=requested, actor=payer)
    return services.advance_pay(
        advance=approved, actor=payer, method=PaymentMethod.BANK_TRANSFER, reference=reference or f"BANK-{requested.number}"
    )
