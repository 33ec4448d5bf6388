"""The refresh as it was before it was batched (one transaction, per-fact Python for the staff
days), kept verbatim as the reference the batched, set-based refresh must equal row for row."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from aftersales.accounts.models import Role
from aftersales.analytics.models import (
    BacklogCell,
    JobFact,
    MonthChannel,
    MonthModel,
    MonthTotal,
    StaffDay,
    StaffKind,
    TicketFact,
)
from aftersales.analytics.services.cubes import rebuild_months
from aftersales.analytics.services.facts import (
    PAID,
    ZERO,
    Calendars,
    TicketSet,
    _clock_outcome,
    clock_business_seconds,
    compute_job_facts,
    local_day,
)
from aftersales.analytics.services.rollups import RATING_FIELDS, minute_key, month_of, rebuild_backlog
from aftersales.compensation.models import Compensation, Refund
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.revisits.models import StaffComplaint
from aftersales.sla.models import ClockStatus, SlaClock, SlaMetric
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.states import TicketStatus

BATCH = 500


# --- The per-ticket facts, as computed before the set-based INSERT … SELECT (verbatim) ---------


def _sums(qs: Any, fields: Iterable[str]) -> dict[int, dict[str, Decimal]]:
    out: dict[int, dict[str, Decimal]] = {}
    names = list(fields)
    for row in qs.order_by().values("ticket_id").annotate(**{f"s_{n}": Sum(n) for n in names}):
        out[row["ticket_id"]] = {n: row[f"s_{n}"] or ZERO for n in names}
    return out


def compute_ticket_facts(ticket_ids: list[int], *, calendars: Calendars, now: dt.datetime) -> list[TicketFact]:
    """The facts of these tickets (tickets that no longer exist are left out)."""
    tickets = list(
        Ticket.objects.filter(pk__in=ticket_ids).values(
            "pk",
            "number",
            "created_at",
            "resolved_at",
            "status",
            "channel",
            "assignee_id",
            "team_id",
            "region_id",
            "category_id",
            "product_model_id",
            "product_unit__model_id",
            "responsibility",
            "responsible_party",
        )
    )
    ids = [t["pk"] for t in tickets]
    clocks: dict[int, dict[str, tuple[int | None, bool | None]]] = defaultdict(dict)
    for c in SlaClock.objects.filter(ticket_id__in=ids).values(
        "ticket_id", "metric", "calendar_id", "status", "started_at", "met_at", "paused_seconds", "breached_at"
    ):
        seconds = None
        if c["status"] == ClockStatus.MET and c["met_at"] is not None:
            seconds = clock_business_seconds(calendars.get(c["calendar_id"]), c["started_at"], c["met_at"], c["paused_seconds"])
        clocks[c["ticket_id"]][c["metric"]] = (seconds, _clock_outcome(c["status"], c["breached_at"]))
    reopened = set(
        TicketEvent.objects.filter(ticket_id__in=ids, kind=EventKind.STATUS_CHANGED, data__to=TicketStatus.REOPENED)
        .values_list("ticket_id", flat=True)
        .distinct()
    )
    surveys: dict[int, dict[str, Any]] = {}
    for s in (
        Survey.objects.filter(ticket_id__in=ids, status=SurveyStatus.SUBMITTED)
        .order_by("ticket_id", "submitted_at", "pk")
        .values("ticket_id", "overall", "speed", "attitude", "professionalism", "result")
    ):
        surveys[s["ticket_id"]] = dict(s)  # the latest answered survey wins
    work = _sums(
        WorkOrder.objects.filter(ticket_id__in=ids).exclude(status=WorkOrderStatus.CANCELLED),
        ("cost_parts", "cost_labour", "cost_travel"),
    )
    refunds = _sums(Refund.objects.filter(ticket_id__in=ids, status__in=PAID), ("amount",))
    compensations = _sums(Compensation.objects.filter(ticket_id__in=ids, status__in=PAID), ("amount",))
    facts = []
    for t in tickets:
        pk = t["pk"]
        fr = clocks[pk].get(SlaMetric.FIRST_RESPONSE, (None, None))
        sol = clocks[pk].get(SlaMetric.SOLUTION, (None, None))
        res = clocks[pk].get(SlaMetric.RESOLUTION, (None, None))
        survey = surveys.get(pk, {})
        attitude = survey.get("attitude")
        w = work.get(pk, {})
        parts, labour, travel = w.get("cost_parts", ZERO), w.get("cost_labour", ZERO), w.get("cost_travel", ZERO)
        refund = refunds.get(pk, {}).get("amount", ZERO)
        compensation = compensations.get(pk, {}).get("amount", ZERO)
        facts.append(
            TicketFact(
                ticket_id=pk,
                number=t["number"],
                day=local_day(t["created_at"]),
                resolved_day=local_day(t["resolved_at"]) if t["resolved_at"] else None,
                status=t["status"],
                channel=t["channel"],
                assignee_key=t["assignee_id"] or 0,
                team_key=t["team_id"] or 0,
                region_key=t["region_id"] or 0,
                category_key=t["category_id"] or 0,
                model_key=t["product_model_id"] or t["product_unit__model_id"] or 0,
                fr_seconds=fr[0],
                fr_met=fr[1],
                solution_met=sol[1],
                res_seconds=res[0],
                res_met=res[1],
                reopened=pk in reopened,
                overall=survey.get("overall"),
                speed=survey.get("speed"),
                attitude=attitude,
                professionalism=survey.get("professionalism"),
                result=survey.get("result"),
                complaints=1 if attitude is not None and attitude <= 2 else 0,  # a person's revisit complaints: staff days
                cost_parts=parts,
                cost_labour=labour,
                cost_travel=travel,
                cost_refund=refund,
                cost_compensation=compensation,
                cost_total=parts + labour + travel + refund + compensation,
                responsibility=t["responsibility"] or "",
                responsible_party=t["responsible_party"] or "",
                computed_at=now,
            )
        )
    return facts


# --- The old refresh -------------------------------------------------------------------------


def reference_staff_days(days: list[dt.date]) -> list[StaffDay]:
    rows: dict[tuple[Any, ...], StaffDay] = {}

    def row(key: tuple[Any, ...]) -> StaffDay:
        if key not in rows:
            day, kind, user, team, region = key
            rows[key] = StaffDay(
                day=day, kind=kind, user_key=user, team_key=team, region_key=region, fr_minutes={}, res_minutes={}, ratings={}
            )
        return rows[key]

    for f in TicketFact.objects.filter(day__in=days, assignee_key__gt=0):
        r = row((f.day, StaffKind.AGENT, f.assignee_key, f.team_key, f.region_key))
        r.handled += 1
        r.resolved += f.resolved_day is not None
        r.reopened += f.reopened
        r.complaints += f.complaints
        for met, n_name, met_name in (
            (f.fr_met, "fr_n", "fr_met"),
            (f.solution_met, "solution_n", "solution_met"),
            (f.res_met, "res_n", "res_met"),
        ):
            if met is not None:
                setattr(r, n_name, getattr(r, n_name) + 1)
                setattr(r, met_name, getattr(r, met_name) + int(met))
        if f.fr_seconds is not None:
            key = minute_key(f.fr_seconds)
            r.fr_minutes[key] = r.fr_minutes.get(key, 0) + 1
        if f.res_seconds is not None:
            key = minute_key(f.res_seconds)
            r.res_minutes[key] = r.res_minutes.get(key, 0) + 1
        if f.overall is not None:
            r.surveys += 1
            r.promoters += f.overall == 5
            r.detractors += f.overall <= 3
        for name in RATING_FIELDS:
            value = getattr(f, name)
            if value is not None:
                total, n = r.ratings.get(name, [0, 0])
                r.ratings[name] = [total + value, n + 1]
    for j in JobFact.objects.filter(day__in=days, technician_key__gt=0):
        r = row((j.day, StaffKind.TECHNICIAN, j.technician_key, j.team_key, j.region_key))
        r.jobs += 1
        r.jobs_done += j.done
        if j.on_time is not None:
            r.on_time_n += 1
            r.on_time += j.on_time
        if j.first_time_fix is not None:
            r.ftf_n += 1
            r.ftf += j.first_time_fix
        r.labour_hours += j.labour_hours
        r.parts_quantity += j.parts_quantity
    # A technician's satisfaction: each surveyed ticket once, on the day of their first job on it.
    seen: set[tuple[int, int]] = set()
    for j in JobFact.objects.filter(technician_key__gt=0).order_by("day", "work_order_id"):
        if (j.technician_key, j.ticket_key) in seen:
            continue
        seen.add((j.technician_key, j.ticket_key))
        f = TicketFact.objects.filter(pk=j.ticket_key).first()
        if j.day not in days or f is None or f.overall is None:
            continue
        r = row((j.day, StaffKind.TECHNICIAN, j.technician_key, j.team_key, j.region_key))
        r.surveys += 1
        r.promoters += f.overall == 5
        r.detractors += f.overall <= 3
        for name in RATING_FIELDS:
            value = getattr(f, name)
            if value is not None:
                total, n = r.ratings.get(name, [0, 0])
                r.ratings[name] = [total + value, n + 1]
    # Complaints recorded on revisit calls: against the person, on the day recorded.
    for c in StaffComplaint.objects.select_related("staff", "ticket", "revisit"):
        day = local_day(c.created_at)
        if day not in days:
            continue
        kind = StaffKind.TECHNICIAN if c.staff.role == Role.TECHNICIAN else StaffKind.AGENT
        region = (c.ticket.region_id if c.ticket else None) or (c.revisit.region_id if c.revisit else None) or c.staff.region_id
        row((day, kind, c.staff_id, c.staff.team_id or 0, region or 0)).complaints += 1
    return list(rows.values())


def reference_full_refresh(*, now: dt.datetime) -> None:
    """The old ``analytics_refresh(full=True)``: every ticket, one transaction."""
    with transaction.atomic():
        calendars = Calendars()
        ordered = sorted(Ticket.objects.values_list("pk", flat=True))
        days: set[dt.date] = set()
        TicketFact.objects.all().delete()
        JobFact.objects.all().delete()
        for start in range(0, len(ordered), BATCH):
            chunk = ordered[start : start + BATCH]
            facts = compute_ticket_facts(chunk, calendars=calendars, now=now)
            jobs = compute_job_facts(TicketSet.of(chunk), now=now)
            TicketFact.objects.bulk_create(facts)
            JobFact.objects.bulk_create(jobs)
            days |= {f.day for f in facts} | {j.day for j in jobs}
        days |= {local_day(t) for t in StaffComplaint.objects.values_list("created_at", flat=True)}
        StaffDay.objects.all().delete()
        StaffDay.objects.bulk_create(reference_staff_days(sorted(days)))
        for model in (MonthTotal, MonthChannel, MonthModel):
            model.objects.all().delete()
        rebuild_months({month_of(d) for d in days})
        rebuild_backlog(now=now)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every analytics row, without surrogate ids, sorted: two refreshes are equal when these are."""

    def rows(model: Any, skip: tuple[str, ...] = ("id",)) -> list[tuple[Any, ...]]:
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        return sorted((tuple(_plain(v) for v in r) for r in model.objects.values_list(*names)), key=repr)

    return {
        "ticket_facts": rows(TicketFact, skip=()),
        "job_facts": rows(JobFact, skip=()),
        "staff_days": rows(StaffDay),
        "month_totals": rows(MonthTotal),
        "month_channels": rows(MonthChannel),
        "month_models": rows(MonthModel),
        "backlog": rows(BacklogCell),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def histogram_quantiles(hist: Mapping[int, int]) -> tuple[float | None, float | None]:
    """(median, p90) of the values counted in ``hist`` (value → count): the definition the
    database computes in ``analytics.selectors.histograms`` (docs/kpis.md).

    Median: the middle value, or the mean of the two middle values for an even count. p90: the
    nearest rank, the ⌈0.9·n⌉-th smallest value.
    """
    n = sum(hist.values())
    if not n:
        return None, None
    ordered = sorted(hist.items())

    def nth(rank: int) -> int:  # 1-based
        seen = 0
        for value, count in ordered:
            seen += count
            if seen >= rank:
                return value
        return ordered[-1][0]

    median = float(nth((n + 1) // 2)) if n % 2 else (nth(n // 2) + nth(n // 2 + 1)) / 2
    return median, float(nth(math.ceil(0.9 * n)))
