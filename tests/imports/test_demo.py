"""The demo's shipment file: every batch the demo's units can carry, imported through the
import service without an error; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from aftersales.catalog.models import ShipmentVolume
from aftersales.demo import data, generate
from aftersales.demo.imports import load_imports_demo, shipments_csv
from aftersales.imports.models import ImportJob
from tests.factories import ProductModelFactory, RegionFactory

from .helpers import admin

pytestmark = pytest.mark.django_db


def test_the_demo_shipments_import_cleanly_once():
    admin()
    for _category, code, _name, _policy, (year, month) in data.PRODUCT_MODELS:
        ProductModelFactory(code=code, launched_on=dt.date(year, month, 1))
    for code, name, _en, _provinces in data.REGIONS:
        RegionFactory(code=code, name=name)
    out = io.StringIO()
    load_imports_demo(out)
    job = ImportJob.objects.get()
    assert (job.status, job.error_rows) == ("done", 0), job.errors[:3]
    assert job.written_new == job.total_rows == ShipmentVolume.objects.count() > 1000
    made = dt.date(2025, 7, 1)
    assert ShipmentVolume.objects.filter(batch=generate.batch_code(made, 2), model__code="KFR-35GW/BP3DN8Y").count() == 7

    load_imports_demo(out)
    assert ImportJob.objects.count() == 1
    assert "already loaded" in out.getvalue()


def test_the_file_has_chinese_headers_and_a_bom():
    content = shipments_csv(dt.date(2026, 1, 15)).decode("utf-8")
    assert content.startswith("\ufeff型号,批次,月份,区域,出货数量")
    assert "KFR-35GW/BP3DN8Y,B2025-12-A,2026-01,east," in content
