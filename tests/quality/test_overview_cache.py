"""The overview's figures, tables and charts as one cached template fragment per refresh: a second
request renders them from the cache (no figure read, no table drawn), the job's refresh makes them
stale, and a fragment drawn for one data scope or language is never served to another."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope
from aftersales.quality import views
from aftersales.quality.overview import FRAGMENT, fragment_key
from aftersales.quality.statistics import StatFilters
from tests.factories import RegionFactory

from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date


def _client(user: Any, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    east, west = RegionFactory(), RegionFactory()
    m = model("KFR-50LW")
    ship(m, "B1", 1000, D(2026, 1, 1))
    fault(unit(m, "B1", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 2), region=east, cause="materials")
    fault(unit(m, "B1", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 3), region=west, cause="design")
    refresh()
    return {"east": east, "west": west, "model": m}


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The figures' context drawn for the page (the fragment missing), one entry per drawing."""
    calls: list[str] = []
    real = views.cached_for

    def counting(filters: StatFilters, suffix: str, build: Any) -> Any:
        calls.append(suffix)
        return real(filters, suffix, build)

    monkeypatch.setattr(views, "cached_for", counting)
    return calls


def _figures(html: str) -> str:
    return html[html.index('data-test-id="quality-totals"') : html.index('data-test-id="quality-by-production_month"')]


def _tickets(html: str) -> str:
    after = html.split("<dt>Fault tickets</dt>", 1)[1]
    return after.split("</dd>", 1)[0].rsplit(">", 1)[1]


def test_a_second_request_renders_the_figures_from_the_cache(world, drawn):  # type: ignore[no-untyped-def]
    client = _client(engineer())
    url = reverse("quality:overview")
    with CaptureQueriesContext(connection) as first:
        one = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        two = client.get(url).content.decode()
    assert drawn == ["page:en"]  # the second request drew nothing
    assert len(second) < len(first)
    assert not [q for q in second if "quality_faultsummary" in q["sql"] or "catalog_shipmentvolume" in q["sql"]]
    assert _figures(two) == _figures(one) and "data:image/svg+xml;base64," in _figures(two)
    assert _tickets(two) == "2"
    # The fragment lies under the key the bench and the tests compute (overview.FRAGMENT).
    user = engineer()
    _client(user).get(url)
    assert cache.get(make_template_fragment_key(FRAGMENT, [fragment_key(user, StatFilters(), "en")])) is not None


def test_the_jobs_refresh_makes_the_fragment_stale(world, drawn):  # type: ignore[no-untyped-def]
    client = _client(engineer())
    url = reverse("quality:overview")
    assert _tickets(client.get(url).content.decode()) == "2"
    fault(unit(world["model"], "B1", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 4), region=world["east"])
    assert _tickets(client.get(url).content.decode()) == "2"  # not refreshed yet: the same figures
    refresh()
    assert _tickets(client.get(url).content.decode()) == "3"
    assert len(drawn) == 2


def test_two_scopes_never_share_a_fragment(world, drawn):  # type: ignore[no-untyped-def]
    url = reverse("quality:overview")
    regional = engineer(data_scope=DataScope.REGION, region=world["east"])
    everyone = engineer()
    assert _tickets(_client(regional).get(url).content.decode()) == "1"
    assert _tickets(_client(everyone).get(url).content.decode()) == "2"
    # The same figures asked for by a reader of every region: still a fragment of its own.
    assert _tickets(_client(everyone).get(url, {"region": world["east"].pk}).content.decode()) == "1"
    assert len(drawn) == 3
    scoped = StatFilters(region_id=world["east"].pk)
    assert fragment_key(regional, scoped, "en") != fragment_key(everyone, scoped, "en")
    nowhere = engineer(data_scope=DataScope.REGION, region=None)
    assert _tickets(_client(nowhere).get(url).content.decode()) == "0"
    assert len(drawn) == 4


def test_two_languages_never_share_a_fragment(world, drawn):  # type: ignore[no-untyped-def]
    user = engineer()
    url = reverse("quality:overview")
    en = _figures(_client(user, "en").get(url).content.decode())
    zh = _figures(_client(user, "zh-hans").get(url).content.decode())
    assert "Fault rate per batch" in en and "批次故障率" not in en
    assert "批次故障率" in zh and "Fault rate per batch" not in zh
    assert drawn == ["page:en", "page:zh-hans"]
    assert _figures(_client(user, "zh-hans").get(url).content.decode()) == zh
    assert len(drawn) == 2


def test_the_page_says_which_days_a_period_counts(world):  # type: ignore[no-untyped-def]
    page = _client(engineer()).get(reverse("quality:overview"), {"since": "2026-02-04", "until": "2026-02-18"})
    html = page.content.decode()
    assert "from 2026-02-02 to 2026-02-22" in html and 'data-test-id="quality-covered"' in html
    assert 'data-test-id="quality-covered"' not in _client(engineer()).get(reverse("quality:overview")).content.decode()
