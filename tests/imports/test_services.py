"""Importing master data: preview figures, every class of error with its row, column and
reason, the commit, and re-importing the same file changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.catalog.models import ProductModel, ProductUnit, ShipmentVolume
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import ConsentRecord, Customer
from aftersales.imports import selectors, services
from aftersales.imports.models import ImportStatus
from tests.factories import CustomerFactory, ProductCategoryFactory, ProductModelFactory, RegionFactory, WarrantyPolicyFactory

from .helpers import admin, csv_bytes, errors_of, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

UNIT_HEADER = ["序列号", "型号", "批次", "工厂", "生产日期", "销售渠道", "门店/经销商", "购买日期", "用户手机号"]
SHIPMENT_HEADER = ["Model number", "Batch", "Month", "Region", "Units shipped"]


def test_units_from_a_chinese_csv_preview_then_commit_then_reimport_changes_nothing():
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    owner = CustomerFactory(phone="+8613812345678")
    content = csv_bytes(
        [
            UNIT_HEADER,
            [
                "kt2507sz000001",
                "KFR-35GW",
                "B2025-07-A",
                "苏州工厂",
                "2025-07-15",
                "线上",
                "京东自营旗舰店",
                "2025/8/20",
                "138 1234 5678",
            ],
            ["KT2507SZ000002", "KFR-35GW", "B2025-07-A", "苏州工厂", "20250716", "store", "", "", ""],
        ]
    )
    job = upload(actor, "units", content)
    assert job.status == ImportStatus.PREVIEWED
    assert (job.total_rows, job.new_rows, job.changed_rows, job.unchanged_rows, job.error_rows) == (2, 2, 0, 0, 0)
    assert not ProductUnit.objects.exists()  # the preview writes nothing

    job = services.import_commit(job=job, actor=actor)
    assert job.status == ImportStatus.DONE
    assert (job.written_new, job.written_changed) == (2, 0)
    unit = ProductUnit.objects.get(serial_number="KT2507SZ000001")
    assert (unit.batch, unit.production_date, unit.purchase_date, unit.sales_channel, unit.customer_id) == (
        "B2025-07-A",
        dt.date(2025, 7, 15),
        dt.date(2025, 8, 20),
        "online",
        owner.pk,
    )
    assert AuditEvent.objects.filter(object_type="imports.importjob", object_id=str(job.pk), action="import.completed").exists()

    again = upload(actor, "units", content)
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 2)
    with pytest.raises(ValidationFailed, match="Nothing to import"):  # import_nothing_to_import
        services.import_commit(job=again, actor=actor)
    assert ProductUnit.objects.count() == 2


def test_a_changed_row_updates_only_that_record_and_blank_cells_keep_what_is_stored():
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    services.import_commit(
        job=upload(
            actor,
            "units",
            csv_bytes([UNIT_HEADER[:4], ["SN1", "KFR-35GW", "B1", "苏州工厂"], ["SN2", "KFR-35GW", "B1", "苏州工厂"]]),
        ),
        actor=actor,
    )
    job = upload(actor, "units", csv_bytes([UNIT_HEADER[:4], ["SN1", "KFR-35GW", "B2", ""], ["SN2", "KFR-35GW", "B1", ""]]))
    assert (job.new_rows, job.changed_rows, job.unchanged_rows) == (0, 1, 1)
    services.import_commit(job=job, actor=actor)
    assert dict(ProductUnit.objects.values_list("serial_number", "batch")) == {"SN1": "B2", "SN2": "B1"}
    assert set(ProductUnit.objects.values_list("factory", flat=True)) == {"苏州工厂"}


def test_shipments_from_xlsx_with_dates_and_regions_are_upserted_on_their_natural_key():
    actor = admin()
    model = ProductModelFactory(code="BCD-520")
    east = RegionFactory(code="east", name="华东")
    rows = [
        SHIPMENT_HEADER,
        ["BCD-520", "B2025-07-A", dt.datetime(2025, 8, 17), "east", 1200],
        ["BCD-520", "B2025-07-A", "2025-08", "", "300"],
        ["BCD-520", "B2025-07-A", "2025年9月", "华东", 1_000.0],
    ]
    job = services.import_commit(job=upload(actor, "shipments", xlsx_bytes(rows), name="出货.xlsx"), actor=actor)
    assert job.file_format == "xlsx"
    assert job.written_new == 3
    stored = {(s.month, s.region_id): s.units for s in ShipmentVolume.objects.filter(model=model)}
    assert stored == {
        (dt.date(2025, 8, 1), east.pk): 1200,
        (dt.date(2025, 8, 1), None): 300,
        (dt.date(2025, 9, 1), east.pk): 1000,
    }

    rows[2][4] = "350"
    job = upload(actor, "shipments", xlsx_bytes(rows), name="出货.xlsx")
    assert (job.new_rows, job.changed_rows, job.unchanged_rows) == (0, 1, 2)
    services.import_commit(job=job, actor=actor)
    assert ShipmentVolume.objects.get(model=model, region=None).units == 350
    assert ShipmentVolume.objects.count() == 3


def test_every_class_of_row_error_names_row_column_and_reason():
    actor = admin()
    ProductModelFactory(code="BCD-520")
    RegionFactory(code="east", name="华东")
    rows = [
        SHIPMENT_HEADER,
        ["BCD-520", "B1", "2025-08", "east", "10"],  # row 2: fine
        ["NOPE-1", "B1", "2025-08", "", "10"],  # row 3: unknown model
        ["BCD-520", "B1", "August", "", "10"],  # row 4: bad month
        ["BCD-520", "B1", "2025-09", "", "-5"],  # row 5: negative units
        ["BCD-520", "B1", "2025-09", "西藏", "5"],  # row 6: unknown region
        ["BCD-520", "B1", "2025-08", "east", "11"],  # row 7: same key as row 2
        ["BCD-520", "B1", "2025-10", "", "=SUM(A1:A3)"],  # row 8: a formula
        ["BCD-520", "B1", "2025-11", "", "many"],  # row 9: not a number
    ]
    job = upload(actor, "shipments", csv_bytes(rows))
    assert errors_of(job) == [
        (3, "model", "unknown_model"),
        (4, "month", "month_invalid"),
        (5, "units", "negative"),
        (6, "region", "unknown_region"),
        (7, "model", "duplicate_key"),
        (8, "units", "formula"),
        (9, "units", "number_invalid"),
    ]
    assert (job.total_rows, job.new_rows, job.error_rows) == (8, 1, 7)
    shown = {e.row: (e.column_label, e.text) for e in selectors.import_errors(job)}
    assert shown[3] == ("Model number", "No product model “NOPE-1”. Import the product models first.")
    assert shown[5] == ("Units shipped", "Must not be negative (-5).")
    assert "Model number" in shown[7][1] and "Month" in shown[7][1]
    job = services.import_commit(job=job, actor=actor)
    assert ShipmentVolume.objects.count() == 1  # rows with errors are skipped


def test_errors_are_said_in_the_readers_language():
    from django.utils import translation

    actor = admin()
    job = upload(actor, "units", csv_bytes([UNIT_HEADER[:2], ["SN1", "NOPE"]]))
    with translation.override("zh-hans"):
        (error,) = selectors.import_errors(job)
    assert error.column_label == "产品型号"
    assert error.text == "没有产品型号“NOPE”。请先导入产品型号。"


def test_unit_errors_bad_date_dates_out_of_order_unknown_owner_and_bad_phone():
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    rows = [
        UNIT_HEADER,
        ["SN1", "KFR-35GW", "", "", "2025-13-01", "", "", "", ""],
        ["SN2", "KFR-35GW", "", "", "2025-07-01", "", "", "2025-06-01", ""],
        ["SN3", "KFR-35GW", "", "", "", "", "", "", "13900000000"],
        ["SN4", "KFR-35GW", "", "", "", "", "", "", "12345"],
        ["SN5", "KFR-35GW", "", "", "", "by pigeon", "", "", ""],
        ["", "KFR-35GW", "", "", "", "", "", "", ""],
    ]
    job = upload(actor, "units", csv_bytes(rows))
    assert errors_of(job) == [
        (2, "production_date", "date_invalid"),
        (3, "purchase_date", "dates_inconsistent"),
        (5, "owner_phone", "phone_invalid"),
        (6, "sales_channel", "choice_invalid"),
        (7, "serial_number", "required"),
        (4, "owner_phone", "unknown_owner"),  # found when the chunk is looked up
    ]


def test_customers_keyed_by_phone_with_bad_phone_and_duplicate_in_the_file():
    actor = admin()
    RegionFactory(code="east", name="华东")
    rows = [
        ["姓名", "手机号", "邮箱", "客户类型", "客户等级", "区域"],
        ["张伟", "13812345678", "ZW@Example.COM", "个人", "重要客户", "华东"],
        ["李娜", "12345", "", "", "", ""],
        ["张伟二", "+86 138-1234-5678", "", "", "", ""],
        ['=HYPERLINK("http://x")', "13912345678", "", "企业", "", ""],
    ]
    job = upload(actor, "customers", csv_bytes(rows))
    assert errors_of(job) == [(3, "phone", "phone_invalid"), (4, "phone", "duplicate_key")]
    services.import_commit(job=job, actor=actor)
    zhang = Customer.objects.get(phone="+8613812345678")
    assert (zhang.name, zhang.email, zhang.tier, zhang.region.code) == ("张伟", "ZW@example.com", "key", "east")
    # A formula is stored as the text it is, never evaluated.
    assert Customer.objects.get(phone="+8613912345678").name == '=HYPERLINK("http://x")'
    assert ConsentRecord.objects.filter(customer=zhang, source="staff", actor=actor).count() == 1
    assert upload(actor, "customers", csv_bytes(rows)).unchanged_rows == 2


def test_product_models_with_category_and_policy_by_name():
    actor = admin()
    ProductCategoryFactory(code="refrigerator", name="冰箱", name_en="Refrigerator")
    WarrantyPolicyFactory(name="整机三年")
    rows = [
        ["型号", "名称", "品类", "保修政策", "上市日期", "在售"],
        ["BCD-1", "对开门冰箱", "冰箱", "整机三年", "2024-03-01", "是"],
        ["BCD-2", "十字门冰箱", "refrigerator", "", "", "否"],
        ["BCD-3", "洗碗机", "dishwasher", "十年", "", ""],
    ]
    job = services.import_commit(job=upload(actor, "models", csv_bytes(rows)), actor=actor)
    assert errors_of(job) == [(4, "category", "unknown_category"), (4, "warranty_policy", "unknown_policy")]
    assert dict(ProductModel.objects.values_list("code", "active")) == {"BCD-1": True, "BCD-2": False}
    assert ProductModel.objects.get(code="BCD-1").launched_on == dt.date(2024, 3, 1)


def test_a_missing_column_refuses_the_file_naming_the_column():
    actor = admin()
    job = upload(actor, "units", csv_bytes([["序列号", "批次"], ["SN1", "B1"]]))
    assert job.status == ImportStatus.FAILED
    assert job.file_error["code"] == "missing_column"
    assert "Model number" in selectors.import_file_error(job)


def test_gbk_csv_and_utf8_with_bom_read_the_same():
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    rows = [UNIT_HEADER[:4], ["SN1", "KFR-35GW", "B1", "苏州工厂"]]
    gbk = upload(actor, "units", csv_bytes(rows, encoding="gbk"), name="units-gbk.csv")
    bom = upload(actor, "units", csv_bytes(rows, encoding="utf-8-sig"), name="units-bom.csv")
    for job in (gbk, bom):
        assert (job.status, job.new_rows, job.error_rows) == (ImportStatus.PREVIEWED, 1, 0)
        assert job.preview[0]["cells"]["factory"] == "苏州工厂"


def test_a_formula_cell_in_xlsx_is_kept_as_its_text_not_its_value():
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    rows = [
        ["Serial number", "Model number", "Batch", "Production date"],
        ["SN1", "KFR-35GW", "=1+1", "=TODAY()"],
        ["SN2", "KFR-35GW", "@cmd", ""],
    ]
    job = upload(actor, "units", xlsx_bytes(rows), name="units.xlsx")
    assert errors_of(job) == [(2, "production_date", "formula")]
    services.import_commit(job=job, actor=actor)
    assert ProductUnit.objects.get().batch == "@cmd"


def test_wrong_file_types_are_refused_at_upload_and_a_corrupt_workbook_at_the_check():
    from aftersales.core.errors import ValidationFailed

    actor = admin()
    with pytest.raises(ValidationFailed) as refused:
        upload(actor, "units", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="old.xls")
    assert (refused.value.code, refused.value.field) == ("import_wrong_type", "file")
    with pytest.raises(ValidationFailed) as refused:
        upload(actor, "units", b"not a zip at all", name="units.xlsx")
    assert refused.value.code == "import_corrupt_xlsx"
    with pytest.raises(ValidationFailed):
        upload(actor, "units", b"%PDF-1.4 ...", name="units.pdf")
    broken = xlsx_bytes([["Serial number"]])[:300]  # a zip cut short
    job = upload(actor, "units", broken, name="units.xlsx")
    assert (job.status, job.file_error["code"]) == (ImportStatus.FAILED, "corrupt_xlsx")
