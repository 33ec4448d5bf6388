"""URLs of the tickets behind a figure: the analytics drill-down (exact: the period, the person
and the metric), and the staff ticket list with the filters it supports (assignee, team, region,
category, channel, status, SLA state, and the registration time the backlog's age bands need)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from .selectors.common import Period
from .services.rollups import band_bounds


def drill_url(period: Period, metric: str, *, staff: bool = True, **keys: object) -> str:
    params: dict[str, object] = {"from": period.start.isoformat(), "to": period.end.isoformat(), "metric": metric}
    if not staff:
        params["view"] = "tickets"
    params.update({k: v for k, v in keys.items() if v is not None and v != ""})
    return f"{_drill_path()}?{urlencode(params)}"


@lru_cache(maxsize=1)
def _drill_path() -> str:
    return reverse("analytics:drill")  # once per process: a KPI page has a dozen links per row


def fault_tickets_url(period: Period, *, model: int, region: int | None = None) -> str:
    """The quality page listing a model's fault tickets in ``period`` (the management page's top
    faults count them as the quality pages do: ``quality.selectors.fault_counts_by_model``)."""
    query: dict[str, object] = {"model": model, "since": period.start.isoformat(), "until": period.end.isoformat()}
    if region:
        query["region"] = region
    return reverse("quality:tickets") + "?" + urlencode(query)


def ticket_list_url(**filters: object) -> str:
    params = {"status": "all", **{k: v for k, v in filters.items() if v is not None and v != ""}}
    return f"{reverse('tickets:list')}?{urlencode(params)}"


def local_moment(value: dt.datetime) -> str:
    """A moment as the ticket list's ``created_after`` / ``created_before`` read it: local time to
    the second, without an offset (``2026-12-06T09:53:12``)."""
    return timezone.localtime(value).replace(tzinfo=None).isoformat(timespec="seconds")


def backlog_cell_url(
    *, at: dt.datetime, band: int, status: str = "open", sla: str = "", region: int | None = None, category: int | None = None
) -> str:
    """The ticket list of one backlog cell: the open tickets of ``status`` (and SLA state
    ``sla``) registered within age band ``band`` as of the backlog's count ``at`` — the list's
    total is the cell's figure while nothing has changed since the count."""
    low, high = band_bounds(at, band)
    return ticket_list_url(
        status=status,
        sla=sla,
        created_after=local_moment(low) if low is not None else None,
        created_before=local_moment(high) if high is not None else None,
        region=region,
        category=category,
    )
