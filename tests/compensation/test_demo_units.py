"""The refunds and compensation demo puts each ticket on a unit of the product its title names
(audit 3, 25: a refrigerator's refund sat on a gas hob), and still loads on a bare catalogue."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.compensation.models import Compensation, Refund
from aftersales.core import clock
from aftersales.demo.compensation import COMPENSATION_CATEGORIES, REFUND_CATEGORIES, load_compensation_demo
from tests.factories import CustomerFactory, ProductCategoryFactory, ProductModelFactory, ProductUnitFactory, UserFactory

pytestmark = pytest.mark.django_db
# The demo catalogue's categories (demo/data.py CATEGORIES), the gas hob first: the old demo
# took the first units whatever their model.
NAMES = {
    "gas-hob": "燃气灶",
    "refrigerator": "冰箱",
    "washing-machine": "洗衣机",
    "water-heater": "热水器",
    "dishwasher": "洗碗机",
    "air-conditioner": "空调",
    "range-hood": "油烟机",
}


def test_each_refund_and_compensation_ticket_is_about_a_unit_of_its_product():
    UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    UserFactory(username="agent", role=Role.AGENT, data_scope=DataScope.ALL)
    n = 0
    for code, name in NAMES.items():
        category = ProductCategoryFactory(code=code, name=name)
        model = ProductModelFactory(category=category, name=f"测试{name}")
        for _ in range(3):
            n += 1
            customer = CustomerFactory(phone=f"+861390000{n:04d}")
            ProductUnitFactory(model=model, customer=customer, purchase_date=clock.local_today() - dt.timedelta(days=40 + n))
    load_compensation_demo(io.StringIO())
    records = [*Refund.objects.select_related("ticket__product_unit__model__category")]
    records += [*Compensation.objects.select_related("ticket__product_unit__model__category")]
    assert len(records) >= len(REFUND_CATEGORIES) + len(COMPENSATION_CATEGORIES)
    units = set()
    for record in records:
        unit = record.ticket.product_unit
        assert unit is not None, record.ticket.title
        category = unit.model.category
        assert category.code != "gas-hob", record.ticket.title
        assert category.name in record.ticket.title, (record.ticket.title, category.name)
        units.add(unit.pk)
    refunds = Refund.objects.select_related("ticket").all()
    assert len({r.ticket.product_unit_id for r in refunds}) == refunds.count()  # one unit each
