"""URLs of the tickets behind a figure: the analytics drill-down (exact: the period, the person
and the metric), and the staff ticket list with the filters it supports (assignee, team, region,
category, channel, status; it has no date filter, so that link shows every period)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.urls import reverse

from .selectors.common import Period


def drill_url(period: Period, metric: str, *, staff: bool = True, **keys: object) -> str:
    params: dict[str, object] = {"from": period.start.isoformat(), "to": period.end.isoformat(), "metric": metric}
    if not staff:
        params["view"] = "tickets"
    params.update({k: v for k, v in keys.items() if v is not None and v != ""})
    return f"{_drill_path()}?{urlencode(params)}"


@lru_cache(maxsize=1)
def _drill_path() -> str:
    return reverse("analytics:drill")  # once per process: a KPI page has a dozen links per row


def ticket_list_url(**filters: object) -> str:
    params = {"status": "all", **{k: v for k, v in filters.items() if v is not None and v != ""}}
    return f"{reverse('tickets:list')}?{urlencode(params)}"
