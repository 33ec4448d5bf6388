"""Factories of the billing tests: finished chargeable work orders (rows, as the travel tests make
them) and their receivables brought about through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.billing import services
from aftersales.billing.models import Receivable
from aftersales.core import clock
from aftersales.fieldservice.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from tests.factories import UserFactory, make_ticket

_numbers = itertools.count(1)


def staff(role: str, **kwargs: Any) -> User:
    return UserFactory(role=role, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def finance(**kwargs: Any) -> User:
    return staff(Role.FINANCE, **kwargs)


def supervisor(**kwargs: Any) -> User:
    return staff(Role.SUPERVISOR, **kwargs)


def technician(**kwargs: Any) -> User:
    return UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN, **kwargs)


def job(
    tech: User,
    *,
    charge: str = "380.00",
    chargeable: bool = True,
    status: str = WorkOrderStatus.DONE,
    region: Region | None = None,
    done_days_ago: int = 0,
) -> WorkOrder:
    """A work order ``tech`` finished ``done_days_ago`` days ago with a customer charge."""
    now = clock.now()
    done = now - dt.timedelta(days=done_days_ago)
    return WorkOrder.objects.create(
        number=f"WOBL{next(_numbers):06d}",
        ticket=make_ticket(region=region),
        region=region,
        kind=WorkOrderKind.ONSITE_REPAIR,
        status=status,
        technician=tech,
        chargeable=chargeable,
        charge_total=Decimal(charge),
        dispatched_at=done - dt.timedelta(days=1),
        completed_at=done if status in {WorkOrderStatus.DONE, WorkOrderStatus.CUSTOMER_ACCEPTED} else None,
        created_at=done - dt.timedelta(days=2),
        updated_at=now,
    )


def receivable(tech: User, **kwargs: Any) -> Receivable:
    """A finished job's receivable, created as the completion hook creates it."""
    work_order = job(tech, **kwargs)
    created = services.receivable_sync(work_order_id=work_order.pk)
    assert created is not None
    return created
