"""The analytics pages' ``percent`` filter: a rate above zero that would round to 0.0 shows as
"<0.1%" (one in three thousand is not none), zero as "0.0%", in every language; the KPI export
of the same figures keeps numbers in its cells, never the page's text."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from aftersales.analytics.selectors.common import rate
from aftersales.analytics.templatetags.analytics_format import percent
from tests.exports.helpers import export_sheet, header

from .fixtures import DataScope, Role, staff

OCT = {"from": "2025-10-01", "to": "2025-10-31"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (0, "0.0%"),
        (0.0, "0.0%"),
        (0.03, "<0.1%"),
        (0.0499, "<0.1%"),
        (0.05, "0.1%"),
        (0.1, "0.1%"),
        (12.34, "12.3%"),
        (99.94, "99.9%"),
        (99.97, ">99.9%"),
        (100.0, "100.0%"),
    ],
)
def test_percent_shows_a_tiny_rate_apart_from_zero(value, shown):
    assert percent(value) == shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_shows_the_tiny_rate_escaped_in_either_language(language):
    template = Template("{% load analytics_format %}{{ tiny|percent }} {{ none|percent }}")
    with translation.override(language):
        assert template.render(Context({"tiny": 0.02, "none": 0})) == "&lt;0.1% 0.0%"


@pytest.mark.django_db
def test_the_kpi_export_keeps_the_rates_as_numbers(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL, language="en")
    sheet, rows = export_sheet("staff_kpis", boss, OCT)
    assert rows
    rates = [i for i, name in enumerate(header(sheet)) if str(name).endswith("(%)")]
    assert len(rates) >= 7
    cells = [row[i].value for row in sheet.iter_rows(min_row=2) for i in rates]
    assert any(isinstance(cell, int | float) for cell in cells)
    assert all(cell is None or isinstance(cell, int | float) for cell in cells)


@pytest.mark.parametrize(
    ("part", "whole", "value", "shown"),
    [
        (2, 3, 66.67, "66.7%"),
        (1, 3000, 0.03, "<0.1%"),  # one reopened in three thousand is not none
        (2999, 3000, 99.97, ">99.9%"),  # one missed in three thousand is not all met
        (0, 5, 0.0, "0.0%"),
        (5, 5, 100.0, "100.0%"),
        (1, 0, None, "—"),
    ],
)
def test_the_rate_keeps_two_decimals_so_the_page_tells_tiny_and_almost_whole_shares(part, whole, value, shown):
    """``analytics.selectors.common.rate`` (the KPI rows, the monthly satisfied share) once
    rounded to one decimal: the API and the exports lost a decimal, and the page's "<0.1%"
    could never show (1 of 3000 became 0.0 before the filter saw it)."""
    assert rate(part, whole) == value
    assert percent(rate(part, whole)) == shown
