"""A filter that applies as soon as it changes, without an inline handler (CSP): the
requisitions' status select carries data-autosubmit and app.js submits its form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory

from aftersales.accounts.models import DataScope, Role

from .pages import LoginPage

pytestmark = pytest.mark.browser


def test_changing_the_status_filter_submits_the_form(page) -> None:  # type: ignore[no-untyped-def]
    keeper = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL, username="auto-keeper")
    LoginPage(page).open().sign_in_home(keeper.username, PASSWORD)
    page.goto("/parts/requisitions/")
    select = page.get_by_test_id("requisition-filters").locator("select[name=status]")
    assert select.get_attribute("onchange") is None and select.get_attribute("data-autosubmit") is not None
    select.select_option("all")
    page.wait_for_url("**/parts/requisitions/?status=all")
    expect(page.get_by_test_id("requisition-filters").locator("select[name=status]")).to_have_value("all")
