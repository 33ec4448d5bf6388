"""A period of the quality figures and the summary rows it reads.

A period counts whole weeks: the weeks whose Monday falls from monday(since) to until — from the
Monday of the first day's week to the Sunday of the last day's (``covered_dates``), as the p-chart
and ``FaultCount`` count them. Its figures read the month rows of the months it covers whole and the
week rows of the weeks at its edges (``period_plan``, ``period_q``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .models import SummaryGrain
from .rollup import monday, next_month

DateRange = tuple[dt.date | None, dt.date | None]  # inclusive; None: open


def period_plan(since: dt.date | None, until: dt.date | None) -> tuple[DateRange | None, list[DateRange]]:
    """How a period is read: the months it covers whole (the weeks whose Monday falls in them;
    None: no whole month) and the weeks at its edges (ranges of Mondays). The weeks of a period are
    those with monday(since) ≤ week ≤ until, as ``_counts`` filters them: the period's days cut to
    whole weeks (``covered_dates``), as the p-chart counts them."""
    lo = monday(since) if since else None
    hi = until
    m_lo = None if lo is None else (lo.replace(day=1) if lo.day <= 7 else next_month(lo.replace(day=1)))
    m_hi = None
    if hi is not None:
        last_monday = monday(next_month(hi.replace(day=1)) - dt.timedelta(days=1))
        m_hi = hi.replace(day=1) if last_monday <= hi else (hi.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if m_lo is not None and m_hi is not None and m_lo > m_hi:  # no whole month: the weeks only
        return None, [(lo, hi)]
    edges: list[DateRange] = []
    if lo is not None and m_lo is not None and lo < m_lo:
        edges.append((lo, m_lo - dt.timedelta(days=1)))
    if hi is not None and m_hi is not None and next_month(m_hi) <= hi:
        edges.append((next_month(m_hi), hi))
    return (m_lo, m_hi), edges


def between(start: dt.date | None, end: dt.date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(period__gte=start)
    if end is not None:
        q &= Q(period__lte=end)
    return q


def months_q(months: DateRange | None) -> Q:
    return Q(grain=SummaryGrain.MONTH) & between(*months) if months is not None else Q(pk__in=[])


def period_q(since: dt.date | None, until: dt.date | None) -> Q:
    """The summary rows of a period: its whole months' rows and its edge weeks' rows."""
    months, edges = period_plan(since, until)
    q = months_q(months)
    for start, end in edges:
        q |= Q(grain=SummaryGrain.WEEK) & between(start, end)
    return q


def covered_dates(since: dt.date | None, until: dt.date | None) -> DateRange:
    """The days a period's figures count: from the Monday of ``since``'s week to the Sunday of
    ``until``'s week (None: open)."""
    first = monday(since) if since else None
    last = monday(until) + dt.timedelta(days=6) if until else None
    return first, last
