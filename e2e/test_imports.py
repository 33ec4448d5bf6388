"""Imports in the browser at 375 px: an administrator uploads a small .xlsx of customers (one row
in error), reads the check's figures and the row's reason, imports it, and sees the rows
created; every step fits a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory
from tests.imports.helpers import xlsx_bytes

from aftersales.accounts.models import DataScope, Role
from aftersales.customers.models import Customer

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import WIDTH, assert_fits

pytestmark = pytest.mark.browser

ROWS = [
    ["姓名", "手机号", "邮箱", "客户类型"],
    ["周晓明", "13812340001", "zhou@example.com", "个人"],
    ["吴婷", "13812340002", "", "企业"],
    ["郑浩", "12345", "", ""],
]


def test_a_customer_sheet_checked_then_imported_on_a_phone(browser, live_server, transactional_db):
    UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, username="e2e-importer")
    page = new_page(browser, live_server, width=WIDTH, height=812)
    try:
        LoginPage(page).open().sign_in_home("e2e-importer", PASSWORD)
        page.goto("/imports/")
        assert_fits(page, "the import page")
        form = page.get_by_test_id("import-upload")
        form.get_by_test_id("field-kind").locator("select").select_option("customers")
        form.get_by_test_id("field-file").locator("input").set_input_files(
            files=[
                {
                    "name": "客户.xlsx",
                    "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "buffer": xlsx_bytes(ROWS),
                }
            ]
        )
        page.get_by_test_id("import-submit").click()
        # The check: three rows, two new, one refused with its row, column and reason in Chinese.
        figures = page.get_by_test_id("import-figures")
        expect(figures.get_by_test_id("fig-rows")).to_have_text("3")
        expect(figures.get_by_test_id("fig-new")).to_have_text("2")
        expect(figures.get_by_test_id("fig-errors")).to_have_text("1")
        errors = page.get_by_test_id("import-errors")
        expect(errors).to_contain_text("12345")
        expect(errors).to_contain_text("手机号")
        expect(page.get_by_test_id("import-preview")).to_contain_text("周晓明")
        assert_fits(page, "the check's result")
        assert Customer.objects.count() == 0  # nothing written before the commit
        page.get_by_test_id("import-commit").click()
        expect(page.get_by_test_id("fig-created")).to_have_text("2")
        expect(page.get_by_test_id("import-preview")).to_contain_text("吴婷")
        assert_fits(page, "the import's result")
        assert sorted(Customer.objects.values_list("name", "phone")) == [
            ("吴婷", "+8613812340002"),
            ("周晓明", "+8613812340001"),
        ]
        page.goto("/imports/")
        expect(page.get_by_test_id("import-jobs")).to_contain_text("客户.xlsx")
    finally:
        page.context.close()
