"""The overview's figures for one set of filters, computed once per rollup refresh.

The figures change only when the job refreshes the rollup, so they are kept in the cache under
the rollup's refresh time, the day and the filters: the first reader after a refresh computes
them (from ``FaultCount`` and the shipments), everybody else reads them from the cache. The job
computes the unfiltered overview right after each refresh (``warm_overview``).

The page's figures, tables and charts are one cached template fragment (``FRAGMENT``, the
management dashboard's way): ``fragment_key`` holds the same refresh stamp, day and filters, plus
the reader's data scope and the language, so a fragment drawn for one scope or language is never
served to another, and the job's next refresh makes every one of them stale."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TypeVar

from django.core.cache import cache

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.tickets.selectors.scope import sees_every_ticket

from . import by_model, statistics
from .models import RollupState
from .rollup import STATE

TIMEOUT = 60 * 60
VERSION = 2  # in every key: figures cached by an older release (other fields) are never read back
FRAGMENT = "quality-overview-figures"  # the {% cache %} fragment of quality/overview.html
T = TypeVar("T")


@dataclass(frozen=True)
class OverviewFigures:
    totals: dict[str, int]
    rates: statistics.BatchRates
    causes: list[statistics.DimensionCount]
    components: list[statistics.DimensionCount]
    points: list[statistics.ControlPoint]
    ttf: statistics.TimeToFailure
    factories: list[statistics.DimensionCount]
    suppliers: list[statistics.DimensionCount]
    months: list[statistics.DimensionCount]
    models: list[by_model.ModelRate]


def _compute(filters: statistics.StatFilters) -> OverviewFigures:
    return OverviewFigures(
        totals=statistics.period_totals(filters),
        rates=statistics.batch_fault_rates(filters),
        causes=statistics.pareto_of("cause", filters),
        components=statistics.pareto_of("component", filters),
        points=statistics.weekly_p_chart(filters),
        ttf=statistics.time_to_failure(filters),
        factories=statistics.counts_by("factory", filters, limit=10),
        suppliers=statistics.counts_by("supplier", filters, limit=10),
        months=statistics.counts_by("production_month", filters, limit=12),
        models=by_model.model_fault_rates(filters),
    )


def _key(filters: statistics.StatFilters) -> str:
    refreshed = RollupState.objects.filter(name=STATE).values_list("refreshed_at", flat=True).first()
    raw = repr((VERSION, refreshed, clock.local_today(), sorted(asdict(filters).items())))
    return "quality:overview:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def overview_figures(filters: statistics.StatFilters) -> OverviewFigures:
    key = _key(filters)
    found = cache.get(key)
    if found is None:
        found = _compute(filters)
        cache.set(key, found, TIMEOUT)
    return found


def cached_for(filters: statistics.StatFilters, suffix: str, build: Callable[[], T]) -> T:
    """``build()`` kept under the same key as the figures (plus ``suffix``, e.g. the language of
    the charts drawn from them): drawn once per refresh, filters and language."""
    key = f"{_key(filters)}:{suffix}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, TIMEOUT)
    return found


def fragment_key(user: User, filters: statistics.StatFilters, language: str) -> str:
    """The key of the page's cached fragment: the figures' key (refresh, day, scoped filters), the
    reader's data scope (every region, one region, none) and the language."""
    scope = "all" if sees_every_ticket(user) else f"region:{user.region_id or '-'}"
    return f"{_key(filters)}:{scope}:{language}"


def warm_overview() -> None:
    overview_figures(statistics.StatFilters())
