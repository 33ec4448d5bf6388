"""Factories of the outlets tests: an outlet with its team (leader and technicians) and jobs the
customer accepted, made as rows (the field-service flow itself is walked in test_dispatch)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from aftersales.accounts.models import DataScope, OutletKind, Role, ServiceOutlet, User
from aftersales.core import clock
from aftersales.fieldservice.models import TechnicianProfile, WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.outlets.services import previous_month
from aftersales.tickets.models import Ticket
from tests.factories import ProductUnitFactory, TeamFactory, UserFactory, make_ticket

_numbers = itertools.count(1)


class OutletFactory(DjangoModelFactory):
    class Meta:
        model = ServiceOutlet
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"outlet-{n}")
    name = factory.Sequence(lambda n: f"上海第{n}服务网点")
    kind = OutletKind.AUTHORISED
    company = factory.Sequence(lambda n: f"上海安装维修服务{n}有限公司")
    contact_name = "王经理"
    phone = "021-66668888"
    province = "上海市"
    city = "上海市"
    district = "徐汇区"
    address = "漕溪北路100号"
    team = factory.SubFactory(TeamFactory)
    call_out_fee = Decimal("50.00")
    labour_rate = Decimal("80.00")
    travel_rate = Decimal("1.50")
    repeat_penalty = Decimal("100.00")
    contract_from = dt.date(2026, 1, 1)
    contract_until = dt.date(2027, 12, 31)


def staff(role: str, **kwargs: Any) -> User:
    return UserFactory(role=role, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def outlet_technician(outlet: ServiceOutlet, **kwargs: Any) -> User:
    user = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN, team=outlet.team, **kwargs)
    TechnicianProfile.objects.create(user=user)
    return user


def outlet_with_people(**kwargs: Any) -> tuple[ServiceOutlet, User, User]:
    """An outlet, its leader (a technician who leads the team) and one more technician."""
    outlet = OutletFactory(**kwargs)
    leader = outlet_technician(outlet)
    assert outlet.team is not None
    outlet.team.leader = leader
    outlet.team.save(update_fields=["leader"])
    return outlet, leader, outlet_technician(outlet)


def last_month() -> tuple[dt.date, dt.date]:
    return previous_month(clock.local_today())


def local(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def accepted_job(
    *,
    outlet: ServiceOutlet | None,
    technician: User,
    accepted_at: dt.datetime,
    hours: str = "1.5",
    km: str = "12",
    serial: str | None = None,
    ticket: Ticket | None = None,
    kind: str = WorkOrderKind.ONSITE_REPAIR,
    status: str = WorkOrderStatus.CUSTOMER_ACCEPTED,
) -> WorkOrder:
    """A work order the customer accepted at ``accepted_at`` (its ticket registered through intake,
    a day before the visit; with ``serial``, on that product unit)."""
    if ticket is None:
        extra = {"serial_number": serial or ProductUnitFactory().serial_number}
        ticket = make_ticket(**extra)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=accepted_at - dt.timedelta(days=1))
        ticket.refresh_from_db()
    done = accepted_at - dt.timedelta(hours=1)
    return WorkOrder.objects.create(
        number=f"WOT{next(_numbers):06d}",
        ticket=ticket,
        kind=kind,
        status=status,
        technician=technician,
        outlet=outlet,
        dispatched_at=accepted_at - dt.timedelta(hours=20),
        completed_at=done if status in {WorkOrderStatus.DONE, WorkOrderStatus.CUSTOMER_ACCEPTED} else None,
        customer_accepted_at=accepted_at if status == WorkOrderStatus.CUSTOMER_ACCEPTED else None,
        labour_hours=Decimal(hours),
        travel_km=Decimal(km),
        created_at=accepted_at - dt.timedelta(days=1),
        updated_at=accepted_at,
    )
