"""A field-service and stock world for the API tests: two regions, each with a ticket whose
agreed plan has an on-site repair, a work order for it dispatched to the region's technician,
warehouses with stock, and staff of every kind that touches work orders and parts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.fieldservice import services as fs
from aftersales.fieldservice.models import WorkOrder
from aftersales.parts import services as parts
from aftersales.parts.models import Part, Requisition, Warehouse, WarehouseKind
from aftersales.tickets.models import PlanMeasure, Ticket
from tests.factories import RegionFactory, UserFactory
from tests.fieldservice.helpers import fresh, in_progress_ticket, technician, unit_in_warranty, window
from tests.parts.factories import PartFactory, WarehouseFactory


@dataclass
class Side:
    region: Region
    ticket: Ticket
    measure: PlanMeasure
    work_order: WorkOrder
    technician: User
    keeper: User
    warehouse: Warehouse


@dataclass
class FieldWorld:
    east: Side
    south: Side
    boss: User  # supervisor, data scope all: dispatches, stock staff everywhere
    agent: User  # agent, data scope all: creates work orders, no dispatch
    central: Warehouse
    board: Part
    sensor: Part


def _side(code: str, name: str, *, boss: User, agent: User, central: Warehouse, parts_: list[Part]) -> Side:
    region = RegionFactory(code=code, name=name)
    tech = technician(regions=[region], region=region, username=f"{code}-tech")
    keeper = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=region, username=f"{code}-keeper")
    warehouse = WarehouseFactory(code=f"{code}-wh", name=f"{name}仓", kind=WarehouseKind.REGIONAL, region=region)
    parts.stock_receive(warehouse=warehouse, lines=[(p, 20) for p in parts_], actor=keeper, reference=f"PO-{code}")
    ticket, measure = in_progress_ticket(actor=agent, region=region, unit=unit_in_warranty())
    work_order = fs.work_order_create(measure=measure, actor=agent)
    start, end = window(days=1)
    fs.work_order_dispatch(work_order=work_order, actor=boss, technician=tech, appointment_start=start, appointment_end=end)
    van = parts.warehouse_for_technician(technician=tech)
    parts.stock_receive(warehouse=van, lines=[(parts_[1], 5)], actor=keeper, reference=f"VAN-{code}")
    return Side(region, ticket, measure, fresh(work_order), tech, keeper, warehouse)


def build_field_world() -> FieldWorld:
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="fs-boss")
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="fs-agent")
    central = WarehouseFactory(code="central", name="中央仓", kind=WarehouseKind.CENTRAL, region=None)
    board = PartFactory(number="P-BOARD", name="电脑板", unit_cost=Decimal("180.00"), unit_price=Decimal("320.00"))
    sensor = PartFactory(number="P-SENSOR", name="温度传感器", unit_cost=Decimal("12.50"), unit_price=Decimal("45.00"))
    parts.stock_receive(warehouse=central, lines=[(board, 50), (sensor, 50)], actor=boss, reference="PO-central")
    east = _side("east", "华东", boss=boss, agent=agent, central=central, parts_=[board, sensor])
    south = _side("south", "华南", boss=boss, agent=agent, central=central, parts_=[board, sensor])
    return FieldWorld(east=east, south=south, boss=boss, agent=agent, central=central, board=board, sensor=sensor)


def draft_requisition(side: Side, part: Part, quantity: int = 1) -> Requisition:
    return parts.requisition_create(
        work_order=fresh(side.work_order), warehouse=side.warehouse, lines=[(part, quantity)], actor=side.technician
    )
