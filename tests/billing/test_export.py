"""The receivables export: what the finance list shows (its filters, outstanding first), the
reader's scope, headers in the reader's language; finance, supervisors and administrators only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.accounts.models import Role
from aftersales.billing import services
from aftersales.billing.models import PaymentMethod
from aftersales.exports.kinds import billing as _registered  # noqa: F401 - registers the kind (exports/kinds/__init__.py lists it)
from aftersales.exports.registry import kind_for_user
from tests.exports.helpers import column, export_sheet, header

from .factories import finance, receivable, staff, technician

pytestmark = pytest.mark.django_db


def test_the_receivables_export_holds_the_list():
    tech = technician()
    payer = finance(language="en")
    old = receivable(tech, charge="120.00", done_days_ago=75)
    fresh = receivable(tech, charge="380.00")
    paid = receivable(tech, charge="90.00")
    services.payment_record(receivable=paid, actor=payer, amount="90", method=PaymentMethod.CASH)
    services.payment_record(receivable=old, actor=payer, amount="20", method=PaymentMethod.CASH)
    sheet, rows = export_sheet("receivables", payer)
    assert rows == 2
    assert column(sheet, "Work order") == [old.work_order.number, fresh.work_order.number]
    assert [Decimal(str(v)) for v in column(sheet, "Outstanding (CNY)")] == [Decimal("100"), Decimal("380")]
    assert column(sheet, "Age") == ["61–90 days", "0–30 days"]
    everything, count = export_sheet("receivables", payer, {"status": "all"})
    assert count == 3 and paid.work_order.number in column(everything, "Work order")


def test_headers_in_chinese_and_who_may_export():
    payer = finance(language="zh-hans")
    receivable(technician())
    sheet, _rows = export_sheet("receivables", payer)
    assert "待收（元）" in header(sheet) and "账龄" in header(sheet)
    assert kind_for_user("receivables", staff(Role.SUPERVISOR)) is not None
    assert kind_for_user("receivables", technician()) is None
    assert kind_for_user("receivables", staff(Role.AGENT)) is None
