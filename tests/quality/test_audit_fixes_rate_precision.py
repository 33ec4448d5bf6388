"""/quality/'s rates per 1,000 units: a model or batch with faults never reads zero, however many
units were shipped; the trend beside it uses the same precision."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.quality.templatetags.quality_tags import rate

from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (0.0, "0.000"),
        (2.0, "2.000"),
        (0.5, "0.500"),
        (0.0004, "0.00040"),  # 2 faulty units of 5,000,000: two significant digits
        (0.00123, "0.001"),
        (0.00049, "0.00049"),
        (0.0000412, "0.000041"),
    ],
)
def test_the_rate_filter_never_reads_zero_for_a_rate_above_zero(value, shown):
    assert rate(value) == shown


def test_a_model_with_two_faulty_units_of_a_large_shipment_reads_above_zero():
    big = model("JSQ30-16WH5")
    ship(big, "W1", 5_000_000, D(2025, 11, 1))
    for day in (D(2026, 1, 5), D(2026, 1, 6)):
        fault(unit(big, "W1", purchase_date=D(2025, 12, 1)), on=day)
    refresh()
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(engineer())
    html = client.get(reverse("quality:overview")).content.decode()
    cell = re.search(r'data-test-id="quality-model-rate">([^<]*)<', html)
    assert cell and cell.group(1) == "0.00040"
    batch = client.get(reverse("quality:overview"), {"model": big.pk}).content.decode()
    assert 'data-test-id="quality-batch-rate">0.00040<' in batch
