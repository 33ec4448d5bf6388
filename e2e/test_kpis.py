"""Staff KPIs in the browser: a supervisor opens the KPI page for October 2025, reads the
definitions, follows a first-response SLA figure of an agent to the ticket behind it, exports
those tickets to Excel (the file opened with openpyxl) and opens the ticket; the page fits a
phone."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from tests.analytics.fixtures import build_world
from tests.factories import PASSWORD, UserFactory

from aftersales.accounts.models import DataScope, Role
from aftersales.analytics.services import analytics_refresh
from aftersales.exports.models import Export
from aftersales.exports.running import Outcome, run_export

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import assert_fits

pytestmark = pytest.mark.browser


def test_supervisor_follows_a_kpi_to_the_tickets_behind_it(browser, live_server, transactional_db):
    world = build_world()
    analytics_refresh()
    UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="e2e-kpi-boss")

    page = new_page(browser, live_server)
    try:
        LoginPage(page).open().sign_in_home("e2e-kpi-boss", PASSWORD)
        page.goto("/dashboard/kpis/?from=2025-10-01&to=2025-10-31")
        row = page.get_by_test_id(f"kpi-row-{world.wang.pk}")
        expect(row).to_be_visible()
        expect(page.get_by_test_id(f"kpi-handled-{world.wang.pk}")).to_have_text("3")
        expect(page.get_by_test_id("kpi-definitions")).to_contain_text("90")
        page.get_by_test_id(f"kpi-fr-sla-{world.wang.pk}").click()
        expect(page.get_by_test_id("drill-summary")).to_contain_text("1")
        expect(page.get_by_test_id("drill-row")).to_have_count(1)
        # Export the tickets behind the figure: the job runs as a worker would; the page polls.
        drill_url = page.url
        page.get_by_test_id("export-xlsx").click()
        expect(page.get_by_test_id("export-detail")).to_be_visible()
        export = Export.objects.get(user__username="e2e-kpi-boss")
        assert export.kind == "drill_tickets"
        assert run_export(export.pk) == Outcome.DONE
        with page.expect_download() as download:
            page.get_by_test_id("export-download").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "工单号" and [r[0] for r in rows[1:]] == [world.a.number]
        page.goto(drill_url)
        page.get_by_test_id(f"drill-ticket-{world.a.number}").click()
        expect(page).to_have_url(f"{live_server.url}/tickets/{world.a.number}/")
    finally:
        page.context.close()

    phone = new_page(browser, live_server, width=375, height=812)
    try:
        LoginPage(phone).open().sign_in_home("e2e-kpi-boss", PASSWORD)
        phone.goto("/dashboard/kpis/?from=2025-10-01&to=2025-10-31")
        assert_fits(phone, "kpi page")
    finally:
        phone.context.close()
