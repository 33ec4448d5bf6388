"""Registering serial units."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.catalog.selectors import unit_find_by_serial
from aftersales.catalog.services import unit_register
from aftersales.core.errors import ValidationFailed
from tests.factories import CustomerFactory, ProductModelFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_unit_is_registered_with_an_upper_case_serial_and_audited():
    model = ProductModelFactory()
    owner = CustomerFactory()
    agent = UserFactory()
    unit = unit_register(
        serial_number=" sn-2026-0001 ",
        model=model,
        batch="B20260301",
        production_date=dt.date(2026, 3, 1),
        purchase_date=dt.date(2026, 5, 1),
        customer=owner,
        actor=agent,
    )
    assert unit.serial_number == "SN-2026-0001"
    assert unit.customer == owner
    event = AuditEvent.objects.get(action="unit.registered")
    assert (event.object_type, event.object_id, event.actor) == ("catalog.productunit", str(unit.pk), agent)


def test_a_serial_is_found_whatever_case_it_is_typed_in():
    unit = unit_register(serial_number="SN-ABC", model=ProductModelFactory())
    assert unit_find_by_serial(serial_number=" sn-abc ") == unit
    assert unit_find_by_serial(serial_number="") is None
    assert unit_find_by_serial(serial_number="SN-OTHER") is None


def test_a_serial_number_is_registered_only_once_whatever_the_case():
    model = ProductModelFactory()
    unit_register(serial_number="SN-DUP", model=model)
    with pytest.raises(ValidationFailed) as raised:
        unit_register(serial_number="sn-dup", model=model)
    assert (raised.value.code, raised.value.field) == ("serial_taken", "serial_number")


def test_a_serial_number_is_required():
    with pytest.raises(ValidationFailed) as raised:
        unit_register(serial_number="  ", model=ProductModelFactory())
    assert raised.value.code == "serial_required"


def test_a_unit_cannot_be_bought_before_it_was_made():
    with pytest.raises(ValidationFailed) as raised:
        unit_register(
            serial_number="SN-1",
            model=ProductModelFactory(),
            production_date=dt.date(2026, 5, 2),
            purchase_date=dt.date(2026, 5, 1),
        )
    assert (raised.value.code, raised.value.field) == ("dates_inconsistent", "purchase_date")


def test_a_serial_longer_than_the_column_is_refused_not_cut():
    with pytest.raises(ValidationFailed) as raised:
        unit_register(serial_number="S" * 65, model=ProductModelFactory())
    assert raised.value.field == "serial_number"
