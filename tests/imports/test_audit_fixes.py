"""The day-zero audit of the imports: a customer's address imported with the customer (the region
derived from it, as on every other path), and every kind's preview naming the columns it
ignored, before anything is written."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import RegionArea
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Address, Customer
from aftersales.imports import files, services
from aftersales.imports.kinds import KIND_PATHS, KINDS
from aftersales.imports.kinds.addresses import split_full_address
from aftersales.imports.models import ImportKind, ImportStatus
from tests.clients import client_for, client_for_language
from tests.factories import CustomerFactory, RegionFactory

from .helpers import admin, csv_bytes, errors_of, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["客户姓名", "手机号", "省份", "城市", "区县", "详细地址", "邮编"]


@pytest.fixture
def east():
    region = RegionFactory(code="east", name="华东")
    RegionArea.objects.create(region=region, province="江苏", city="")
    return region


def test_the_auditors_sheet_imports_the_address_and_the_region_serving_it(east):
    """刘芳 (江苏南京): imported with her address, her region is 华东, not 无区域."""
    actor = admin()
    content = xlsx_bytes(
        [
            HEADER,
            ["刘芳", "13912345678", "江苏省", "南京市", "鼓楼区", "中山北路 100 号", "210009"],
            ["王强", "13912345679", "", "", "", "", ""],
        ]
    )
    job = upload(actor, "customers", content, name="客户.xlsx")
    assert job.status == ImportStatus.PREVIEWED
    assert (job.new_rows, job.error_rows, job.ignored_columns) == (2, 0, [])
    assert not Address.objects.exists()  # the preview writes nothing

    services.import_commit(job=job, actor=actor)
    liu = Customer.objects.get(name="刘芳")
    assert liu.region_id == east.pk
    address = liu.addresses.get()
    assert (address.province, address.city, address.district, address.detail, address.postal_code, address.is_default) == (
        "江苏省",
        "南京市",
        "鼓楼区",
        "中山北路 100 号",
        "210009",
        True,
    )
    wang = Customer.objects.get(name="王强")
    assert wang.region_id is None and not wang.addresses.exists()

    again = upload(actor, "customers", content, name="客户.xlsx")
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 2)
    with pytest.raises(ValidationFailed, match="Nothing to import"):  # import_nothing_to_import
        services.import_commit(job=again, actor=actor)
    assert liu.addresses.count() == 1


def test_an_address_added_to_a_stored_customer_becomes_the_default_and_a_set_region_is_kept(east):
    actor = admin()
    north = RegionFactory(code="north", name="华北")
    no_region = CustomerFactory(phone="+8613900000001")
    Address.objects.create(customer=no_region, province="上海市", city="上海", detail="旧地址 1 号", is_default=True)
    with_region = CustomerFactory(phone="+8613900000002", region=north)
    before = Customer.objects.get(pk=no_region.pk).version
    content = csv_bytes(
        [
            HEADER,
            [no_region.name, "13900000001", "江苏", "南京", "", "新地址 2 号", ""],
            [with_region.name, "13900000002", "江苏", "苏州", "", "观前街 3 号", ""],
        ]
    )
    job = upload(actor, "customers", content)
    assert (job.new_rows, job.changed_rows) == (0, 2)
    services.import_commit(job=job, actor=actor)

    no_region.refresh_from_db()
    assert no_region.region_id == east.pk and no_region.version == before + 1
    assert list(no_region.addresses.order_by("pk").values_list("detail", "is_default")) == [
        ("旧地址 1 号", False),
        ("新地址 2 号", True),
    ]
    with_region.refresh_from_db()
    assert with_region.region_id == north.pk  # a region set before is kept
    assert with_region.addresses.get().city == "苏州"

    # The same address written another way (江苏省 / 南京市, spaces) is not added again.
    same = upload(
        actor, "customers", csv_bytes([HEADER, [no_region.name, "13900000001", "江苏省", "南京市", "", "新地址2号", ""]])
    )
    assert (same.changed_rows, same.unchanged_rows) == (0, 1)


def test_an_address_without_its_city_or_street_is_refused_on_those_columns():
    actor = admin()
    job = upload(actor, "customers", csv_bytes([HEADER, ["刘芳", "13912345678", "江苏省", "", "鼓楼区", "", ""]]))
    assert job.error_rows == 1 and job.new_rows == 0
    assert errors_of(job) == [(2, "city", "address_incomplete"), (2, "detail", "address_incomplete")]


def test_a_whole_address_in_one_cell_is_split_else_named_incomplete(east):
    actor = admin()
    content = csv_bytes(
        [
            ["客户姓名", "手机号", "地址"],
            ["刘芳", "13912345678", "江苏省南京市鼓楼区中山北路 100 号"],
            ["王强", "13912345679", "南京中山路 1 号"],
        ]
    )
    job = upload(actor, "customers", content)
    assert (job.new_rows, job.error_rows) == (1, 1)
    assert errors_of(job) == [(3, "province", "address_incomplete"), (3, "city", "address_incomplete")]
    services.import_commit(job=job, actor=actor)
    liu = Customer.objects.get(name="刘芳")
    address = liu.addresses.get()
    assert (address.province, address.city, address.district, address.detail) == ("江苏省", "南京市", "鼓楼区", "中山北路100号")
    assert liu.region_id == east.pk


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("上海徐汇区漕溪北路88号3栋502室", ("上海市", "上海市", "徐汇区", "漕溪北路88号3栋502室")),
        ("北京市北京市朝阳区建国路 1 号", ("北京市", "北京市", "朝阳区", "建国路1号")),
        ("广西壮族自治区南宁市青秀区民族大道 9 号", ("广西壮族自治区", "南宁市", "青秀区", "民族大道9号")),
        ("浙江杭州市西湖大道 5 号", ("浙江省", "杭州市", "", "西湖大道5号")),
        ("浙江省杭州市翠苑小区", ("浙江省", "杭州市", "", "翠苑小区")),
        ("中山北路 100 号", None),
        ("江苏省南京市", None),
    ],
)
def test_splitting_a_whole_address(text, parts):
    assert split_full_address(text) == parts


def test_an_explicit_region_wins_over_the_address(east):
    actor = admin()
    north = RegionFactory(code="north", name="华北")
    services.import_commit(
        job=upload(
            actor,
            "customers",
            csv_bytes([[*HEADER, "区域"], ["刘芳", "13912345678", "江苏", "南京", "", "中山路 1 号", "", "north"]]),
        ),
        actor=actor,
    )
    assert Customer.objects.get(name="刘芳").region_id == north.pk


def test_the_preview_lists_the_ignored_columns_before_the_import_runs():
    actor = admin()
    content = csv_bytes([["客户姓名", "手机号", "微信号", "", "备注"], ["刘芳", "13912345678", "liufang", "", "老客户"]])
    job = upload(actor, "customers", content)
    assert job.status == ImportStatus.PREVIEWED and not Customer.objects.exists()
    assert job.ignored_columns == ["微信号", "备注"]  # a blank header cell is no column

    page = client_for_language(actor, "zh-hans").get(reverse("imports:detail", args=[job.pk]))
    body = page.content.decode()
    assert 'data-test-id="import-ignored"' in body and "未导入的列" in body
    assert body.count('data-test-id="import-ignored-column"') == 2 and "微信号" in body and "备注" in body
    assert body.index('data-test-id="import-ignored"') < body.index('data-test-id="import-commit"')
    english = client_for_language(actor, "en").get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "Columns not imported" in english and "Street address" in english  # the columns it reads

    done = services.import_commit(job=job, actor=actor)
    assert done.ignored_columns == ["微信号", "备注"] and Customer.objects.count() == 1
    assert "微信号" in client_for(actor).get(reverse("imports:detail", args=[job.pk])).content.decode()


@pytest.mark.parametrize("kind", ImportKind.values)
def test_every_kind_names_its_ignored_columns_and_its_template_reads_back_with_none(kind):
    """The template's header plus one column no kind knows: that one, and only it, is listed."""
    actor = admin()
    header = next(csv.reader(io.StringIO(files.template_csv(kind).decode("utf-8-sig"))))
    job = upload(actor, kind, csv_bytes([[*header, "Unknown column"], ["x"] * (len(header) + 1)]))
    assert job.status == ImportStatus.PREVIEWED, job.file_error
    assert job.ignored_columns == ["Unknown column"]


def test_the_customer_template_has_the_address_columns():
    with translation.override("zh-hans"):
        header = next(csv.reader(io.StringIO(files.template_csv("customers").decode("utf-8-sig"))))
    assert {"省份", "城市", "区县", "详细地址", "邮政编码"} <= set(header)


def test_every_kind_of_the_choices_has_its_class_and_every_path_imports():
    assert set(KINDS) == set(ImportKind.values)
    for kind in ImportKind.values:
        assert KINDS[kind].kind == kind
    for kind in KIND_PATHS:
        assert KINDS[kind].__module__.startswith("aftersales.")
