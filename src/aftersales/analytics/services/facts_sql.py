"""The ticket facts of a chunk of tickets, computed and written by the database in one statement:
``INSERT INTO analytics_ticketfact … SELECT … FROM tickets_ticket … ON CONFLICT (ticket_id) DO
UPDATE`` (PostgreSQL and SQLite ≥ 3.24 both speak it). The SELECT is a Django queryset compiled
for the connection's backend, so the dates are cut in the current time zone and the JSON lookups
are the backend's own. Only the business-time durations need Python (the SLA calendar): they are
computed for the met clocks and written with one ``bulk_update``.

The definitions are those of ``facts`` (docs/kpis.md); tests check every column against the
per-ticket computation they replaced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from aftersales.compensation.models import Compensation, Refund
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.sla.models import ClockStatus, SlaClock, SlaMetric
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.states import TicketStatus

from ..models import TicketFact
from .facts import PAID, Calendars, TicketSet, clock_business_seconds

MONEY: DecimalField[Any, Any] = DecimalField(max_digits=14, decimal_places=2)
RATINGS = ("overall", "speed", "attitude", "professionalism", "result")
OUTCOME_FIELDS = {SlaMetric.FIRST_RESPONSE: "fr_met", SlaMetric.SOLUTION: "solution_met", SlaMetric.RESOLUTION: "res_met"}


def _zero() -> Value:
    return Value(0, output_field=BigIntegerField())


def _key(field: str, *more: str) -> Coalesce:
    return Coalesce(F(field), *(F(m) for m in more), _zero(), output_field=BigIntegerField())


def _sum(qs: Any, field: str) -> Coalesce:
    total = qs.filter(ticket=OuterRef("pk")).order_by().values("ticket").annotate(s=Sum(field)).values("s")
    return Coalesce(Subquery(total, output_field=MONEY), Value(0, output_field=MONEY), output_field=MONEY)


def _outcome(metric: str) -> Subquery:
    """True met in time, False breached, NULL undecided (or no clock)."""
    clock = (
        SlaClock.objects.filter(ticket=OuterRef("pk"), metric=metric)
        .order_by()
        .annotate(
            o=Case(
                When(breached_at__isnull=False, then=Value(False)),
                When(status=ClockStatus.MET, then=Value(True)),
                default=Value(None),
                output_field=BooleanField(),
            )
        )
        .values("o")[:1]
    )
    return Subquery(clock, output_field=BooleanField())


def _latest_survey(field: str) -> Subquery:
    latest = (
        Survey.objects.filter(ticket=OuterRef("pk"), status=SurveyStatus.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .values(field)[:1]
    )
    return Subquery(latest, output_field=BigIntegerField())


def fact_columns(now: dt.datetime, tickets: TicketSet) -> dict[str, Any]:
    """``TicketFact`` column → its SQL expression over one ``Ticket`` row of ``tickets``."""
    tz = timezone.get_current_timezone()
    costs = {
        "cost_parts": _sum(WorkOrder.objects.exclude(status=WorkOrderStatus.CANCELLED), "cost_parts"),
        "cost_labour": _sum(WorkOrder.objects.exclude(status=WorkOrderStatus.CANCELLED), "cost_labour"),
        "cost_travel": _sum(WorkOrder.objects.exclude(status=WorkOrderStatus.CANCELLED), "cost_travel"),
        "cost_refund": _sum(Refund.objects.filter(status__in=PAID), "amount"),
        "cost_compensation": _sum(Compensation.objects.filter(status__in=PAID), "amount"),
    }
    # Also bounded by the chunk's ids: whether the planner probes per ticket or hashes the
    # subquery, it reads the chunk's events through the ticket index, never the whole timeline.
    reopened = TicketEvent.objects.filter(
        tickets.q("ticket_id"), ticket=OuterRef("pk"), kind=EventKind.STATUS_CHANGED, data__to=TicketStatus.REOPENED
    )
    total: Any = costs["cost_parts"]
    for name in ("cost_labour", "cost_travel", "cost_refund", "cost_compensation"):
        total = total + costs[name]
    return {
        "ticket_id": F("pk"),
        "number": F("number"),
        "day": TruncDate("created_at", tzinfo=tz),
        "resolved_day": TruncDate("resolved_at", tzinfo=tz),
        "status": F("status"),
        "channel": F("channel"),
        "assignee_key": _key("assignee_id"),
        "team_key": _key("team_id"),
        "region_key": _key("region_id"),
        "category_key": _key("category_id"),
        "model_key": _key("product_model_id", "product_unit__model_id"),
        "fr_seconds": Value(None, output_field=BigIntegerField()),
        "res_seconds": Value(None, output_field=BigIntegerField()),
        **{field: _outcome(metric) for metric, field in OUTCOME_FIELDS.items()},
        "reopened": Exists(reopened),
        **{name: _latest_survey(name) for name in RATINGS},
        # A survey complaint about the ticket's handling (the revisits' complaints about a person
        # count against that person: ``complaints.py``).
        "complaints": Case(When(Q(x_attitude__lte=2), then=Value(1)), default=Value(0), output_field=BigIntegerField()),
        **costs,
        "cost_total": ExpressionWrapper(total, output_field=MONEY),
        "responsibility": F("responsibility"),
        "responsible_party": F("responsible_party"),
        "party_key": _key("responsible_party_ref_id"),
        "computed_at": Value(now, output_field=TicketFact._meta.get_field("computed_at")),
    }


def _select(tickets: TicketSet, now: dt.datetime) -> tuple[list[str], str, tuple[Any, ...]]:
    columns = fact_columns(now, tickets)
    qs = Ticket.objects.filter(tickets.q("pk")).order_by()
    # Annotated in dependency order (complaints reads the latest attitude), selected in column order.
    qs = qs.annotate(**{f"x_{name}": expr for name, expr in columns.items() if name != "complaints"})
    qs = qs.annotate(x_complaints=columns["complaints"])
    names = list(columns)
    sql, params = qs.values(*(f"x_{name}" for name in names)).query.sql_with_params()
    return names, sql, params


def upsert_ticket_facts(tickets: TicketSet, *, calendars: Calendars, now: dt.datetime) -> int:
    """Write the facts of these tickets (existing ones replaced); returns how many rows."""
    names, select, params = _select(tickets, now)
    table = TicketFact._meta.db_table
    quote = connection.ops.quote_name
    cols = [str(TicketFact._meta.get_field(n).column) for n in names]  # type: ignore[union-attr]
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in cols if c != "ticket_id")
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in cols)}) {select} "
        f"ON CONFLICT ({quote('ticket_id')}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two dozen correlated subqueries look costly to the planner, whose JIT would then
            # spend seconds compiling a statement that runs in milliseconds (for this
            # transaction only).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        written = cursor.rowcount
    _write_durations(tickets, calendars=calendars)
    return int(written)


def _write_durations(tickets: TicketSet, *, calendars: Calendars) -> None:
    """The business-time durations of the met first-response and resolution clocks."""
    seconds: dict[int, dict[str, int]] = {}
    for c in SlaClock.objects.filter(
        tickets.q("ticket_id"),
        metric__in=(SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION),
        status=ClockStatus.MET,
        met_at__isnull=False,
    ).values("ticket_id", "metric", "calendar_id", "started_at", "met_at", "paused_seconds"):
        field = "fr_seconds" if c["metric"] == SlaMetric.FIRST_RESPONSE else "res_seconds"
        met_at = cast(dt.datetime, c["met_at"])  # filtered: not null
        seconds.setdefault(c["ticket_id"], {})[field] = clock_business_seconds(
            calendars.get(c["calendar_id"]), c["started_at"], met_at, c["paused_seconds"]
        )
    rows = [
        TicketFact(ticket_id=pk, fr_seconds=s.get("fr_seconds"), res_seconds=s.get("res_seconds")) for pk, s in seconds.items()
    ]
    TicketFact.objects.bulk_update(rows, ["fr_seconds", "res_seconds"], batch_size=500)
