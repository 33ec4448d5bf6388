"""The day-zero audit's missing kinds: the spare parts catalogue (with its compatible models) and
the warranty policies that give the product models their terms."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.catalog.models import ProductModel, WarrantyBasis, WarrantyPolicy
from aftersales.imports import services
from aftersales.imports.models import ImportStatus
from aftersales.parts.models import Part
from tests.clients import client_for
from tests.factories import ProductCategoryFactory, ProductModelFactory

from .helpers import admin, csv_bytes, errors_of, quality_manager, upload

pytestmark = pytest.mark.django_db

PART_HEADER = ["备件编号", "备件名称", "成本价", "销售价", "备件保修月数", "启用", "适用型号"]


def _models(part: Part) -> set[str]:
    return set(part.compatible_models.values_list("code", flat=True))


def test_parts_preview_commit_and_reimport_changes_nothing():
    actor = admin()
    ProductModelFactory(code="KFR-35GW/BP3DN8Y")
    ProductModelFactory(code="KFR-26GW/BP3DN8Y")
    content = csv_bytes(
        [
            PART_HEADER,
            ["P-COMP-35", "压缩机 1.5匹", "420", "¥680.50", "12", "是", "KFR-35GW/BP3DN8Y、kfr-26gw/bp3dn8y"],
            ["P-FAN-01", "室内风机", "1,200.00", "1500元", "", "", ""],
        ]
    )
    job = upload(actor, "parts", content, name="备件.csv")
    assert job.status == ImportStatus.PREVIEWED
    assert (job.new_rows, job.error_rows) == (2, 0) and not Part.objects.exists()

    job = services.import_commit(job=job, actor=actor)
    assert (job.status, job.written_new) == (ImportStatus.DONE, 2)
    compressor = Part.objects.get(number="P-COMP-35")
    assert (compressor.name, compressor.unit_cost, compressor.unit_price, compressor.warranty_months, compressor.active) == (
        "压缩机 1.5匹",
        Decimal("420.00"),
        Decimal("680.50"),
        12,
        True,
    )
    assert _models(compressor) == {"KFR-35GW/BP3DN8Y", "KFR-26GW/BP3DN8Y"}
    fan = Part.objects.get(number="P-FAN-01")
    assert (fan.unit_cost, fan.unit_price, fan.warranty_months) == (Decimal("1200.00"), Decimal("1500.00"), 3)
    assert _models(fan) == set()

    again = upload(actor, "parts", content, name="备件.csv")
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 2)


def test_a_changed_part_is_updated_and_an_empty_models_cell_keeps_the_list():
    actor = admin()
    first, second = ProductModelFactory(code="M-1"), ProductModelFactory(code="M-2")
    part = Part.objects.create(number="P-1", name="主板", unit_cost=Decimal("100"), unit_price=Decimal("150"))
    part.compatible_models.set([first])
    other = Part.objects.create(number="P-2", name="门封条", unit_cost=Decimal("5"), unit_price=Decimal("20"))
    other.compatible_models.set([first])

    content = csv_bytes(
        [
            PART_HEADER,
            ["P-1", "主板", "100", "180", "", "否", "M-2"],  # a new price, inactive, another model
            ["P-2", "门封条", "5", "20", "", "", ""],  # empty models: the list stays
        ]
    )
    job = upload(actor, "parts", content)
    assert (job.changed_rows, job.unchanged_rows) == (1, 1)
    services.import_commit(job=job, actor=actor)
    part.refresh_from_db()
    assert (part.unit_price, part.active) == (Decimal("180.00"), False)
    assert _models(part) == {"M-2"}
    assert _models(other) == {"M-1"}
    assert second.spare_parts.get() == part


def test_part_rows_with_errors_are_skipped_with_their_reasons():
    actor = admin()
    ProductModelFactory(code="M-1")
    content = csv_bytes(
        [
            PART_HEADER,
            ["P-1", "主板", "abc", "150", "", "", ""],
            ["P-2", "门封条", "5", "-1", "", "", ""],
            ["P-3", "风扇", "5", "10.555", "999", "也许", "M-1, M-9"],
            ["P-4", "", "", "", "", "", ""],
            ["P-5", "电容", "1", "2", "", "", "M-1"],
        ]
    )
    job = upload(actor, "parts", content)
    assert (job.new_rows, job.error_rows) == (1, 4)
    assert errors_of(job) == [
        (2, "unit_cost", "amount_invalid"),
        (3, "unit_price", "negative"),
        (4, "unit_price", "amount_invalid"),
        (4, "warranty_months", "out_of_range"),
        (4, "active", "choice_invalid"),
        (4, "compatible_models", "unknown_model"),
        (5, "name", "required"),
        (5, "unit_cost", "required"),
        (5, "unit_price", "required"),
    ]
    services.import_commit(job=job, actor=actor)
    assert list(Part.objects.values_list("number", flat=True)) == ["P-5"]


def test_only_administrators_import_parts_and_the_template_is_offered():
    manager = quality_manager()
    assert "parts" not in [k for k, _ in client_for(manager).get(reverse("imports:list")).context["templates"]]
    response = client_for(admin()).get(reverse("imports:template", args=["parts", "csv"]))
    assert response.status_code == 200
    assert "备件编号" in response.content.decode("utf-8-sig") or "Part number" in response.content.decode("utf-8-sig")


def test_warranty_policies_then_models_give_each_model_its_terms():
    actor = admin()
    ProductCategoryFactory()
    policies = csv_bytes(
        [
            ["保修政策", "保修月数", "起算日期", "保修配件", "保修人工", "生产后宽限月数"],
            ["整机三年", "36", "购买日期", "是", "否", "6"],
            ["压缩机十年", "120", "production", "yes", "no", ""],
            ["坏行", "0", "某天", "", "", ""],
        ]
    )
    job = upload(actor, "policies", policies)
    assert (job.new_rows, job.error_rows) == (2, 1)
    assert errors_of(job) == [(4, "months", "out_of_range"), (4, "basis", "choice_invalid")]
    services.import_commit(job=job, actor=actor)
    three = WarrantyPolicy.objects.get(name="整机三年")
    assert (three.months, three.basis, three.covers_parts, three.covers_labour, three.production_grace_months) == (
        36,
        WarrantyBasis.PURCHASE,
        True,
        False,
        6,
    )
    assert WarrantyPolicy.objects.get(name="压缩机十年").basis == WarrantyBasis.PRODUCTION

    models = csv_bytes([["产品型号", "产品名称", "品类", "保修政策"], ["KFR-72LW", "3匹柜机", "air-conditioner", "整机三年"]])
    services.import_commit(job=upload(actor, "models", models), actor=actor)
    assert ProductModel.objects.get(code="KFR-72LW").warranty_policy == three

    changed = upload(actor, "policies", csv_bytes([["保修政策", "保修月数"], ["整机三年", "24"]]))
    assert (changed.changed_rows, changed.new_rows) == (1, 0)
    services.import_commit(job=changed, actor=actor)
    three.refresh_from_db()
    assert (three.months, three.covers_labour) == (24, False)  # an empty cell keeps what is stored
