"""Facts per ticket and per work order, computed from the source apps (the only place analytics
reads tickets, clocks, surveys, work orders, refunds and compensation in bulk).

Definitions (docs/kpis.md):

* first-response and resolution time: the SLA clock's business time on its own calendar
  (working hours, Chinese public holidays and make-up days, the administrator's days), from the
  clock's start to the moment it was met, less the working time it was paused; after a
  reopening the resolution clock restarts, so it measures the second round;
* an SLA metric is *met* when its clock was met and never breached, *missed* when it was
  breached, undecided otherwise;
* a ticket is *reopened* (二次处理) when its timeline holds a move to "reopened";
* its ratings are those of its latest answered survey; its complaint is an attitude rating of 1
  or 2 (the complaints about a person recorded on revisit calls count against that person, not
  a ticket: ``complaints.py``);
* its cost: parts, labour and travel cost of its work orders that were not cancelled, refunds
  and compensation paid or done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from aftersales.accounts.models import DataScope, Role, User
from aftersales.compensation.models import Compensation, FulfilmentStatus, Refund
from aftersales.feedback.models import Survey
from aftersales.fieldservice.ftf import repairs
from aftersales.fieldservice.models import ChargeLineKind, WorkOrder, WorkOrderChargeLine, WorkOrderStatus
from aftersales.sla.calendar import BusinessCalendar, business_time_between
from aftersales.sla.models import Calendar, ClockStatus
from aftersales.sla.selectors import calendar_spec
from aftersales.tickets.models import Ticket, TicketEvent

from ..models import JobFact

PAID = (FulfilmentStatus.PAID, FulfilmentStatus.DONE)
DONE_JOBS = (WorkOrderStatus.DONE, WorkOrderStatus.CUSTOMER_ACCEPTED)
ZERO = Decimal("0")


def local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


@dataclass(frozen=True)
class TicketSet:
    """The tickets a refresh step covers: a list of ids, or — for the full refresh's key-ordered
    chunks — the span of ids from ``low`` to ``high`` (range conditions on the ticket indexes
    instead of lists of thousands of parameters)."""

    ids: tuple[int, ...] = ()
    low: int | None = None
    high: int | None = None

    @classmethod
    def of(cls, ids: Iterable[int]) -> TicketSet:
        return cls(ids=tuple(ids))

    @classmethod
    def span(cls, low: int, high: int) -> TicketSet:
        return cls(low=low, high=high)

    def q(self, field: str) -> Q:
        """This set as a condition on ``field`` (a ticket id)."""
        if self.low is not None and self.high is not None:
            return Q(**{f"{field}__gte": self.low, f"{field}__lte": self.high})
        return Q(**{f"{field}__in": self.ids})


class Calendars:
    """The business calendars met during one refresh, each read once."""

    def __init__(self) -> None:
        self._specs: dict[int, BusinessCalendar] = {}

    def get(self, calendar_id: int) -> BusinessCalendar:
        if calendar_id not in self._specs:
            self._specs[calendar_id] = calendar_spec(calendar=Calendar.objects.get(pk=calendar_id))
        return self._specs[calendar_id]


def clock_business_seconds(cal: BusinessCalendar, started_at: dt.datetime, met_at: dt.datetime, paused: int) -> int:
    """Working seconds from start to met on the calendar, less the paused working time."""
    return max(0, int(business_time_between(cal, started_at, met_at).total_seconds()) - int(paused))


def _clock_outcome(status: str, breached_at: dt.datetime | None) -> bool | None:
    if breached_at is not None:
        return False
    if status == ClockStatus.MET:
        return True
    return None


def compute_job_facts(tickets: TicketSet, *, now: dt.datetime) -> list[JobFact]:
    """The facts of every work order of these tickets.

    On time: checked in no later than the end of the appointment window (jobs without both are
    not counted). First-time fix: ``first_time_fix_of`` (``fieldservice.ftf``'s rule).
    """
    orders: list[dict[str, Any]] = [
        dict(o)
        for o in WorkOrder.objects.filter(tickets.q("ticket_id"))
        .order_by("ticket_id", "created_at", "pk")
        .values(
            "pk",
            "number",
            "ticket_id",
            "ticket__number",
            "created_at",
            "status",
            "technician_id",
            "technician__team_id",
            "region_id",
            "ticket__region_id",
            "appointment_end",
            "checked_in_at",
            "completed_at",
            "labour_hours",
        )
    ]
    parts: dict[int, Decimal] = {
        row["work_order_id"]: row["q"] or ZERO
        for row in WorkOrderChargeLine.objects.filter(tickets.q("work_order__ticket_id"), kind=ChargeLineKind.PART)
        .order_by()
        .values("work_order_id")
        .annotate(q=Sum("quantity"))
    }
    ftf = first_time_fix_of(tickets)
    facts = []
    for o in orders:
        on_time = None
        if o["appointment_end"] is not None and o["checked_in_at"] is not None:
            on_time = o["checked_in_at"] <= o["appointment_end"]
        facts.append(
            JobFact(
                work_order_id=o["pk"],
                number=o["number"],
                ticket_key=o["ticket_id"],
                ticket_number=o["ticket__number"],
                day=local_day(o["created_at"]),
                technician_key=o["technician_id"] or 0,
                team_key=o["technician__team_id"] or 0,
                region_key=o["region_id"] or o["ticket__region_id"] or 0,
                done=o["status"] in DONE_JOBS,
                on_time=on_time,
                first_time_fix=ftf.get(o["pk"]),
                labour_hours=o["labour_hours"] or ZERO,
                parts_quantity=parts.get(o["pk"], ZERO),
                computed_at=now,
            )
        )
    return facts


def first_time_fix_of(tickets: TicketSet) -> dict[int, bool]:
    """Per repair of these tickets: fixed the first time? ``fieldservice.ftf``'s rule — a finished
    repair of a registered unit is fixed the first time when the unit gets no new fault ticket
    within ``QUALITY_FTF_WINDOW_DAYS`` after it was completed. Other jobs are left out (None)."""
    reader = User(username="analytics-job", is_superuser=True, is_active=True, role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    rows = repairs(user=reader).filter(tickets.q("ticket_id")).values_list("pk", "repeated")  # type: ignore[misc]
    return {pk: not repeated for pk, repeated in rows}


def same_unit_ticket_ids(ticket_ids: set[int]) -> set[int]:
    """The other tickets of the units of these tickets: a new fault ticket on a unit changes
    whether that unit's earlier repairs were fixed the first time."""
    units = set(Ticket.objects.filter(pk__in=ticket_ids, product_unit__isnull=False).values_list("product_unit_id", flat=True))
    if not units:
        return set()
    return set(Ticket.objects.filter(product_unit_id__in=units).values_list("pk", flat=True))


def changed_ticket_ids(*, since_event: int, since: dt.datetime | None) -> set[int]:
    """Tickets touched since the last refresh: a timeline event after ``since_event``, or a
    survey answered, a work order or a refund/compensation changed after ``since``."""
    ids = set(TicketEvent.objects.filter(pk__gt=since_event).values_list("ticket_id", flat=True).distinct())
    if since is not None:
        ids |= set(Survey.objects.filter(Q(submitted_at__gte=since) | Q(sent_at__gte=since)).values_list("ticket_id", flat=True))
        ids |= set(WorkOrder.objects.filter(updated_at__gte=since).values_list("ticket_id", flat=True))
        ids |= set(Refund.objects.filter(updated_at__gte=since).values_list("ticket_id", flat=True))
        ids |= set(Compensation.objects.filter(updated_at__gte=since).values_list("ticket_id", flat=True))
    return ids
