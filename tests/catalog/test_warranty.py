"""Is this unit in warranty on that day, and why (SPEC §3 Products & warranty)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from aftersales.catalog.models import WarrantyBasis
from aftersales.catalog.warranty import WarrantyState, add_months, warranty_status
from tests.factories import ProductModelFactory, ProductUnitFactory, WarrantyPolicyFactory

pytestmark = pytest.mark.django_db

D = dt.date


def unit_with(*, purchase=None, production=None, **policy):
    if policy.pop("no_policy", False):
        model = ProductModelFactory(warranty_policy=None)
    else:
        defaults = {"months": 12, "basis": WarrantyBasis.PURCHASE}
        defaults.update(policy)
        # The factory gets-or-creates by name: one name per distinct policy.
        defaults["name"] = hashlib.sha256(repr(sorted(defaults.items())).encode()).hexdigest()[:16]
        model = ProductModelFactory(warranty_policy=WarrantyPolicyFactory(**defaults))
    return ProductUnitFactory(model=model, purchase_date=purchase, production_date=production)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped to the month's last day
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 31), 12, D(2027, 1, 31)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 11, 15), 3, D(2027, 2, 15)),  # across the year end
        (D(2026, 5, 1), 0, D(2026, 5, 1)),
        (D(2026, 5, 1), 36, D(2029, 5, 1)),
    ],
)
def test_add_months_counts_calendar_months_and_clamps(start, months, expected):
    assert add_months(start, months) == expected


def test_a_unit_bought_yesterday_is_in_warranty_with_the_policys_coverage():
    unit = unit_with(purchase=D(2026, 5, 1), production=D(2026, 3, 1), covers_labour=False)
    status = warranty_status(unit, D(2026, 5, 2))
    assert status.state == WarrantyState.IN_WARRANTY
    assert (status.starts_on, status.ends_on) == (D(2026, 5, 1), D(2027, 4, 30))
    assert status.covers_parts and not status.covers_labour
    assert "12" in status.reason and "2027-04-30" in status.reason
    assert status.label == "In warranty"


def test_the_last_covered_day_is_the_day_before_the_anniversary():
    unit = unit_with(purchase=D(2026, 1, 31))
    last_day = warranty_status(unit, D(2027, 1, 30))
    assert last_day.state == WarrantyState.IN_WARRANTY
    assert last_day.ends_on == D(2027, 1, 30)
    day_after = warranty_status(unit, D(2027, 1, 31))
    assert day_after.state == WarrantyState.OUT_OF_WARRANTY
    assert not day_after.covers_parts and not day_after.covers_labour
    assert "2027-01-30" in day_after.reason


def test_the_purchase_day_itself_is_covered():
    unit = unit_with(purchase=D(2026, 5, 1))
    assert warranty_status(unit, D(2026, 5, 1)).state == WarrantyState.IN_WARRANTY


def test_a_policy_counted_from_production_ignores_the_purchase_date():
    unit = unit_with(purchase=D(2026, 12, 1), production=D(2026, 1, 10), basis=WarrantyBasis.PRODUCTION, months=6)
    status = warranty_status(unit, D(2026, 7, 10))
    assert status.state == WarrantyState.OUT_OF_WARRANTY
    assert status.starts_on == D(2026, 1, 10)
    assert status.ends_on == D(2026, 7, 9)
    assert warranty_status(unit, D(2026, 7, 9)).state == WarrantyState.IN_WARRANTY


def test_an_unknown_purchase_date_falls_back_to_production_plus_grace():
    unit = unit_with(production=D(2026, 1, 15), production_grace_months=3)
    status = warranty_status(unit, D(2027, 4, 14))
    assert status.state == WarrantyState.IN_WARRANTY
    assert status.starts_on == D(2026, 4, 15)
    assert status.ends_on == D(2027, 4, 14)
    assert "purchase date unknown" in status.reason
    assert warranty_status(unit, D(2027, 4, 15)).state == WarrantyState.OUT_OF_WARRANTY


def test_without_fallback_an_unknown_purchase_date_means_unknown():
    unit = unit_with(production=D(2026, 1, 15), fallback_to_production=False)
    status = warranty_status(unit, D(2026, 6, 1))
    assert status.state == WarrantyState.UNKNOWN
    assert status.starts_on is None and status.ends_on is None
    assert "purchase proof" in status.reason


def test_with_no_dates_at_all_the_agent_must_ask_for_proof():
    status = warranty_status(unit_with(), D(2026, 6, 1))
    assert status.state == WarrantyState.UNKNOWN
    assert "purchase" in status.reason


def test_a_production_basis_without_a_production_date_says_so():
    unit = unit_with(purchase=D(2026, 5, 1), basis=WarrantyBasis.PRODUCTION)
    status = warranty_status(unit, D(2026, 6, 1))
    assert status.state == WarrantyState.UNKNOWN
    assert "production date" in status.reason


def test_a_model_without_a_policy_has_unknown_warranty():
    status = warranty_status(unit_with(no_policy=True, purchase=D(2026, 5, 1)), D(2026, 6, 1))
    assert status.state == WarrantyState.UNKNOWN
    assert "no warranty policy" in status.reason
    assert not status.covers_parts and not status.covers_labour


def test_a_date_before_the_start_is_unknown_and_asks_to_check_the_dates():
    unit = unit_with(purchase=D(2026, 5, 1))
    status = warranty_status(unit, D(2026, 4, 30))
    assert status.state == WarrantyState.UNKNOWN
    assert status.starts_on == D(2026, 5, 1)
    assert "before the warranty start" in status.reason
