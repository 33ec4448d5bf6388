"""Rendering the default analytics views ahead, in the refresh job (never in a request).

After a refresh that changed the rollups (``RefreshState.data_version`` moved), every cached
page is cold; the first look at the KPI page's default table or the management dashboard's
default charts would pay for the computation. ``warm_default_views`` computes and caches them
(the KPI page's default period in each of its tabs: agents or technicians, per person, team or
region) for the scope "all" (what a supervisor, administrator or quality manager with data scope "all"
sees — never another user's own scope) in both languages, under the keys the views read. A
failure is logged and never raised: the page then computes its figures on first look, as before.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone, translation

from .kpi_views import TABLE_CACHE_SECONDS, data_version, kpi_cache_key, render_kpi_table
from .management_views import CHART_CACHE_SECONDS, build_charts, default_months, management_cache_key
from .models import StaffKind
from .selectors.common import parse_period
from .selectors.kpis import GROUPS, kpi_table
from .selectors.management import management

logger = logging.getLogger(__name__)

LANGUAGES = ("zh-hans", "en")


def warm_kpis(version: int) -> None:
    """The default period (the last 30 days) in every tab of the page: agents and technicians,
    rows per person, team and region (one click from the default view each)."""
    period = parse_period(None, None)
    for language in LANGUAGES:
        with translation.override(language):
            for kind in StaffKind.values:
                for group in GROUPS:
                    # Built per language: labels ("Total", "None") are translated when the table is built.
                    html, _rows = render_kpi_table(kpi_table(reach=Q(), period=period, kind=kind, group=group))
                    key = kpi_cache_key(
                        reach="all", period=period, kind=kind, group=group, region=None, team=None, version=version
                    )
                    cache.set(key, html, TABLE_CACHE_SECONDS)


def warm_management(version: int) -> None:
    start, end = default_months(timezone.localdate())
    for language in LANGUAGES:
        with translation.override(language):
            m = management(reach=Q(), start=start, end=end)
            key = management_cache_key(reach="all", start=start, end=end, region=None, category=None, version=version)
            cache.set(key, (m, build_charts(m, region=None, category=None)), CHART_CACHE_SECONDS)


def warm_default_views(*, kpis: bool = True) -> list[str]:
    """Compute and cache the default dashboard and (with ``kpis``: after a change of the staff
    rollups, which the KPI page's key follows) KPI table for scope "all" in both languages;
    returns the views warmed (a failed one is logged and left out)."""
    warmed: list[str] = []
    for name, warm, staff in (("kpis", warm_kpis, True), ("management", warm_management, False)):
        if staff and not kpis:
            continue
        try:
            warm(data_version(staff=staff))
        except Exception:
            logger.exception("warming the analytics %s view failed", name)
        else:
            warmed.append(name)
    return warmed


WARMED_ON = "analytics:warmed-on"  # the local day of the last complete warming


def warm_after_refresh(*, changed: bool, staff_changed: bool) -> list[str]:
    """The refresh job's call: warm after a refresh that changed the rollups, and on the first
    refresh of a new local day even if nothing changed (the default period, the last 30 days,
    moved at midnight: yesterday's warmed keys are not the ones the pages read today)."""
    today = timezone.localdate().isoformat()
    new_day = cache.get(WARMED_ON) != today
    if not (changed or new_day):
        return []
    kpis = staff_changed or new_day
    warmed = warm_default_views(kpis=kpis)
    if len(warmed) == (2 if kpis else 1):  # a failed view is tried again at the next refresh
        cache.set(WARMED_ON, today, 2 * 24 * 3600)
    return warmed
