"""The serial number's lookup fragment (``tickets:unit_lookup``, asked by the intake page and the
ticket page's "Correct details"): each state renders its own branch and nothing of another."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from tests.clients import client_for
from tests.factories import CustomerFactory, ProductUnitFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

LOOKUP = reverse("tickets:unit_lookup")
HTMX = {"HX-Request": "true"}
BRANCHES = ("unit-found", "unit-unknown", "unit-out-of-scope", "lookup-throttled")


def branches(html: str) -> list[str]:
    return [name for name in BRANCHES if f'data-test-id="{name}"' in html]


def fills(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-fill-target="([^"]+)" data-fill-value="([^"]*)"', html))


@pytest.fixture
def agent():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


def test_a_unit_with_batch_and_purchase_date_fills_all_three_fields(agent):
    unit = ProductUnitFactory(serial_number="SN-FULL-1", batch="B20260301", purchase_date=dt.date(2026, 5, 1))
    html = client_for(agent).get(LOOKUP, {"serial_number": "sn-full-1"}, headers=HTMX).content.decode()
    assert branches(html) == ["unit-found"]
    assert 'data-test-id="warranty-state"' in html
    assert fills(html) == {"id_product_model_code": unit.model.code, "id_purchase_date": "2026-05-01", "id_batch": "B20260301"}


def test_a_unit_without_batch_or_purchase_date_fills_only_the_model(agent):
    unit = ProductUnitFactory(serial_number="SN-BARE-1", batch="", purchase_date=None)
    html = client_for(agent).get(LOOKUP, {"serial_number": "SN-BARE-1"}, headers=HTMX).content.decode()
    assert branches(html) == ["unit-found"]  # no stray "outside your scope" or "too many lookups" inside
    assert fills(html) == {"id_product_model_code": unit.model.code}
    assert html.count("—") == 2  # batch and purchase date shown as unknown


def test_an_unknown_serial_number_is_said_to_be_unregistered(agent):
    html = client_for(agent).get(LOOKUP, {"serial_number": "NOPE-9"}, headers=HTMX).content.decode()
    assert branches(html) == ["unit-unknown"]
    assert "NOPE-9" in html and fills(html) == {}


def test_nothing_typed_says_nothing(agent):
    response = client_for(agent).get(LOOKUP, {"serial_number": "   "}, headers=HTMX)
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_a_unit_of_a_customer_outside_the_scope_is_only_said_to_exist():
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    unit = ProductUnitFactory(serial_number="SN-WEST-1", customer=CustomerFactory(region=west), batch="B-SECRET")
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    html = client_for(agent).get(LOOKUP, {"serial_number": unit.serial_number}, headers=HTMX).content.decode()
    assert branches(html) == ["unit-out-of-scope"]
    assert "B-SECRET" not in html and unit.model.code not in html and fills(html) == {}


@override_settings(INTAKE_LOOKUPS_PER_MINUTE=1)
def test_a_throttled_lookup_says_so_and_nothing_else(agent, monkeypatch):
    # The throttle's clock held in the middle of one one-minute window (its own window: no other
    # test's hits count in it).
    monkeypatch.setattr("aftersales.core.throttle.time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    client = client_for(agent)
    ProductUnitFactory(serial_number="SN-THROTTLE-1")
    assert branches(client.get(LOOKUP, {"serial_number": "SN-THROTTLE-1"}, headers=HTMX).content.decode()) == ["unit-found"]
    response = client.get(LOOKUP, {"serial_number": "SN-THROTTLE-1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and branches(html) == ["lookup-throttled"]
    assert fills(html) == {}
