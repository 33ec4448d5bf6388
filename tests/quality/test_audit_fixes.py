"""The quality pages' audit findings, fixed: causes by name (page, badge, exports), the p-chart in
ppm that judges a week only on enough data, the Pareto's cumulative share as a line with the 80 %
reference, the change archive's two date columns."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.core import charts
from aftersales.quality import figures, survival
from aftersales.quality.services import ActionInput, action_raise, action_update
from aftersales.quality.statistics import MIN_EXPECTED, ControlPoint, StatFilters, weekly_p_chart
from tests.exports.helpers import column, export_sheet

from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date


def _client(user: Any, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _texts(svg: str) -> list[str]:
    return re.findall(r">([^<>]+)</text>", svg)


# --- 1. Causes by name ------------------------------------------------------------------------


@pytest.fixture
def causes() -> Any:
    m = model("KFR-35GW")
    ship(m, "QA2602", 1000, D(2026, 1, 1))
    fault(unit(m, "QA2602", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 2), cause="materials")
    fault(unit(m, "QA2602", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 3), cause="logistics")
    refresh()
    return m


def test_the_tickets_behind_a_figure_name_their_cause_in_the_readers_language(causes):  # type: ignore[no-untyped-def]
    query = {"model": causes.pk, "batch": "QA2602"}
    zh = _client(engineer(language="zh-hans"), "zh-hans").get(reverse("quality:tickets"), query).content.decode()
    assert "原材料" in zh and "物流运输" in zh
    assert ">materials<" not in zh and ">logistics<" not in zh
    en = _client(engineer()).get(reverse("quality:tickets"), query).content.decode()
    assert "<td>Materials</td>" in en and "<td>Logistics</td>" in en
    badge = _client(engineer(language="zh-hans"), "zh-hans").get(reverse("quality:tickets"), {"cause": "materials"})
    html = badge.content.decode()
    assert re.search(r'data-test-id="quality-cause-badge">[^<]*原材料', html)
    assert html.count('data-test-id="quality-ticket-row"') == 1


def test_the_exports_name_the_cause_too(causes):  # type: ignore[no-untyped-def]
    reader = engineer(language="en")
    sheet, rows = export_sheet("quality_fault_tickets", reader, {"model": str(causes.pk), "batch": "QA2602"})
    assert rows == 2 and sorted(column(sheet, "Cause")) == ["Logistics", "Materials"]
    sheet, _rows = export_sheet("quality_pareto_causes", reader)
    assert sorted(column(sheet, "Cause")) == ["Logistics", "Materials"]
    zh_sheet, _rows = export_sheet("quality_fault_tickets", engineer(language="zh-hans"), {"cause": "materials"})
    assert column(zh_sheet, "原因") == ["原材料"]


# --- 2. The p-chart: ppm, and a week judged only on enough data -------------------------------


def test_a_week_without_enough_expected_faults_is_never_out_of_control():
    # One fault among 100,000 units, p̄ from 26 such weeks: n·p̄ ≈ 0.04, far beyond "3σ" arithmetically.
    p_bar = 1 / (26 * 100_000)
    lonely = ControlPoint(D(2026, 3, 2), 1, 100_000, 1e-5, p_bar, p_bar + 3 * (p_bar / 100_000) ** 0.5, 0.0)
    assert lonely.p is not None and lonely.upper is not None and lonely.p > lonely.upper
    assert lonely.expected == pytest.approx(100_000 * p_bar)
    assert not lonely.judged and not lonely.out_of_control
    enough = dataclasses.replace(lonely, centre=MIN_EXPECTED / 100_000, upper=1e-5 / 2)
    assert enough.judged and enough.out_of_control


def test_day_zero_the_first_fault_ticket_flags_nothing_and_the_page_says_why():  # type: ignore[no-untyped-def]
    m = model("KFR-26GW")
    ship(m, "B1", 100_000, D(2026, 1, 1))
    fault(unit(m, "B1", purchase_date=D(2026, 1, 10)), on=D(2026, 3, 4))
    refresh()
    points = weekly_p_chart(StatFilters(since=D(2026, 2, 2), until=D(2026, 3, 29)))
    assert sum(p.faulty_units for p in points) == 1
    assert not any(p.out_of_control for p in points) and not any(p.judged for p in points)
    page = _client(engineer()).get(reverse("quality:overview"), {"since": "2026-02-02", "until": "2026-03-29"})
    html = page.content.decode()
    assert 'data-test-id="quality-too-little-data"' in html
    assert 'data-test-id="quality-out-of-control"' not in html


@pytest.fixture
def spike() -> Any:
    """100,000 units in the field; 5, 5 and then 20 first faults in three weeks: n·p̄ = 10."""
    m = model("KFR-72LW")
    ship(m, "B1", 100_000, D(2026, 1, 1))
    for monday, faulty in ((D(2026, 3, 2), 5), (D(2026, 3, 9), 5), (D(2026, 3, 16), 20)):
        for i in range(faulty):
            fault(unit(m, "B1", purchase_date=D(2026, 1, 10)), on=monday + dt.timedelta(days=i % 5))
    refresh()
    return m


def test_with_enough_data_the_spike_is_out_of_control_and_drawn_in_ppm(spike):  # type: ignore[no-untyped-def]
    filters = StatFilters(since=D(2026, 3, 2), until=D(2026, 3, 22))
    points = weekly_p_chart(filters)
    assert [(p.faulty_units, p.judged, p.out_of_control) for p in points] == [
        (5, True, False),
        (5, True, False),
        (20, True, True),
    ]
    with translation.override("en"):
        chart = figures.control_chart(filters, points)
    # The table: ppm with two decimals (20 / 100,000 = 200 ppm; p̄ = 100 ppm), never 0.00000.
    assert chart.columns[1] == "Fault rate (ppm)"
    assert [row.values[:2] for row in chart.rows] == [("50.00", "100.00"), ("50.00", "100.00"), ("200.00", "100.00")]
    texts = _texts(chart.svg)
    assert "Faulty units per million (ppm)" in " ".join(texts)  # the axis names its unit (pygal may wrap it)
    assert not any(re.search(r"\de[-+]\d", t) for t in texts)  # no 3.6e-06 on an axis
    page = _client(engineer()).get(reverse("quality:overview"), {"since": "2026-03-02", "until": "2026-03-22"})
    notice = re.search(r'data-test-id="quality-out-of-control">(.*?)</p>', page.content.decode())
    assert notice is not None and "2026-03-16" in notice.group(1) and "2026-03-09" not in notice.group(1)


def test_limits_are_drawn_only_for_the_weeks_that_are_judged():
    week = D(2026, 3, 2)
    judged = ControlPoint(week, 12, 100_000, 12e-5, 1e-4, 1.9e-4, 0.1e-4)
    quiet = ControlPoint(week + dt.timedelta(weeks=1), 0, 1_000, 0.0, 1e-4, 1e-3, 0.0)  # n·p̄ = 0.1
    with translation.override("en"):
        rows = figures.control_chart(StatFilters(), [judged, quiet]).rows
    assert rows[0].values == ("120.00", "100.00", "190.00", "10.00")
    assert rows[1].values == ("0.00", "100.00", "", "")


def test_axis_ticks_are_plain_numbers():
    assert [charts.tick(v) for v in (0, 3.6e-06, 0.25, 7.0, 12.5, 100.0, 9_316_011)] == [
        "0",
        "0.0000036",
        "0.25",
        "7",
        "12.5",
        "100",
        "9,316,011",
    ]


# --- 2b. The Pareto: bars, the cumulative share as a line, the 80 % reference ---------------


def test_the_pareto_draws_its_cumulative_share_as_a_line_over_bars_with_room_above():
    chart = charts.pareto(
        "原因帕累托图", ["生产制造", "原材料", "安装"], [82, 54, 26], count_name="故障工单", cumulative_name="累计百分比"
    )
    svg = chart.svg
    bars = re.findall(r'<rect x="[^"]+" y="([^"]+)"[^>]*class="rect reactive tooltip-trigger"', svg)
    assert len(bars) == 3  # the counts only: the share is not a bar
    lines = re.findall(r'<path d="M([^"]+)" class="line reactive nofill"', svg)
    assert len(lines) == 2  # the cumulative share and the 80 % reference
    assert "80 %" in _texts(svg) and "累计百分比 (%)" in _texts(svg)
    # Headroom: the counts' top tick (84) sits below the frame, so the tallest bar and the 100 % dot
    # are drawn whole (nothing at y = 0 of the plot).
    dots = [float(y) for y in re.findall(r'<circle cx="[^"]+" cy="([^"]+)" r="4"', svg)]
    assert len(dots) == 3 and min(dots) > 4
    assert min(float(y) for y in bars) > 0
    assert [row.values for row in chart.rows] == [("82", "50.6"), ("54", "84"), ("26", "100")]


# --- 4. The change archive's dates ------------------------------------------------------------


def test_the_archive_shows_the_first_batch_in_its_own_column_not_as_the_effective_date():
    m = model("KFR-35GW")
    who = engineer()
    action = action_raise(actor=who, title="电容失效", problem="QA2602 不制冷集中", origin="fault_cluster", model=m)
    data = dataclasses.replace(
        ActionInput.of(action), change_kind="supplier", change_content="换电容供应商", first_batch="QA2605"
    )
    action_update(action=action, actor=who, data=data, expected_version=action.version)
    html = _client(who).get(reverse("quality:archive")).content.decode()
    row = re.search(r'data-test-id="quality-archive-row"><td>([^<]*)</td><td>([^<]*)</td>', html)
    assert row is not None and row.groups() == ("—", "QA2605")
    assert "First batch affected" in html


# --- 5. The first view: no scipy import for the survival curve, a bounded number of queries ---


def test_the_survival_formula_on_counts_is_scipys_kaplan_meier():
    failures = {0: 4, 1: 6, 3: 2}
    shipped = {1: 300, 3: 200, 6: 100}
    counted = survival.kaplan_meier_from_counts(failures=failures, shipped_at_age=shipped, horizon=7)
    reference = survival.kaplan_meier_scipy(failures=failures, shipped_at_age=shipped, horizon=7)
    assert [v is None for v in counted] == [v is None for v in reference] == [False] * 7 + [True]
    assert [v for v in counted if v is not None] == pytest.approx([v for v in reference if v is not None])


def test_the_first_view_of_the_overview_does_not_go_through_scipy(causes, monkeypatch, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    # On day zero (few units shipped) the curve went through scipy.stats, whose import cost over a
    # second on a process's first view. The page now computes it on the counts.
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the overview imported scipy.stats for the survival curve")

    monkeypatch.setattr(survival, "_with_scipy", refuse)
    client = _client(engineer())
    with django_assert_max_num_queries(30):  # cold: the figures from the summaries, drawn once
        page = client.get(reverse("quality:overview"))
    assert page.status_code == 200 and 'data-test-id="quality-ttf"' in page.content.decode()
    with django_assert_max_num_queries(8):  # warm: the cached fragment
        assert client.get(reverse("quality:overview")).status_code == 200
