"""Shared steps of the remedies tests: a unit sold on a given day, a ticket on it registered on a
given day, finished repairs, and a signed appraisal."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.models import AppraisalStatus
from aftersales.catalog.models import ProductUnit
from aftersales.fieldservice.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.tickets.models import Ticket
from tests.appraisal.helpers import walk
from tests.factories import ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.parts.factories import make_work_order

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def agent(**kwargs: Any) -> User:
    return UserFactory(role=Role.AGENT, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def unit_sold(on: dt.date | None, **fields: Any) -> ProductUnit:
    return ProductUnitFactory(purchase_date=on, **fields)


def ticket_on(
    unit: ProductUnit, registered: dt.date, *, actor: User | None = None, region: Region | None = None, **extra: Any
) -> Ticket:
    """A ticket on ``unit`` as if registered on ``registered`` (its fault reported that day)."""
    ticket = make_ticket(actor=actor, region=region or RegionFactory(code="east"), serial_number=unit.serial_number, **extra)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=_aware(registered, 10), occurred_at=None)
    ticket.refresh_from_db()
    assert ticket.product_unit_id == unit.pk
    return ticket


def repaired(
    ticket: Ticket, *, on: dt.date, kind: str = WorkOrderKind.ONSITE_REPAIR, status: str = WorkOrderStatus.CUSTOMER_ACCEPTED
) -> WorkOrder:
    done = status in (WorkOrderStatus.DONE, WorkOrderStatus.CUSTOMER_ACCEPTED)
    technician = None if status in (WorkOrderStatus.TO_DISPATCH, WorkOrderStatus.CANCELLED) else UserFactory(role=Role.TECHNICIAN)
    return make_work_order(
        ticket=ticket, technician=technician, kind=kind, status=status, completed_at=_aware(on, 16) if done else None
    )


def appraised(ticket: Ticket, *, fault_type: str, component: str = "") -> None:
    applies = fault_type not in (FaultType.MAN_MADE, FaultType.NO_FAULT)
    walk(to=AppraisalStatus.SIGNED, ticket=ticket, fault_type=fault_type, component_text=component, sanbao_applies=applies)
