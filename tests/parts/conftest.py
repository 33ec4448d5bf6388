"""Fixtures for spare parts: a region with a central and a regional warehouse, a few parts, stock
received through the service, a technician with a dispatched work order, warehouse staff."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from aftersales.accounts.models import DataScope, Role, User
from aftersales.parts import services
from aftersales.parts.models import Part, Stock, StockMovement, Warehouse, WarehouseKind
from tests.factories import ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.parts.factories import PartFactory, WarehouseFactory, make_work_order


@pytest.fixture
def region(db):  # type: ignore[no-untyped-def]
    return RegionFactory(code="east", name="华东")


@pytest.fixture
def keeper(region) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=region, username="keeper")


@pytest.fixture
def supervisor(region) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=region, username="boss")


@pytest.fixture
def technician(region) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.TECHNICIAN, region=region, username="tech")


@pytest.fixture
def central(db) -> Warehouse:  # type: ignore[no-untyped-def]
    return WarehouseFactory(code="central", name="中央仓", kind=WarehouseKind.CENTRAL, region=None)


@pytest.fixture
def regional(region) -> Warehouse:  # type: ignore[no-untyped-def]
    return WarehouseFactory(code="east", name="华东仓", kind=WarehouseKind.REGIONAL, region=region)


@pytest.fixture
def board(db) -> Part:  # type: ignore[no-untyped-def]
    return PartFactory(
        number="P-BOARD", name="电脑板", unit_cost=Decimal("180.00"), unit_price=Decimal("320.00"), warranty_months=6
    )


@pytest.fixture
def sensor(db) -> Part:  # type: ignore[no-untyped-def]
    return PartFactory(number="P-SENSOR", name="温度传感器", unit_cost=Decimal("12.50"), unit_price=Decimal("45.00"))


@pytest.fixture
def stocked(regional, board, sensor, keeper) -> Warehouse:  # type: ignore[no-untyped-def]
    """The regional warehouse with 10 boards and 20 sensors, received through the service."""
    services.stock_receive(warehouse=regional, lines=[(board, 10), (sensor, 20)], actor=keeper, reference="PO-1")
    return regional


@pytest.fixture
def work_order_for(technician) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    def make(*, tech: User | None = technician, **ticket_overrides: Any) -> Any:
        unit = ProductUnitFactory()
        ticket = make_ticket(serial_number=unit.serial_number, **ticket_overrides)
        return make_work_order(ticket=ticket, technician=tech)

    return make


@pytest.fixture
def work_order(work_order_for):  # type: ignore[no-untyped-def]
    return work_order_for()


def assert_ledger_balances() -> None:
    """The ledger invariant: every stock row's on-hand equals the sum of its movements."""
    from django.db.models import Sum

    sums = {
        (row["warehouse_id"], row["part_id"]): row["total"]
        for row in StockMovement.objects.values("warehouse_id", "part_id").annotate(total=Sum("quantity"))
    }
    for row in Stock.objects.all():
        assert row.on_hand == sums.get((row.warehouse_id, row.part_id), 0), f"{row} disagrees with its ledger"
        assert 0 <= row.reserved <= row.on_hand
    for key in sums:
        assert Stock.objects.filter(warehouse_id=key[0], part_id=key[1]).exists()


def level(warehouse: Warehouse, part: Part) -> Stock:
    return Stock.objects.get(warehouse=warehouse, part=part)
