"""A small hand-computed world for the KPI, dashboard and chargeback tests.

Calendar: Monday–Friday 09:00–18:00 Asia/Shanghai with Chinese public holidays (National Day
2025: 1–8 October off, Saturday 11 October a make-up workday).

Agent ``wang`` (region East, team A) handles three tickets registered in October 2025:

====  ============================================  ==================  ==========================
      first response (business minutes)             resolution          other
====  ============================================  ==================  ==========================
A     30 Sep 17:00 → 9 Oct 09:30 = 60+30 = 90       —                   FR breached; survey 5/attitude 2
      (1–8 Oct are the holiday: wall time 8.7 days)                     (a complaint); refund 300 paid
B     13 Oct 10:00 → 10:45 = 45                     13 Oct 10:00 → 15   reopened; survey overall 3;
                                                    Oct 12:00 = 20 h,   job: parts 100 + labour 50 +
                                                    paused 3 h → 1020   travel 20; supplier 华东电机厂
C     Sat 11 Oct (make-up workday) 09:00 → 11:00    —                   compensation 80 done
      = 120
====  ============================================  ==================  ==========================

FR minutes [45, 90, 120]: median 90, p90 (nearest rank ⌈2.7⌉ = 3rd) 120. FR SLA 2 of 3 met.
Agent ``li`` (region West) has one ticket D: FR 10 minutes, met.
Technician ``zhao`` (region East): B's job, checked in before the window's end, done, 1.5 h,
2 parts — B's unit comes back with a new fault ticket E on 5 November (closed), within the 30
days of ``fieldservice.ftf``: not fixed the first time; C's job, checked in late, done, 2 h —
fixed the first time. On time 1 of 2, first-time fix 1 of 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from aftersales.accounts.models import DataScope, Region, Role, Team, User
from aftersales.compensation.models import Compensation, CompensationKind, FulfilmentStatus, Refund
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.fieldservice.models import ChargeLineKind, WorkOrder, WorkOrderChargeLine, WorkOrderKind, WorkOrderStatus
from aftersales.remedies.models import Purchase
from aftersales.sla.models import Calendar, ClockStatus, SlaClock, SlaMetric
from aftersales.tickets.choices import EventKind, Responsibility
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket, TicketEvent, TicketPlan
from aftersales.tickets.states import TicketStatus
from tests.factories import ProductUnitFactory, RegionFactory, TeamFactory, UserFactory, make_ticket

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@dataclass
class World:
    east: Region
    west: Region
    team: Team
    wang: User
    li: User
    zhao: User
    a: Ticket
    b: Ticket
    c: Ticket
    d: Ticket


def _clock(
    ticket: Ticket,
    cal: Calendar,
    metric: str,
    start: dt.datetime,
    met: dt.datetime | None,
    *,
    paused: int = 0,
    breached: dt.datetime | None = None,
) -> None:
    SlaClock.objects.create(
        ticket=ticket,
        metric=metric,
        calendar=cal,
        status=ClockStatus.MET if met else ClockStatus.RUNNING,
        target_minutes=60,
        warning_share=Decimal("0.75"),
        escalate_after_minutes=240,
        started_at=start,
        warn_at=start,
        due_at=start,
        escalate_at=start,
        met_at=met,
        paused_seconds=paused,
        breached_at=breached,
        updated_at=start,
    )


def _ticket(created: dt.datetime, **fields: object) -> Ticket:
    ticket = make_ticket()
    SlaClock.objects.filter(ticket=ticket).delete()  # the default policy's clocks: replaced by hand-set ones
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created, **fields)
    return Ticket.objects.get(pk=ticket.pk)


def _survey(ticket: Ticket, token: str, **ratings: int) -> None:
    Survey.objects.create(
        ticket=ticket,
        token=token,
        status=SurveyStatus.SUBMITTED,
        sent_at=ticket.created_at,
        submitted_at=ticket.created_at,
        **ratings,
    )


def _measure(ticket: Ticket, kind: str) -> PlanMeasure:
    plan = TicketPlan.objects.create(ticket=ticket, number=1, diagnosis="诊断", created_at=ticket.created_at)
    return PlanMeasure.objects.create(plan=plan, kind=kind, amount=Decimal("1"))


def build_world() -> World:
    east = RegionFactory(code="east", name="华东")
    west = RegionFactory(code="west", name="华西")
    team = TeamFactory(region=east, name="华东一组")
    wang = UserFactory(username="wang", role=Role.AGENT, region=east, team=team)
    li = UserFactory(username="li", role=Role.AGENT, region=west)
    zhao = UserFactory(username="zhao", role=Role.TECHNICIAN, region=east, team=team)
    cal = Calendar.objects.create(name="工作日", uses_chinese_holidays=True)

    a = _ticket(at(2025, 10, 1, 8), assignee=wang, team=team, region=east, status=TicketStatus.IN_PROGRESS)
    # Registered on the holiday, the clock had started the evening before (hand-set for the test).
    _clock(a, cal, SlaMetric.FIRST_RESPONSE, at(2025, 9, 30, 17), at(2025, 10, 9, 9, 30), breached=at(2025, 10, 9, 9))
    _survey(a, "tok-a", overall=5, speed=4, attitude=2, professionalism=4, result=5)

    b = _ticket(
        at(2025, 10, 13, 10),
        assignee=wang,
        team=team,
        region=east,
        status=TicketStatus.RESOLVED,
        resolved_at=at(2025, 10, 15, 12),
        responsibility=Responsibility.SUPPLIER,
        responsible_party="华东电机厂",
    )
    _clock(b, cal, SlaMetric.FIRST_RESPONSE, at(2025, 10, 13, 10), at(2025, 10, 13, 10, 45))
    _clock(b, cal, SlaMetric.RESOLUTION, at(2025, 10, 13, 10), at(2025, 10, 15, 12), paused=3 * 3600)
    _survey(b, "tok-b", overall=3, speed=3, attitude=4, professionalism=3, result=3)
    TicketEvent.objects.create(
        ticket=b, kind=EventKind.STATUS_CHANGED, data={"from": "resolved", "to": "reopened"}, created_at=at(2025, 10, 16, 9)
    )

    c = _ticket(at(2025, 10, 11, 9), assignee=wang, team=team, region=east, status=TicketStatus.IN_PROGRESS)
    _clock(c, cal, SlaMetric.FIRST_RESPONSE, at(2025, 10, 11, 9), at(2025, 10, 11, 11))

    d = _ticket(at(2025, 10, 14, 9), assignee=li, region=west, status=TicketStatus.IN_PROGRESS)
    _clock(d, cal, SlaMetric.FIRST_RESPONSE, at(2025, 10, 14, 9), at(2025, 10, 14, 9, 10))

    job_b = WorkOrder.objects.create(
        number="WO-B",
        ticket=b,
        kind=WorkOrderKind.ONSITE_REPAIR,
        status=WorkOrderStatus.DONE,
        technician=zhao,
        region=east,
        appointment_start=at(2025, 10, 14, 9),
        appointment_end=at(2025, 10, 14, 12),
        checked_in_at=at(2025, 10, 14, 11),
        completed_at=at(2025, 10, 14, 13),
        labour_hours=Decimal("1.5"),
        cost_parts=Decimal("100"),
        cost_labour=Decimal("50"),
        cost_travel=Decimal("20"),
        created_at=at(2025, 10, 13, 11),
        updated_at=at(2025, 10, 14, 13),
    )
    WorkOrderChargeLine.objects.create(
        work_order=job_b,
        kind=ChargeLineKind.PART,
        description="电机",
        quantity=Decimal("2"),
        unit_cost=Decimal("50"),
        cost_amount=Decimal("100"),
        unit_price=Decimal("0"),
        charge_amount=Decimal("0"),
        free=True,
        reason="保修期内",
    )
    WorkOrder.objects.create(
        number="WO-C",
        ticket=c,
        kind=WorkOrderKind.ONSITE_REPAIR,
        status=WorkOrderStatus.CUSTOMER_ACCEPTED,
        technician=zhao,
        region=east,
        appointment_start=at(2025, 10, 14, 9),
        appointment_end=at(2025, 10, 14, 12),
        checked_in_at=at(2025, 10, 14, 12, 30),
        completed_at=at(2025, 10, 14, 14),
        labour_hours=Decimal("2"),
        created_at=at(2025, 10, 13, 12),
        updated_at=at(2025, 10, 14, 14),
    )

    unit_b, unit_c = ProductUnitFactory(), ProductUnitFactory()
    Ticket.objects.filter(pk=b.pk).update(product_unit=unit_b)
    Ticket.objects.filter(pk=c.pk).update(product_unit=unit_c)
    _ticket(at(2025, 11, 5, 10), product_unit=unit_b, status=TicketStatus.CLOSED)  # E: B's unit fails again

    unit = ProductUnitFactory()
    purchase = Purchase.objects.create(
        unit=unit, price_paid=Decimal("3000"), purchased_on=dt.date(2025, 9, 1), recorded_at=a.created_at
    )
    Refund.objects.create(
        number="RF-A",
        ticket=a,
        measure=_measure(a, MeasureKind.REFUND),
        customer=a.customer,
        status=FulfilmentStatus.PAID,
        amount=Decimal("300"),
        requested_at=a.created_at,
        updated_at=a.created_at,
        purchase=purchase,
        price=Decimal("3000"),
        purchased_on=dt.date(2025, 9, 1),
        returned_on=dt.date(2025, 10, 1),
        days_used=30,
        daily_rate=Decimal("0.001"),
        depreciation=Decimal("90"),
        method="original",
    )
    Compensation.objects.create(
        number="CP-C",
        ticket=c,
        measure=_measure(c, MeasureKind.COMPENSATION),
        customer=c.customer,
        status=FulfilmentStatus.DONE,
        amount=Decimal("80"),
        requested_at=c.created_at,
        updated_at=c.created_at,
        kind=CompensationKind.CASH,
    )
    return World(east=east, west=west, team=team, wang=wang, li=li, zhao=zhao, a=a, b=b, c=c, d=d)


def staff(role: str, scope: str, region: Region | None = None, team: Team | None = None, **kwargs: object) -> User:
    return UserFactory(role=role, data_scope=scope, region=region, team=team, **kwargs)


__all__ = ["DataScope", "Role", "World", "at", "build_world", "staff"]
