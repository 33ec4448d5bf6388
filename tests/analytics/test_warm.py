"""The pages' cache keys move only when a refresh changed the rollups, and the refresh job renders
the default KPI table and dashboard (scope "all", both languages) ahead of the first look."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from aftersales.analytics import management_views, tasks, warm
from aftersales.analytics.kpi_views import data_version
from aftersales.analytics.models import RefreshState
from aftersales.analytics.services import analytics_refresh
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from tests.clients import client_for

from .fixtures import DataScope, Role, staff

pytestmark = pytest.mark.django_db
OCT = {"from": "2025-10-01", "to": "2025-10-31"}


def _management_key(language: str, reach: str = "all") -> str:
    start, end = management_views.default_months(timezone.localdate())
    with translation.override(language):
        return management_views.management_cache_key(
            reach=reach, start=start, end=end, region=None, category=None, version=data_version()
        )


def _no_computing(monkeypatch):  # type: ignore[no-untyped-def]
    def refuse(**kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("computed in a request")

    monkeypatch.setattr(management_views, "management_for_user", refuse)


def test_warmed_default_views_are_served_from_the_cache_in_both_languages(world, monkeypatch):
    assert warm.warm_default_views() == ["kpis", "management"]
    _no_computing(monkeypatch)
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    client = client_for(boss)
    for language in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        kpis = client.get("/dashboard/kpis/")
        assert kpis.status_code == 200 and "rows" not in kpis.context  # the warmed table
        assert 'data-test-id="kpi-table"' in kpis.content.decode()
        page = client.get("/dashboard/management/")
        assert page.status_code == 200 and page.context["charts_key"] == _management_key(language)
    # Another scope is never rendered ahead: a region supervisor's first look computes.
    assert cache.get(_management_key("zh-hans", reach=str(world.east.pk))) is None
    east = staff(Role.SUPERVISOR, DataScope.REGION, region=world.east)
    with pytest.raises(AssertionError, match="computed in a request"):
        client_for(east).get("/dashboard/management/")


@pytest.mark.parametrize(
    "tab", [{}, {"group": "team"}, {"group": "region"}, {"kind": "technician"}, {"kind": "technician", "group": "region"}]
)
def test_the_warmed_table_is_the_table_a_request_renders(world, tab):
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    client = client_for(boss)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    computed = client.get("/dashboard/kpis/", tab)
    assert "rows" in computed.context
    cache.clear()
    warm.warm_default_views()
    served = client.get("/dashboard/kpis/", tab)
    assert "rows" not in served.context
    assert served.context["table_html"] == computed.context["table_html"]


def test_a_failed_warming_is_logged_not_raised(world, monkeypatch, caplog):
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database gone")

    monkeypatch.setattr(warm, "kpi_table", broken)
    with caplog.at_level(logging.ERROR, logger="aftersales.analytics.warm"):
        assert warm.warm_default_views() == ["management"]
    assert "warming the analytics kpis view failed" in caplog.text
    assert cache.get(_management_key("en")) is not None


def test_the_refresh_job_warms_only_after_a_change(world, monkeypatch):
    calls: list[tuple[bool, int, int]] = []

    def record(*, kpis: bool = True) -> list[str]:
        calls.append((kpis, data_version(), data_version(staff=True)))
        return []

    monkeypatch.setattr(warm, "warm_default_views", record)
    analytics_refresh()  # today's clock: the backlog's age bands move since the fixture's refresh
    cache.set(warm.WARMED_ON, timezone.localdate().isoformat())  # warmed today already
    versions = (data_version(), data_version(staff=True))
    tasks.refresh_analytics.call()  # nothing changed since
    assert calls == [] and (data_version(), data_version(staff=True)) == versions
    Ticket.objects.filter(pk=world.d.pk).update(assignee=world.wang)
    TicketEvent.objects.create(ticket=world.d, kind=EventKind.ASSIGNMENT, created_at=timezone.now())
    tasks.refresh_analytics.call()
    assert calls == [(True, versions[0] + 1, versions[1] + 1)]


def test_the_kpi_cache_key_keeps_while_refreshes_change_no_staff_rollup(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    client = client_for(boss)
    assert "rows" in client.get("/dashboard/kpis/", OCT).context
    state = RefreshState.objects.get()
    for days in (1, 2, 40):  # the backlog's age bands move; the KPI figures do not
        result = analytics_refresh(now=state.refreshed_at + dt.timedelta(days=days))
        assert not result.staff_changed
        assert "rows" not in client.get("/dashboard/kpis/", OCT).context
    after = RefreshState.objects.get()
    assert after.refreshed_at > state.refreshed_at and after.staff_version == state.staff_version
    assert after.data_version > state.data_version  # the backlog changed: the dashboard's key moved


def test_the_first_refresh_of_a_new_day_warms_even_without_a_change(world, monkeypatch):
    calls: list[bool] = []

    def record(*, kpis: bool = True) -> list[str]:
        calls.append(kpis)
        return ["kpis", "management"]

    monkeypatch.setattr(warm, "warm_default_views", record)
    analytics_refresh()
    versions = (data_version(), data_version(staff=True))
    cache.set(warm.WARMED_ON, (timezone.localdate() - dt.timedelta(days=1)).isoformat())  # warmed yesterday
    tasks.refresh_analytics.call()  # nothing changed, but the default period moved at midnight
    assert calls == [True] and (data_version(), data_version(staff=True)) == versions
    assert cache.get(warm.WARMED_ON) == timezone.localdate().isoformat()
    tasks.refresh_analytics.call()  # the same day, nothing changed: nothing to warm
    assert calls == [True]


def test_a_failed_warming_is_tried_again_at_the_next_refresh(world, monkeypatch):
    calls: list[bool] = []

    def half(*, kpis: bool = True) -> list[str]:
        calls.append(kpis)
        return ["management"]  # the KPI tables failed

    monkeypatch.setattr(warm, "warm_default_views", half)
    analytics_refresh()
    cache.delete(warm.WARMED_ON)
    tasks.refresh_analytics.call()
    tasks.refresh_analytics.call()
    assert calls == [True, True] and cache.get(warm.WARMED_ON) is None
