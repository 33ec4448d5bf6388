"""The management dashboard's figures as Excel: the page's filters and scope, opened with
openpyxl, against the hand-computed world of ``fixtures``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.exports import services
from aftersales.exports.registry import kind_for_user
from aftersales.quality.rollup import fault_rollup_refresh
from tests.clients import client_for
from tests.exports.helpers import column, export_sheet, header

from .fixtures import DataScope, Role, staff

pytestmark = pytest.mark.django_db
SEP_OCT = {"from": "2025-09", "to": "2025-10"}


def test_months_sheet_matches_the_dashboard(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL, language="en")
    sheet, rows = export_sheet("management_months", boss, SEP_OCT)
    assert rows == 2
    assert sheet.freeze_panes == "A2"
    assert column(sheet, "Month") == ["2025-09", "2025-10"]
    assert column(sheet, "Tickets") == [0, 4]
    assert column(sheet, "Hotline / phone") == [0, 4]
    assert column(sheet, "Refunds")[1] == 300 and column(sheet, "Compensation")[1] == 80
    assert column(sheet, "Total cost") == [0, 550]  # 300 refund + 170 job + 80 compensation
    assert column(sheet, "Cost per ticket") == [None, 137.5]
    assert column(sheet, "Average overall rating") == [None, 4.0]
    assert column(sheet, "Satisfied, overall 4–5 (%)")[1] == 50.0  # overall 5 and 3
    assert column(sheet, "NPS (0–10: surveys and revisit calls)") == [None, None]  # no survey or revisit call recorded an NPS


def test_the_page_filters_and_the_scope_apply(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL, language="en")
    east = dict(SEP_OCT, region=str(world.east.pk))
    sheet, _rows = export_sheet("management_months", boss, east)
    assert column(sheet, "Tickets") == [0, 3]
    west_boss = staff(Role.SUPERVISOR, DataScope.REGION, region=world.west, language="en")
    sheet, _rows = export_sheet("management_months", west_boss, SEP_OCT)
    assert column(sheet, "Tickets") == [0, 1]  # only D, whatever the query asks
    sheet, _rows = export_sheet("management_months", west_boss, east)
    assert column(sheet, "Tickets") == [0, 0]
    assert kind_for_user("management_months", world.wang) is None  # agents have no dashboard


def test_backlog_categories_faults_and_model_costs(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL, language="en")
    sheet, _rows = export_sheet("management_backlog", boss, SEP_OCT)
    assert header(sheet)[0] == "Status" and header(sheet)[-1] == "Total"
    labels = column(sheet, "Status")
    totals = dict(zip(labels, column(sheet, "Total"), strict=True))
    assert totals["In progress"] == 3  # A, C, D open; B resolved
    assert "SLA risk: warning" in labels and "SLA risk: breached" in labels
    sheet, _rows = export_sheet("management_categories", boss, SEP_OCT)
    assert sum(column(sheet, "Tickets")) == 4 and set(column(sheet, "Month")) == {"2025-10"}
    sheet, _rows = export_sheet("management_model_costs", boss, SEP_OCT)
    assert sum(Decimal(str(v)) for v in column(sheet, "Total cost")) == Decimal("550")
    # The top faults count the quality pages' fault tickets, from the quality summaries.
    fault_rollup_refresh()
    sheet, rows = export_sheet("management_faults", boss, SEP_OCT)
    assert rows == 2  # B's and C's units, one ticket each in the period
    assert column(sheet, "Fault tickets") == [1, 1] and column(sheet, "Cumulative share (%)") == [50.0, 100.0]


def test_chinese_headers_and_bad_months_name_their_field(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL, language="")
    sheet, _rows = export_sheet("management_months", boss, SEP_OCT)
    assert header(sheet)[:2] == ["月份", "工单"]
    with pytest.raises(ValidationFailed) as bad:
        services.export_request(user=boss, kind="management_months", filters={"from": "2025-13"})
    assert bad.value.field == "from"
    with pytest.raises(ValidationFailed) as long:
        services.export_request(user=boss, kind="management_backlog", filters={"from": "2020-01", "to": "2025-10"})
    assert long.value.field == "from"
    with pytest.raises(ValidationFailed) as region:
        services.export_request(user=boss, kind="management_faults", filters={"region": "east"})
    assert region.value.field == "region"


def test_the_dashboard_offers_its_exports_with_its_filters(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    html = client_for(boss).get("/dashboard/management/", SEP_OCT).content.decode()
    for kind in ("management_months", "management_backlog", "management_categories", "management_faults"):
        assert f'data-kind="{kind}"' in html
    assert 'value="from=2025-09&amp;to=2025-10"' in html
