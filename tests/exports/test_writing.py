"""The workbook itself: headers in the reader's language, the frozen header row, dates as
dates (local time), numbers as numbers, formula injection, scope and masking of the ticket list."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from aftersales.accounts.models import DataScope, Role
from aftersales.core.errors import NotFound
from aftersales.exports.registry import KINDS, CellType, Column, ExportKind, list_rows
from aftersales.exports.writing import write_rows
from aftersales.tickets.models import Ticket
from tests.factories import RegionFactory, UserFactory, make_ticket

from .helpers import column, export_sheet, header

pytestmark = pytest.mark.django_db


def test_the_kinds_cover_the_lists_and_reports_and_have_headers():
    expected = {
        "tickets",
        "revisits",
        "parts_stock",
        "parts_requisitions",
        "refunds",
        "compensations",
        "returns",
        "quality_actions",
        "staff_kpis",
        "chargeback_parties",
        "chargeback_statement",
        "crisis_alerts",
    }
    assert expected <= set(KINDS)
    for kind in KINDS.values():
        assert kind.title and kind.columns and all(str(c.header) for c in kind.columns)


def test_ticket_headers_follow_the_users_language_and_the_header_row_is_frozen():
    ticket = make_ticket(customer_name="张伟")
    zh = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="")
    en = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")

    sheet, rows = export_sheet("tickets", zh, {"status": "all"})
    assert rows == 1
    assert header(sheet)[:3] == ["工单号", "标题", "分类"]
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "工单"
    assert column(sheet, "工单号") == [ticket.number]

    sheet, _rows = export_sheet("tickets", en, {"status": "all"})
    assert header(sheet)[:3] == ["Number", "Title", "Category"]
    assert column(sheet, "Customer") == ["张伟"]
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width  # the title column is wider


def test_dates_are_excel_dates_in_shanghai_time_and_numbers_are_numbers():
    ticket = make_ticket()
    created = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)  # 00:30 the next day in Shanghai
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created, escalation_level=2)
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")
    sheet, _rows = export_sheet("tickets", user, {"status": "all"})
    cell = sheet.cell(row=2, column=header(sheet).index("Created") + 1)
    assert cell.is_date and cell.value == dt.datetime(2026, 3, 2, 0, 30)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    level = sheet.cell(row=2, column=header(sheet).index("Escalation level") + 1)
    assert level.data_type == "n" and level.value == 2


def test_text_that_looks_like_a_formula_is_written_as_text():
    values = ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "\t=x", "\r=y", "普通文本"]
    kind = ExportKind(
        key="test_injection",
        title="Injection",
        columns=(
            Column("Text", lambda row, user: row["text"]),
            Column("Money", lambda row, user: row["money"], CellType.MONEY),
            Column("Day", lambda row, user: row["day"], CellType.DATE),
        ),
        may_use=lambda user: True,
        rows=lambda user, filters: list_rows(
            [{"text": v, "money": Decimal("12.50"), "day": dt.date(2026, 1, 31)} for v in values]
        ),
    )
    buffer = io.BytesIO()
    written = write_rows(kind=kind, user=UserFactory(), filters={}, target=buffer, progress=None)
    assert written == len(values)
    buffer.seek(0)
    sheet = load_workbook(buffer).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # (openpyxl reads a CR back as Excel's escape ``_x000D_``: still the text, not a formula)
    assert [c.value for c in cells] == [*values[:5], cells[5].value, values[6]]
    assert cells[5].value in {"\r=y", "_x000D_=y"}
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells[:6]) and not cells[6].quotePrefix
    money = sheet["B2"]
    assert money.data_type == "n" and money.value == 12.5 and money.number_format == "#,##0.00"
    day = sheet["C2"]
    assert day.is_date and day.value == dt.datetime(2026, 1, 31) and day.number_format == "yyyy-mm-dd"
    # No formula anywhere in the file: the raw XML has no <f> element.
    buffer.seek(0)
    import zipfile

    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_a_customer_name_starting_with_equals_comes_back_as_text_from_the_ticket_list():
    make_ticket(customer_name='=HYPERLINK("http://evil","x")')
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")
    sheet, _rows = export_sheet("tickets", user, {"status": "all"})
    cell = sheet.cell(row=2, column=header(sheet).index("Customer") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_an_agent_of_another_region_gets_none_of_the_regions_tickets():
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    mine = make_ticket(region=east)
    theirs = make_ticket(region=west)
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east, language="en")
    sheet, rows = export_sheet("tickets", agent, {"status": "all"})
    numbers = column(sheet, "Number")
    assert mine.number in numbers and theirs.number not in numbers and rows == 1


def test_the_list_filters_apply():
    make_ticket(priority=1)
    low = make_ticket()
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")
    _sheet, every = export_sheet("tickets", user, {"status": "all"})
    sheet, urgent = export_sheet("tickets", user, {"status": "all", "priority": "1"})
    assert (every, urgent) == (2, 1) and low.number not in column(sheet, "Number")


def test_phones_are_masked_for_roles_without_need():
    make_ticket(phone="13812345678")
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL, language="en")
    full = column(export_sheet("tickets", supervisor, {"status": "all"})[0], "Phone")[0]
    masked = column(export_sheet("tickets", finance, {"status": "all"})[0], "Phone")[0]
    assert "5678" in full and "1234" in full.replace(" ", "")
    assert "****" in masked and "1234" not in masked.replace(" ", "")


def test_a_customer_cannot_export_and_an_unknown_kind_is_not_found():
    customer = UserFactory(role=Role.CUSTOMER)
    with pytest.raises(NotFound):
        export_sheet("tickets", customer)
    with pytest.raises(NotFound):
        export_sheet("no_such_kind", UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL))


def test_every_kind_writes_a_workbook_for_an_administrator():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_superuser=True, language="en")
    make_ticket()
    tech = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN, language="en")
    for key in KINDS:
        filters = {"responsibility": "supplier"} if key == "chargeback_statement" else {}
        user = tech if key in {"my_jobs", "parts_van"} else admin  # the technician's own lists
        sheet, _rows = export_sheet(key, user, filters)
        assert header(sheet) == [str(c.header) for c in KINDS[key].columns], key


def test_the_keyword_search_of_the_list_applies():
    fridge = make_ticket(description="冰箱不制冷，冷藏室温度很高。")
    make_ticket()
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")
    sheet, rows = export_sheet("tickets", user, {"status": "all", "q": "冰箱不制冷"})
    assert rows == 1 and column(sheet, "Number") == [fridge.number]


def test_progress_and_the_total_are_reported(monkeypatch):
    for _ in range(5):
        make_ticket()
    monkeypatch.setattr("aftersales.exports.writing.PROGRESS_EVERY", 2)
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    seen: list[int] = []
    totals: list[int | None] = []
    from aftersales.exports.services import write_xlsx

    rows = write_xlsx(
        kind="tickets", user=user, filters={"status": "all"}, target=io.BytesIO(), progress=seen.append, on_total=totals.append
    )
    assert rows == 5 and totals == [5] and seen == [2, 4, 5]
