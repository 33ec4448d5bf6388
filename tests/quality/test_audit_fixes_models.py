"""The fault rate per model on /quality/ (with its trend and its drill-down to batches and tickets)
and ``selectors.fault_counts_by_model``, the fault tickets per model other pages (the management
dashboard's "top faults by model") show: the same fault tickets as /quality/ counts, installations
and questions left out."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.quality.by_model import TREND_WEEKS, model_fault_rates
from aftersales.quality.selectors import fault_counts_by_model
from aftersales.quality.statistics import StatFilters, period_totals
from aftersales.tickets.models import TicketCategory
from tests.exports.helpers import column, export_sheet
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
def fleet() -> dict[str, Any]:
    east, west = RegionFactory(), RegionFactory()
    quality, _created = TicketCategory.objects.get_or_create(code="quality", defaults={"name": "产品质量"})
    a, b, c = model("KFR-35GW"), model("KFR-50LW"), model("KFR-72LW")
    ship(a, "A1", 1000, D(2025, 11, 1))
    ship(a, "A2", 1000, D(2026, 2, 1))
    ship(b, "B1", 500, D(2025, 11, 1))
    ship(c, "C1", 800, D(2025, 11, 1))  # shipped, never failed
    # Model A: one first fault in the earlier 13 weeks, three in the later ones, a repeat, and two
    # tickets that are not faults (an installation, a question).
    fault(unit(a, "A1", purchase_date=D(2025, 12, 1)), on=D(2026, 1, 5), region=east)
    repeated = unit(a, "A1", purchase_date=D(2025, 12, 1))
    for day in (D(2026, 4, 6), D(2026, 4, 20)):
        fault(repeated, on=day, region=east, category_code="quality")
    fault(unit(a, "A2", purchase_date=D(2026, 3, 1)), on=D(2026, 5, 4), region=west, category_code="quality")
    fault(unit(a, "A2", purchase_date=D(2026, 3, 1)), on=D(2026, 5, 5), region=west)
    fault(unit(a, "A1", purchase_date=D(2025, 12, 1)), on=D(2026, 4, 7), request_type="installation", region=east)
    fault(unit(a, "A1", purchase_date=D(2025, 12, 1)), on=D(2026, 4, 8), request_type="consultation", region=east)
    # Model B: one fault.
    fault(unit(b, "B1", purchase_date=D(2025, 12, 1)), on=D(2026, 2, 2), region=west)
    refresh()
    return {"a": a, "b": b, "c": c, "east": east, "west": west, "quality": quality}


def test_per_model_rates_count_fault_tickets_with_the_models_shipments_and_a_trend(fleet):  # type: ignore[no-untyped-def]
    rows = {r.code: r for r in model_fault_rates(StatFilters(), today=D(2026, 6, 10))}
    assert list(rows) == ["KFR-35GW", "KFR-50LW", "KFR-72LW"]  # most fault tickets first
    a, b, c = rows["KFR-35GW"], rows["KFR-50LW"], rows["KFR-72LW"]
    assert (a.tickets, a.faulty_units, a.shipped) == (5, 4, 2000)  # no installation, no question
    assert a.per_thousand == pytest.approx(2.0)
    assert (b.tickets, b.faulty_units, b.shipped, b.per_thousand) == (1, 1, 500, pytest.approx(2.0))
    assert (c.tickets, c.faulty_units, c.shipped, c.per_thousand) == (0, 0, 800, 0.0)
    # The last whole week before Wednesday 10 June starts on 1 June; 13 weeks back, and 13 before.
    assert [row.trend.direction for row in rows.values()] == ["up", "down", "flat"]
    assert (a.trend.last_week, a.trend.first_week) == (D(2026, 6, 1), D(2026, 6, 1) - dt.timedelta(weeks=2 * TREND_WEEKS - 1))
    # Earlier: 1 first fault; 2,000 units in the field by the window's end (A2 shipped in
    # February). Later: 3 first faults (the repeat is not one) of the same 2,000.
    assert a.trend.previous == pytest.approx(1000 * 1 / 2000)
    assert a.trend.recent == pytest.approx(1000 * 3 / 2000)
    assert a.trend.direction == "up"
    assert b.trend.direction == "down" and c.trend.direction == "flat"


def test_the_overview_lists_the_models_with_links_to_their_batches_and_tickets(fleet):  # type: ignore[no-untyped-def]
    html = _client(engineer()).get(reverse("quality:overview")).content.decode()
    assert 'data-test-id="quality-models"' in html and "Fault rate per model" in html
    rows = re.findall(r'data-test-id="quality-model-row" data-model="([^"]+)"', html)
    assert rows == ["KFR-35GW", "KFR-50LW", "KFR-72LW"]
    a = fleet["a"].pk
    assert re.search(
        rf'href="{reverse("quality:overview")}\?model={a}" title="[^"]*" data-test-id="quality-model-link">KFR-35GW<', html
    )
    assert f'href="{reverse("quality:tickets")}?model={a}" data-test-id="quality-model-tickets">5<' in html
    # The model's page: its batches (and only its own).
    batches = _client(engineer()).get(reverse("quality:overview"), {"model": a}).content.decode()
    assert 'data-test-id="quality-batch-link">A1<' in batches and 'data-test-id="quality-batch-link">B1<' not in batches
    listed = _client(engineer()).get(reverse("quality:tickets"), {"model": a}).content.decode()
    assert listed.count('data-test-id="quality-ticket-row"') == 5
    trends = re.findall(r'data-test-id="quality-model-trend" data-trend="(\w*)"', html)
    assert len(trends) == 3 and set(trends) <= {"up", "down", "flat"}  # the directions: the test above
    zh = _client(engineer(language="zh-hans"), "zh-hans").get(reverse("quality:overview")).content.decode()
    assert "型号故障率" in zh and "Fault rate per model" not in zh


def test_the_per_model_export(fleet):  # type: ignore[no-untyped-def]
    sheet, rows = export_sheet("quality_model_rates", engineer(language="en"))
    assert rows == 3
    assert column(sheet, "Product model") == ["KFR-35GW", "KFR-50LW", "KFR-72LW"]
    assert column(sheet, "Fault tickets") == [5, 1, 0]
    assert column(sheet, "Per 1,000 units") == [2.0, 2.0, 0.0]


def test_fault_counts_by_model_is_what_quality_counts(fleet):  # type: ignore[no-untyped-def]
    counts = fault_counts_by_model()
    assert [(c.code, c.tickets, c.faulty_units) for c in counts] == [("KFR-35GW", 5, 4), ("KFR-50LW", 1, 1)]
    assert sum(c.tickets for c in counts) == period_totals(StatFilters())["tickets"] == 6
    # A period counts whole weeks as /quality/ does: the same dates give the same figures.
    since, until = D(2026, 4, 1), D(2026, 5, 31)
    in_period = fault_counts_by_model(since=since, until=until)
    page = {r.code: r.tickets for r in model_fault_rates(StatFilters(since=since, until=until)) if r.tickets}
    assert {c.code: c.tickets for c in in_period} == page == {"KFR-35GW": 4}
    assert sum(c.tickets for c in in_period) == period_totals(StatFilters(since=since, until=until))["tickets"]
    # One region; one complaint category (read from the fault records); the top N.
    assert [(c.code, c.tickets) for c in fault_counts_by_model(region_id=fleet["west"].pk)] == [("KFR-35GW", 2), ("KFR-50LW", 1)]
    quality = fleet["quality"].pk
    assert [(c.code, c.tickets) for c in fault_counts_by_model(ticket_category_id=quality)] == [("KFR-35GW", 3)]
    assert fault_counts_by_model(ticket_category_id=quality, region_id=fleet["west"].pk)[0].tickets == 1
    assert [c.code for c in fault_counts_by_model(limit=1)] == ["KFR-35GW"]
    assert counts[0].label.startswith("KFR-35GW")
