"""Factories for spare parts (kept beside the tests that use them) and a work order made the
plain way: parts tests need one in a given state, not the dispatch process."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from aftersales.core import clock
from aftersales.fieldservice.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.parts.models import Part, Warehouse, WarehouseKind

_numbers = itertools.count(1)


class PartFactory(DjangoModelFactory):
    class Meta:
        model = Part
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"P-{n:05d}")
    name = factory.Sequence(lambda n: f"备件{n}")
    unit_cost = Decimal("10.00")
    unit_price = Decimal("25.00")
    warranty_months = 3


class WarehouseFactory(DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"wh-{n}")
    name = factory.Sequence(lambda n: f"仓库{n}")
    kind = WarehouseKind.REGIONAL


def make_work_order(*, ticket: Any, technician: Any, **fields: Any) -> WorkOrder:
    now = clock.now()
    values: dict[str, Any] = {
        "number": f"PG{now:%Y%m%d}-{next(_numbers):04d}-{ticket.pk}",
        "ticket": ticket,
        "kind": WorkOrderKind.ONSITE_REPAIR,
        "status": WorkOrderStatus.ON_SITE if technician is not None else WorkOrderStatus.TO_DISPATCH,
        "technician": technician,
        "city": ticket.city or "上海市",
        "contact_name": ticket.contact_name,
        "contact_phone": ticket.contact_phone,
        "address": "浦东新区张江路88号",
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return WorkOrder.objects.create(**values)
