"""The statement's Excel export: one row per line, the leader only his outlet's, a statement alone
by its number, headers in the reader's language."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import Role
from aftersales.exports.registry import kind_for_user
from aftersales.outlets import services
from tests.exports.helpers import column, export_sheet, header

from .factories import accepted_job, last_month, local, outlet_with_people, staff

pytestmark = pytest.mark.django_db


def test_the_lines_of_the_visible_statements_are_exported():
    start, _end = last_month()
    supervisor = staff(Role.SUPERVISOR, language="en")
    numbers = []
    leaders = []
    for _n in range(2):
        outlet, leader, tech = outlet_with_people()
        job = accepted_job(outlet=outlet, technician=tech, accepted_at=local(start + dt.timedelta(days=2)), hours="2", km="10")
        numbers.append(
            (services.settlement_draft(outlet=outlet, actor=supervisor, period_start=start).settlement.number, job.number)
        )
        leaders.append(leader)
    sheet, rows = export_sheet("outlet_settlement_lines", supervisor)
    assert rows == 2 and sorted(column(sheet, "Settlement statement")) == sorted(n for n, _job in numbers)
    assert column(sheet, "Amount") == [225, 225]
    sheet, rows = export_sheet("outlet_settlement_lines", supervisor, {"number": numbers[1][0]})
    assert rows == 1 and column(sheet, "Work order") == [numbers[1][1]]
    leaders[0].language = "zh-hans"
    sheet, rows = export_sheet("outlet_settlement_lines", leaders[0])
    assert rows == 1 and header(sheet)[0] == "结算单"
    assert column(sheet, "结算单") == [numbers[0][0]]
    assert kind_for_user("outlet_settlement_lines", staff(Role.AGENT)) is None
