"""Shared steps for the returns tests: a region with a regional warehouse that keeps whole
units of a product model in stock, a ticket whose agreed plan has a return or exchange measure
for the customer's registered unit, and an RMA walked to any status."""

from __future__ import annotations

import io
from typing import Any

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.catalog.models import ProductUnit
from aftersales.parts import services as parts_services
from aftersales.parts.models import Part, Stock, Warehouse, WarehouseKind
from aftersales.returns import services
from aftersales.returns.models import ReplacementProduct, ReturnAuthorization
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket
from tests.factories import ProductUnitFactory, RegionFactory, UserFactory
from tests.fieldservice.helpers import in_progress_ticket, png_bytes

__all__ = ["World", "fresh", "photo", "walk_to", "world"]


class World:
    def __init__(self, *, stock: int = 2, code: str = "east") -> None:
        self.region: Region = RegionFactory(code=code, name=f"区域{code}")
        self.agent: User = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=self.region)
        self.keeper: User = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=self.region)
        self.warehouse = Warehouse.objects.create(
            code=f"wh-{code}", name=f"{code}仓", kind=WarehouseKind.REGIONAL, region=self.region
        )
        self.unit: ProductUnit = ProductUnitFactory()
        self.part = Part.objects.create(
            number=f"UNIT-{self.unit.model.code}", name="整机", unit_cost="1800.00", unit_price="2999.00"
        )
        ReplacementProduct.objects.create(product_model=self.unit.model, part=self.part)
        if stock:
            parts_services.stock_receive(
                warehouse=self.warehouse, lines=[(self.part, stock)], actor=self.keeper, reference="PO-UNITS"
            )

    def ticket(self, kind: str = MeasureKind.EXCHANGE, unit: Any = None) -> tuple[Ticket, PlanMeasure]:
        return in_progress_ticket(actor=self.agent, unit=unit or self.unit, region=self.region, kind=kind)

    def stock(self) -> Stock:
        return Stock.objects.get(warehouse=self.warehouse, part=self.part)

    def authorise(self, kind: str = MeasureKind.EXCHANGE) -> ReturnAuthorization:
        _ticket, measure = self.ticket(kind)
        return services.rma_authorise(measure=measure, actor=self.agent, warehouse=self.warehouse, reason="七天内性能故障")


def world(**kwargs: Any) -> World:
    return World(**kwargs)


def fresh(rma: ReturnAuthorization) -> ReturnAuthorization:
    return ReturnAuthorization.objects.select_related("ticket", "unit", "warehouse").get(pk=rma.pk)


def photo(name: str = "inspection.png") -> io.BytesIO:
    buffer = io.BytesIO(png_bytes(4, 4))
    buffer.name = name
    return buffer


def walk_to(rma: ReturnAuthorization, status: str, w: World) -> ReturnAuthorization:
    """Along the happy path up to ``status``."""
    order = ["in_transit", "received", "inspected", "replacement_shipped", "delivered"]
    start = order.index(rma.status) + 1 if rma.status in order else 0
    for step in order[start : order.index(status) + 1]:
        current = fresh(rma)
        if step == "in_transit":
            services.rma_handover(
                rma=current, actor=w.agent, method="carrier", carrier="顺丰速运", tracking_number="SF1234567890"
            )
        elif step == "received":
            services.rma_receive(rma=current, actor=w.keeper)
        elif step == "inspected":
            services.rma_inspect(
                rma=current,
                actor=w.keeper,
                serial=current.unit.serial_number,
                accessories_complete=True,
                condition="used",
                disposition="refurbished",
                passed=True,
                photos=[photo()],
            )
        elif step == "replacement_shipped":
            services.rma_ship_replacement(
                rma=current, actor=w.keeper, serial=f"NEW{current.unit.serial_number}", carrier="顺丰速运", tracking_number="SF99"
            )
        elif step == "delivered":
            services.rma_confirm_delivery(rma=current, actor=w.agent)
    return fresh(rma)
