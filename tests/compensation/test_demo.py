"""The refunds and compensation demo: every stage, the finance and marketing logins, idempotent."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from aftersales.accounts.models import DataScope, Role, User
from aftersales.compensation.models import Compensation, Refund
from aftersales.core import clock
from aftersales.demo.compensation import load_compensation_demo
from aftersales.parts.models import Part, Stock, Warehouse
from tests.factories import CustomerFactory, ProductUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_loads_every_stage_once() -> None:
    UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    UserFactory(username="agent", role=Role.AGENT, data_scope=DataScope.ALL)
    UserFactory(username="warehouse", role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    for n in range(10):
        customer = CustomerFactory(phone=f"+86139000000{n:02d}")
        ProductUnitFactory(customer=customer, purchase_date=clock.local_today() - dt.timedelta(days=40 + n))
    part = Part.objects.create(number="G-1", name="保温杯", unit_cost=20, unit_price=59)
    Stock.objects.create(
        part=part, warehouse=Warehouse.objects.create(code="central", name="中央备件库", kind="central"), on_hand=10
    )
    out = io.StringIO()
    load_compensation_demo(out)
    assert set(Refund.objects.values_list("status", flat=True)) == {
        "awaiting_approval",
        "approved",
        "paid",
        "done",
        "refused",
        "cancelled",
    }
    assert set(Compensation.objects.values_list("status", flat=True)) == {"done", "approved", "awaiting_approval", "cancelled"}
    assert User.objects.filter(username="finance", role=Role.FINANCE).exists()
    assert User.objects.filter(username="marketing", role=Role.MARKETING).exists()
    count = Refund.objects.count()
    load_compensation_demo(out)
    assert Refund.objects.count() == count and "already loaded" in out.getvalue()
