"""The import templates' sample row in the reader's language (the English template has no Chinese
labels under Customer type and Tier), both languages' labels accepted on import, and a file with
nothing to import offering no Import button."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from aftersales.customers.models import Customer, CustomerKind, CustomerTier
from aftersales.imports import files, services
from aftersales.imports.models import ImportStatus
from tests.clients import client_for_language
from tests.factories import RegionFactory

from .helpers import admin, csv_bytes, upload

pytestmark = pytest.mark.django_db


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _sample(rows: list[list[str]], header: str) -> str:
    return rows[1][rows[0].index(header)]


def test_the_english_template_has_its_sample_row_in_english():
    with translation.override("en"):
        rows = _csv_rows(files.template_csv("customers"))
        sheet = load_workbook(io.BytesIO(files.template_xlsx("customers"))).worksheets[0]
    assert (_sample(rows, "Customer type"), _sample(rows, "Tier")) == ("Person", "Normal customer")
    xlsx = [[c.value for c in row] for row in sheet.iter_rows()]
    assert xlsx[1][xlsx[0].index("Customer type")] == "Person" and xlsx[1][xlsx[0].index("Tier")] == "Normal customer"
    with translation.override("en"):
        policies = _csv_rows(files.template_csv("policies"))
    assert _sample(policies, "Covers parts") == "yes" and _sample(policies, "Counted from") == "From purchase date"


def test_the_chinese_template_keeps_its_sample_row_in_chinese():
    with translation.override("zh-hans"):
        rows = _csv_rows(files.template_csv("customers"))
    assert (_sample(rows, "客户类型"), _sample(rows, "客户等级")) == ("个人", "一般客户")


def test_the_template_download_follows_the_readers_language():
    page = client_for_language(admin(), "en").get(reverse("imports:template", args=["customers", "csv"]))
    rows = _csv_rows(page.content)
    assert _sample(rows, "Customer type") == "Person" and "个人" not in page.content.decode("utf-8-sig")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_templates_sample_row_imports_as_it_is(language):
    RegionFactory(code="east", name="华东")  # the sample row's region
    actor = admin()
    with translation.override(language):
        content = files.template_csv("customers")
    job = upload(actor, "customers", content)
    assert job.status == ImportStatus.PREVIEWED and job.error_rows == 0, job.errors
    services.import_commit(job=job, actor=actor)
    customer = Customer.objects.get()
    assert (customer.kind, customer.tier) == (CustomerKind.PERSON, CustomerTier.NORMAL)


def test_both_languages_labels_are_accepted_in_one_file():
    actor = admin()
    rows = [
        ["Name", "Mobile phone", "Customer type", "Tier"],
        ["刘芳", "13912345671", "Company", "Key customer"],
        ["王强", "13912345672", "企业", "重要客户"],
        ["张伟", "13912345673", "company", "long_term"],
    ]
    job = upload(actor, "customers", csv_bytes(rows))
    assert job.error_rows == 0, job.errors
    services.import_commit(job=job, actor=actor)
    assert {(c.kind, c.tier) for c in Customer.objects.all()} == {
        (CustomerKind.COMPANY, CustomerTier.KEY),
        (CustomerKind.COMPANY, CustomerTier.LONG_TERM),
    }


def test_a_file_without_a_valid_row_offers_no_import():
    actor = admin()
    job = upload(actor, "customers", csv_bytes([["客户姓名", "手机号"], ["", "not a phone"], ["王强", "123"]]))
    assert job.status == ImportStatus.PREVIEWED and job.error_rows == 2 and not job.new_rows
    english = client_for_language(actor, "en").get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-test-id="import-commit"' not in english and "Ready to import" not in english
    assert 'data-test-id="import-status">Nothing to import<' in english
    assert "No row of the file can be imported" in english and 'data-test-id="import-discard"' in english
    chinese = client_for_language(actor, "zh-hans").get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-test-id="import-commit"' not in chinese and "无可导入的数据" in chinese


def test_a_file_whose_rows_are_all_unchanged_offers_no_import_either():
    actor = admin()
    content = csv_bytes([["客户姓名", "手机号"], ["王强", "13912345679"]])
    services.import_commit(job=upload(actor, "customers", content), actor=actor)
    again = upload(actor, "customers", content)
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 1)
    page = client_for_language(actor, "en").get(reverse("imports:detail", args=[again.pk])).content.decode()
    assert 'data-test-id="import-commit"' not in page and "every valid row is already as the file says" in page


def test_a_file_with_valid_rows_still_offers_the_import():
    actor = admin()
    job = upload(actor, "customers", csv_bytes([["客户姓名", "手机号"], ["王强", "13912345679"], ["", "x"]]))
    page = client_for_language(actor, "en").get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-test-id="import-commit"' in page and "Ready to import" in page
    assert 'data-test-id="import-nothing"' not in page
