"""Shared steps: a ticket in progress whose agreed plan has a refund or compensation measure,
the roles that carry it out, approval rules, a gift in stock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.core import clock
from aftersales.parts.models import Part, Stock, Warehouse
from aftersales.tickets.models import ApprovalRule, MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.process import MeasureInput, ticket_propose_plan, ticket_record_agreement, ticket_submit_plan
from tests.factories import ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.tickets.process_helpers import analysed


def user(role: str, *, scope: str = DataScope.ALL, **kwargs: Any) -> User:
    return UserFactory(role=role, data_scope=scope, **kwargs)


def agent(**kwargs: Any) -> User:
    return user(Role.AGENT, **kwargs)


def supervisor(**kwargs: Any) -> User:
    return user(Role.SUPERVISOR, **kwargs)


def finance(**kwargs: Any) -> User:
    return user(Role.FINANCE, **kwargs)


def marketing(**kwargs: Any) -> User:
    return user(Role.MARKETING, **kwargs)


def warehouse_keeper(**kwargs: Any) -> User:
    return user(Role.WAREHOUSE, **kwargs)


def rule(kind: str, amount: str, role: str = "supervisor") -> ApprovalRule:
    return ApprovalRule.objects.create(
        name=f"{kind} ≥ {amount}", measure_kind=kind, min_amount=Decimal(amount), approver_role=role
    )


def ticket_with(
    *,
    actor: User,
    kind: str = MeasureKind.REFUND,
    amount: str = "1000",
    region: Region | None = None,
    purchase_days_ago: int = 10,
    unit: Any = "make",
    phone: str | None = None,
) -> tuple[Ticket, PlanMeasure]:
    """A ticket IN_PROGRESS with an agreed plan of one ``kind`` measure worth ``amount``."""
    extra: dict[str, Any] = {"province": "上海市", "city": "上海市", "district": "徐汇区", "address": "漕溪北路88号"}
    if unit == "make":
        unit = ProductUnitFactory(purchase_date=clock.local_today() - dt.timedelta(days=purchase_days_ago))
    if unit is not None:
        extra["serial_number"] = unit.serial_number
    if phone is not None:
        extra["phone"] = phone
    ticket = make_ticket(actor=actor, region=region or RegionFactory(), **extra)
    ticket = analysed(ticket, actor)
    ticket_propose_plan(
        ticket=ticket,
        actor=actor,
        diagnosis="压缩机故障，两次维修未修好。",
        measures=[MeasureInput(kind=kind, owner=actor, amount=Decimal(amount), customer_charge=Decimal("0"), description="退款")],
    )
    ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=actor)
    ticket = Ticket.objects.get(pk=ticket.pk)
    if ticket.status == "awaiting_approval":
        from aftersales.tickets.process import ticket_decide_approval

        ticket_decide_approval(ticket=ticket, actor=supervisor(), approve=True)
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=actor, accepted=True, method="phone", agreed_at=clock.now()
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == "in_progress", ticket.status
    return ticket, PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)


def gift_stock(quantity: int = 3) -> tuple[Part, Warehouse]:
    part = Part.objects.create(number="GIFT-001", name="电饭煲礼品", unit_cost=Decimal("80"), unit_price=Decimal("199"))
    warehouse = Warehouse.objects.create(code="CW1", name="中心仓", kind="central")
    Stock.objects.create(part=part, warehouse=warehouse, on_hand=quantity)
    return part, warehouse
