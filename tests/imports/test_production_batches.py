"""The production register's import (``batches``): one row per model and batch, the key components
in one cell; good rows, every class of bad row with its column and reason in both languages, the
update of what was inferred from the serial units (the register wins), the template, who may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from aftersales.audit.models import AuditEvent
from aftersales.catalog.batches import components_text, parse_components
from aftersales.catalog.models import BatchSource, ProductionBatch
from aftersales.imports import selectors, services
from aftersales.imports.kinds import KINDS
from aftersales.imports.permissions import importable_kinds
from tests.factories import ProductModelFactory

from .helpers import admin, csv_bytes, errors_of, quality_manager, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
HEADER = ["产品型号", "批次", "工厂", "生产月份", "关键零部件"]


def _components(batch: ProductionBatch) -> list[tuple[str, str]]:
    return sorted(batch.components.values_list("component", "supplier"))


def test_batches_are_imported_then_reimported_unchanged_then_changed():
    actor = quality_manager()
    model = ProductModelFactory(code="KFR-35GW")
    rows = [
        HEADER,
        ["KFR-35GW", "B2501", "佛山工厂", "2025-01", "压缩机=凌达压缩机；C-470：宁波华德"],
        ["KFR-35GW", "B2502", "合肥工厂", dt.datetime(2025, 2, 17), ""],
    ]
    job = services.import_commit(job=upload(actor, "batches", xlsx_bytes(rows), name="批次.xlsx"), actor=actor)
    assert job.written_new == 2
    first = ProductionBatch.objects.get(model=model, batch="B2501")
    assert (first.factory, first.production_month, first.source) == ("佛山工厂", dt.date(2025, 1, 1), BatchSource.REGISTER)
    assert _components(first) == [("C-470", "宁波华德"), ("压缩机", "凌达压缩机")]
    assert ProductionBatch.objects.get(batch="B2502").production_month == dt.date(2025, 2, 1)
    assert AuditEvent.objects.filter(action="import.record_created", object_type="catalog.productionbatch").count() == 2

    again = upload(actor, "batches", xlsx_bytes(rows), name="批次.xlsx")
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 2)

    rows[1][4] = "压缩机=美芝"
    changed = upload(actor, "batches", xlsx_bytes(rows))
    assert changed.changed_rows == 1
    services.import_commit(job=changed, actor=actor)
    assert _components(ProductionBatch.objects.get(batch="B2501")) == [("压缩机", "美芝")]
    event = AuditEvent.objects.get(action="import.record_changed")
    assert event.changes["components"] == ["C-470=宁波华德; 压缩机=凌达压缩机", "压缩机=美芝"]


def test_an_import_takes_over_a_batch_inferred_from_the_units():
    actor = admin()
    model = ProductModelFactory(code="KFR-35GW")
    ProductionBatch.objects.create(model=model, batch="B1", factory="合肥工厂", source=BatchSource.UNITS)
    job = upload(actor, "batches", csv_bytes([["Model number", "Batch", "Factory"], ["KFR-35GW", "B1", "佛山工厂"]]))
    assert job.changed_rows == 1
    services.import_commit(job=job, actor=actor)
    stored = ProductionBatch.objects.get(batch="B1")
    assert (stored.factory, stored.source) == ("佛山工厂", BatchSource.REGISTER)


def test_bad_rows_name_their_column_and_reason_in_both_languages():
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    rows = [
        HEADER,
        ["KFR-35GW", "B1", "佛山工厂", "2025-01", "压缩机=凌达"],  # row 2: fine
        ["NOPE-1", "B2", "", "", ""],  # row 3: unknown model
        ["KFR-35GW", "", "", "", ""],  # row 4: no batch
        ["KFR-35GW", "B3", "", "January", ""],  # row 5: not a month
        ["KFR-35GW", "B4", "", "", "压缩机"],  # row 6: no supplier
        ["KFR-35GW", "B5", "", "", "压缩机=凌达; 压缩机=美芝"],  # row 7: a component twice
        ["KFR-35GW", "B1", "", "", ""],  # row 8: same key as row 2
        ["KFR-35GW", "B6", "x" * 65, "", ""],  # row 9: too long
    ]
    job = upload(actor, "batches", csv_bytes(rows))
    assert errors_of(job) == [
        (3, "model", "unknown_model"),
        (4, "batch", "required"),
        (5, "production_month", "month_invalid"),
        (6, "components", "component_pair_invalid"),
        (7, "components", "component_repeated"),
        (8, "model", "duplicate_key"),
        (9, "factory", "too_long"),
    ]
    with translation.override("en"):
        shown = {e.row: (e.column_label, e.text) for e in selectors.import_errors(job)}
    assert shown[6] == (
        "Key components",
        "“压缩机” is not a component and its supplier. Write it as compressor=GMCC; control board=Topband.",
    )
    assert shown[7] == ("Key components", "The component “压缩机” is named twice.")
    with translation.override("zh-hans"):
        shown = {e.row: (e.column_label, e.text) for e in selectors.import_errors(job)}
    assert shown[6][0] == "关键零部件" and "不是“零部件=供应商”的写法" in shown[6][1]
    assert shown[7] == ("关键零部件", "零部件“压缩机”出现了两次。")
    services.import_commit(job=job, actor=actor)
    assert list(ProductionBatch.objects.values_list("batch", flat=True)) == ["B1"]


def test_the_components_text_round_trips():
    pairs = parse_components(" 主控板 ＝ 拓邦 ;; 压缩机:美芝\nc-470=华德 ")
    assert pairs == [("c-470", "华德"), ("主控板", "拓邦"), ("压缩机", "美芝")]
    assert parse_components(components_text(pairs)) == pairs


def test_who_may_import_batches_and_the_template(client):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from aftersales.accounts.models import Role
    from tests.factories import PASSWORD, UserFactory

    assert "batches" in importable_kinds(quality_manager()) and "batches" in importable_kinds(admin())
    assert "batches" not in importable_kinds(UserFactory(role=Role.AGENT))
    assert KINDS["batches"].kind == "batches"
    user = quality_manager()
    assert client.login(username=user.username, password=PASSWORD)
    zh = client.get(reverse("imports:template", args=["batches", "csv"]), headers={"Accept-Language": "zh-hans"})
    assert zh.status_code == 200
    text = zh.content.decode("utf-8-sig")
    assert text.startswith("产品型号,批次,工厂,生产月份,关键零部件") and "压缩机=广东美芝" in text
