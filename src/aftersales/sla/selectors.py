"""Reads for service levels: policies, calendars, clocks, tickets at risk."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from aftersales.accounts.models import User
from aftersales.core.precompiled import PreparedQuery
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import tickets_visible_to

from .calendar import BusinessCalendar, parse_hours
from .calendar_cache import calendar_days
from .models import Calendar, ClockStatus, SlaClock, SlaPolicy


def calendar_spec(*, calendar: Calendar) -> BusinessCalendar:
    """The pure-arithmetic view of ``calendar``, with every override day the administrator entered
    (cached under the calendar's ``days_version``: no query once read, ``calendar_cache``)."""
    return BusinessCalendar(
        tz=ZoneInfo(calendar.timezone),
        hours=parse_hours(calendar.working_hours or {}),
        overrides=calendar_days(calendar),
        chinese_holidays=calendar.uses_chinese_holidays,
        always_open=calendar.is_24x7,
    )


def sla_policy_for(*, priority: int | None, customer_tier: str) -> SlaPolicy | None:
    """The most specific active policy: priority and tier, then priority, then tier, then any.

    Ties go to the lower ``position``, then the lower id.
    """
    candidates = (
        SlaPolicy.objects.filter(active=True)
        .filter(Q(priority__isnull=True) | Q(priority=priority))
        .filter(Q(customer_tier="") | Q(customer_tier=customer_tier))
        .select_related("calendar")
    )
    ranked = sorted(candidates, key=lambda p: (-p.specificity, p.position, p.pk))
    return ranked[0] if ranked else None


def sla_clocks_for_ticket(*, ticket: Ticket) -> list[SlaClock]:
    """The ticket's clocks in metric order (first response, solution, resolution)."""
    order = {"first_response": 0, "solution": 1, "resolution": 2}
    clocks = _CLOCKS.list(ticket_id=ticket.pk)
    return sorted(clocks, key=lambda c: order.get(c.metric, 9))


_CLOCKS = PreparedQuery(lambda ticket_id: SlaClock.objects.filter(ticket_id=ticket_id).select_related("policy", "calendar"))


def tickets_sla_at_risk(*, user: User, now: dt.datetime) -> QuerySet[Ticket]:
    """Tickets ``user`` may see with a running clock that is warned, breached or past its warning
    time, soonest deadline first (annotated ``sla_next_due``)."""
    risky = SlaClock.objects.filter(ticket=OuterRef("pk"), status=ClockStatus.RUNNING).filter(
        Q(warned_at__isnull=False) | Q(breached_at__isnull=False) | Q(warn_at__lte=now)
    )
    return (
        tickets_visible_to(user)
        .filter(Exists(risky))
        .annotate(
            sla_next_due=Min("sla_clocks__due_at", filter=Q(sla_clocks__status=ClockStatus.RUNNING)),
        )
        .select_related("customer", "assignee")
        .order_by("sla_next_due", "pk")
    )


def sla_clock_ids_needing_check(*, now: dt.datetime, limit: int = 500) -> list[int]:
    """Running clocks whose warning, breach or escalation time has passed without its mark."""
    due = (
        Q(warned_at__isnull=True, warn_at__lte=now)
        | Q(breached_at__isnull=True, due_at__lte=now)
        | Q(breached_at__isnull=False, escalated_at__isnull=True, escalate_at__lte=now)
    )
    return list(
        SlaClock.objects.filter(status=ClockStatus.RUNNING)
        .filter(due)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
