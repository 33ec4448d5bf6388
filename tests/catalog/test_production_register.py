"""The production register in the admin: an administrator edits a batch inferred from the serial
units, with its components inline; saved there, the batch is the register's (inference leaves it
alone from then on) and the change is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.catalog.models import BatchSource, ProductionBatch, component_matches
from aftersales.catalog.services import production_batches_infer
from tests.admin_form import change_form_data
from tests.factories import ProductModelFactory, ProductUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_takes_a_batch_into_the_register():
    model = ProductModelFactory(code="KFR-35GW")
    ProductUnitFactory(model=model, batch="B1", factory="合肥工厂", production_date=dt.date(2026, 2, 3))
    production_batches_infer()
    batch = ProductionBatch.objects.get()
    assert batch.source == BatchSource.UNITS
    client = Client()
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL))
    url = reverse("admin:catalog_productionbatch_change", args=[batch.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = change_form_data(page, factory="佛山工厂")
    data |= {
        "components-TOTAL_FORMS": "1",
        "components-INITIAL_FORMS": "0",
        "components-MIN_NUM_FORMS": "0",
        "components-MAX_NUM_FORMS": "1000",
        "components-0-component": "C-470",
        "components-0-supplier": "宁波华德",
    }
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    batch.refresh_from_db()
    assert (batch.factory, batch.source) == ("佛山工厂", BatchSource.REGISTER)
    assert list(batch.components.values_list("component", "supplier")) == [("C-470", "宁波华德")]
    assert AuditEvent.objects.filter(object_type="catalog.productionbatch", object_id=str(batch.pk)).exists()
    ProductUnitFactory(model=model, batch="B1", factory="合肥工厂")
    assert production_batches_infer() == 0
    assert ProductionBatch.objects.get().factory == "佛山工厂"


@pytest.mark.parametrize(
    ("fault", "registered", "expected"),
    [
        ("C-470 启动电容", "C-470", True),
        ("C-470 启动电容", "启动电容", True),
        ("c-470 启动电容", "C-470 启动电容", True),
        ("C-4701 电容", "C-470", False),
        ("", "C-470", False),
        ("压缩机", "", False),
    ],
)
def test_a_faults_component_matches_the_registers(fault: str, registered: str, expected: bool) -> None:
    assert component_matches(fault, registered) is expected
