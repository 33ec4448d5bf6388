"""The travel ledger export: the advances the queue shows and the lines of the reimbursements, a
reimbursement alone by its number, a team leader only his team's, headers in the reader's
language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.accounts.models import Role
from aftersales.exports.registry import kind_for_user
from aftersales.travel import services
from tests.clock import freeze_time
from tests.exports.helpers import column, export_sheet, header

from .factories import advance, claim, finance, paid_advance, staff, team_with_leader, technician

pytestmark = pytest.mark.django_db


def test_the_ledger_holds_advances_and_reimbursement_lines():
    team, leader = team_with_leader()
    tech, stranger = technician(team=team), technician()
    payer = finance(language="en")
    paid = paid_advance(tech, "300.00", payer=payer)
    claim(tech, "120.50", decider=payer)
    requested = advance(stranger, "50.00")
    drafted = services.reimbursement_draft(technician=tech, actor=payer)
    sheet, rows = export_sheet("travel_ledger", payer)
    assert rows == 4  # two advances, two lines
    assert {paid.number, requested.number} <= set(column(sheet, "Document"))
    assert set(column(sheet, "Travel reimbursement")) == {None, drafted.number}  # empty cells for the advances
    assert sorted(Decimal(str(v)) for v in column(sheet, "Amount (CNY)")) == [
        Decimal("-300"),
        Decimal("50"),
        Decimal("120.5"),
        Decimal("300"),
    ]
    sheet, rows = export_sheet("travel_ledger", payer, {"reimbursement": drafted.number})
    assert rows == 2 and set(column(sheet, "Travel reimbursement")) == {drafted.number}
    sheet, rows = export_sheet("travel_ledger", payer, {"technician": stranger.username})
    assert rows == 1 and column(sheet, "Document") == [requested.number]
    leader.language = "zh-hans"
    sheet, rows = export_sheet("travel_ledger", leader)
    assert rows == 3 and header(sheet)[1] == "单据"
    assert requested.number not in column(sheet, "单据")
    assert kind_for_user("travel_ledger", staff(Role.AGENT)) is None
    assert kind_for_user("travel_ledger", tech) is not None


def test_the_ledger_shows_the_last_day_to_settle_and_lists_the_overdue_alone(settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 30
    payer, tech = finance(language="en"), technician()
    with freeze_time(dt.datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        late = paid_advance(tech, "800.00", payer=payer)
    with freeze_time(dt.datetime(2026, 4, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        advance(tech, "100.00")
        sheet, rows = export_sheet("travel_ledger", payer, {"advance_status": "overdue"})
        assert rows == 1 and column(sheet, "Document") == [late.number]
        assert column(sheet, "Overdue for settlement") == ["Overdue for settlement"]
        assert [str(v)[:10] for v in column(sheet, "Settle by")] == ["2026-03-31"]
        sheet, rows = export_sheet("travel_ledger", payer)
        assert rows == 2 and sorted(map(str, column(sheet, "Overdue for settlement"))) == ["None", "Overdue for settlement"]
