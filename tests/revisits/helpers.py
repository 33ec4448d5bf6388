"""Builders for the revisit tests: customers of each tier, agents per region, closed tickets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.customers.models import Customer, CustomerTier
from aftersales.revisits.models import Revisit, RevisitReason
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus
from tests.factories import CustomerFactory, RegionFactory, UserFactory, make_ticket

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def customer(
    *, tier: str = CustomerTier.KEY, region: Region | None = None, created: dt.date | None = None, **kw: Any
) -> Customer:
    c = CustomerFactory(tier=tier, region=region, **kw)
    if created is not None:
        Customer.objects.filter(pk=c.pk).update(created_at=at(created))
        c.refresh_from_db()
    return c


def agent(*, region: Region | None = None, scope: str = DataScope.OWN, **kw: Any) -> User:
    return UserFactory(role=Role.AGENT, data_scope=scope, region=region, **kw)


def supervisor(*, region: Region | None = None, scope: str = DataScope.REGION, **kw: Any) -> User:
    return UserFactory(role=Role.SUPERVISOR, data_scope=scope, region=region, **kw)


def region(code: str = "east", name: str = "华东") -> Region:
    return RegionFactory(code=code, name=name)


def closed_ticket(*, closed: dt.date, request_type: str = "repair", **kw: Any) -> Ticket:
    """A ticket registered through intake, then marked closed on ``closed`` (the process that
    closes a ticket is tested elsewhere; here only its result matters)."""
    ticket = make_ticket(request_type=request_type, **kw)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED, closed_at=at(closed))
    ticket.refresh_from_db()
    return ticket


def open_revisit(*, cust: Customer, due: dt.date, assignee: User | None = None, **kw: Any) -> Revisit:
    now = timezone.now()
    values: dict[str, Any] = {"reason": RevisitReason.PERIODIC, "period": due, "team": assignee.team if assignee else None}
    values.update(kw)
    return Revisit.objects.create(
        customer=cust,
        due_date=due,
        assignee=assignee,
        region=cust.region,
        created_at=now,
        updated_at=now,
        **values,
    )
