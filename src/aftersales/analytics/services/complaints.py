"""Complaints about a person recorded on revisit calls (``revisits.StaffComplaint``), counted
against the person complained about (``StaffComplaint.staff``), not against a ticket's assignee.

A complaint counts on the day it was recorded (Asia/Shanghai), in the staff days of its person:
a technician's among the technicians' figures, anybody else's among the agents'; under the
person's team and the region of the complaint's ticket, else its revisit's, else the person's (0
for none). It needs no ticket: a complaint raised on a periodic revisit counts too. Survey
complaints (an attitude rating of 1 or 2) stay with the ticket's handler (``TicketFact``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import BigIntegerField, Case, CharField, Count, F, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from aftersales.accounts.models import Role
from aftersales.revisits.models import StaffComplaint

from ..models import StaffKind

# The staff-day key of a complaint (``rollups.STAFF_KEY`` with the kind).
COMPLAINT_KEY = {
    "kind": Case(
        When(staff__role=Role.TECHNICIAN, then=Value(StaffKind.TECHNICIAN.value)),
        default=Value(StaffKind.AGENT.value),
        output_field=CharField(),
    ),
    "user_key": F("staff_id"),
    "team_key": Coalesce(F("staff__team_id"), Value(0), output_field=BigIntegerField()),
    "region_key": Coalesce(
        F("ticket__region_id"), F("revisit__region_id"), F("staff__region_id"), Value(0), output_field=BigIntegerField()
    ),
}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def complaints_between(start: dt.date, end: dt.date) -> QuerySet[StaffComplaint]:
    """The complaints recorded from local day ``start`` to ``end`` (inclusive), each annotated
    with ``c_day`` and its staff-day key (``c_kind``, ``c_user_key``, ``c_team_key``,
    ``c_region_key``)."""
    tz = timezone.get_current_timezone()
    return (
        StaffComplaint.objects.filter(created_at__gte=_midnight(start), created_at__lt=_midnight(end + dt.timedelta(days=1)))
        .order_by()
        .annotate(c_day=TruncDate("created_at", tzinfo=tz), **{f"c_{k}": v for k, v in COMPLAINT_KEY.items()})
    )


def complaint_groups(days: list[dt.date]) -> QuerySet[Any]:
    """Per day × kind × person × team × region of these days: how many complaints (``n``)."""
    if not days:
        return StaffComplaint.objects.none().values("pk")
    return (
        complaints_between(min(days), max(days))
        .filter(Q(c_day__in=days))  # an annotation: a Q (the type checker knows only fields)
        .values("c_day", *(f"c_{k}" for k in COMPLAINT_KEY))
        .annotate(n=Count("pk"))
    )


def complaint_days_since(since: dt.datetime) -> set[dt.date]:
    """The local days of the complaints recorded since ``since`` (their staff days to rebuild)."""
    return {
        timezone.localtime(t).date()
        for t in StaffComplaint.objects.filter(created_at__gte=since).values_list("created_at", flat=True)
    }


def next_complaint_day(after: dt.date | None) -> dt.date | None:
    """The first local day after ``after`` on which a complaint was recorded."""
    qs = StaffComplaint.objects.all()
    if after is not None:
        qs = qs.filter(created_at__gte=_midnight(after + dt.timedelta(days=1)))
    first = qs.aggregate(first=Min("created_at"))["first"]
    return None if first is None else timezone.localtime(first).date()
