"""Demo returns and exchanges: whole products kept in stock for exchanges at the east regional
warehouse, and RMAs at every stage (authorised, awaiting drop-off, in transit, received,
inspected, inspection failed, replacement shipped, completed, cancelled) on demo tickets whose
customers agreed to a return or an exchange — all through the services, so the timelines, the
customer's portal, the stock ledger and the audit log tell the story.

The portal customer (赵敏) has one, authorised and waiting for her to drop the product off.
Idempotent: when the demo replacement items exist it says so and changes nothing.
"""

from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.catalog.models import ProductUnit, UnitStatus
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.parts import services as parts_services
from aftersales.parts.models import Part, Warehouse
from aftersales.returns import services
from aftersales.returns.models import ReplacementProduct, ReturnAuthorization
from aftersales.tickets.choices import Channel, Nature, Priority, RequestType, Responsibility, Severity
from aftersales.tickets.models import AgreementMethod, MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.process import (
    MeasureInput,
    ticket_classify,
    ticket_decide_approval,
    ticket_propose_plan,
    ticket_record_agreement,
    ticket_record_verification,
    ticket_set_responsibility,
    ticket_start_verification,
    ticket_submit_plan,
)
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.services import IntakeInput, ticket_intake
from aftersales.tickets.states import TicketStatus

from .builders import PORTAL_USERNAME
from .stories import KEY_PREFIX

# (kind, the stage the RMA is walked to, for the portal customer?)
PLAN = (
    (MeasureKind.EXCHANGE, "awaiting_pickup", True),
    (MeasureKind.EXCHANGE, "authorised", False),
    (MeasureKind.EXCHANGE, "in_transit", False),
    (MeasureKind.EXCHANGE, "received", False),
    (MeasureKind.EXCHANGE, "inspected", False),
    (MeasureKind.EXCHANGE, "replacement_shipped", False),
    (MeasureKind.EXCHANGE, "completed", False),
    (MeasureKind.EXCHANGE, "cancelled", False),
    (MeasureKind.RETURN, "in_transit", False),
    (MeasureKind.RETURN, "received", False),
    (MeasureKind.RETURN, "inspection_failed", False),
    (MeasureKind.RETURN, "completed", False),
)
STOCK_SPARE = 2  # whole units in stock beyond what the demo exchanges take
STORY = {
    MeasureKind.EXCHANGE: ("购买第 5 天压缩机不启动，按三包要求换货。", "性能故障，15 日内，客户选择换货。"),
    MeasureKind.RETURN: ("收到后第 3 天出现异响，客户要求退货。", "性能故障，7 日内，客户选择退货。"),
}


def _png() -> io.BytesIO:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([200 - (x + y) % 60 for x in range(48)]) for y in range(32))
    header = struct.pack(">IIBBBBB", 48, 32, 8, 0, 0, 0, 0)
    buffer = io.BytesIO(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    buffer.name = "开箱检验.png"
    return buffer


def _units(count: int) -> list[ProductUnit]:
    """Registered units of demo customers without a ticket in progress, the portal customer's
    first; several of one model so that a few replacement items serve them all."""
    qs = ProductUnit.objects.filter(customer__isnull=False, status=UnitStatus.IN_SERVICE).select_related("customer", "model")
    mine = list(qs.filter(customer__user__username=PORTAL_USERNAME).order_by("id")[:1])
    others = list(qs.exclude(customer__user__username=PORTAL_USERNAME).exclude(customer__phone="").order_by("id")[: count * 3])
    others.sort(key=lambda u: (u.model_id, u.pk))
    return mine + others[: count - len(mine)]


def _agreed_ticket(*, index: int, unit: ProductUnit, kind: str, agent: User, supervisor: User | None) -> PlanMeasure:
    customer = unit.customer
    assert customer is not None
    complaint, diagnosis = STORY[kind]  # type: ignore[index]
    result = ticket_intake(
        data=IntakeInput(
            channel=Channel.HOTLINE,
            customer_name=customer.name,
            phone=customer.phone,
            email=customer.email if not customer.phone else "",
            description=complaint,
            request_type=RequestType.EXCHANGE if kind == MeasureKind.EXCHANGE else RequestType.RETURN,
            serial_number=unit.serial_number,
            province="上海市",
            city="上海市",
            district="徐汇区",
            address="漕溪北路88号",
        ),
        actor=agent,
        idempotency_key=f"rma-demo-{index}",  # not the stories' prefix: the story plan counts those
    )
    ticket = ticket_start_verification(ticket=result.ticket, actor=agent)
    ticket = ticket_classify(
        ticket=ticket,
        actor=agent,
        category=None,
        nature=Nature.QUALITY,
        severity=Severity.GENERAL,
        request_type=RequestType.EXCHANGE if kind == MeasureKind.EXCHANGE else RequestType.RETURN,
        priority=Priority.NORMAL,
    )
    ticket = ticket_set_responsibility(
        ticket=ticket, actor=agent, responsibility=Responsibility.INTERNAL, party="生产部", cause="manufacturing"
    )
    ticket = ticket_record_verification(ticket=ticket, actor=agent, authentic=True, complete=True)
    ticket_propose_plan(
        ticket=ticket,
        actor=agent,
        diagnosis=diagnosis,
        measures=[MeasureInput(kind=kind, owner=agent, amount=Decimal("0"), customer_charge=Decimal("0"), description=diagnosis)],
    )
    ticket = ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent)
    if ticket.status == TicketStatus.AWAITING_APPROVAL and supervisor is not None:
        ticket_decide_approval(ticket=ticket, actor=supervisor, approve=True, comment="同意。")
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, accepted=True, method=AgreementMethod.PHONE, agreed_at=clock.now()
    )
    return PlanMeasure.objects.select_related("plan").get(plan__ticket_id=ticket.pk, plan__is_current=True)


def _walk(rma: ReturnAuthorization, stage: str, *, agent: User, keeper: User, index: int) -> None:
    def fresh() -> ReturnAuthorization:
        return ReturnAuthorization.objects.select_related("ticket", "unit", "warehouse").get(pk=rma.pk)

    if stage == "authorised":
        return
    if stage == "cancelled":
        services.rma_cancel(rma=fresh(), actor=agent, reason="客户改为上门维修。")
        return
    if stage == "awaiting_pickup":
        services.rma_handover(rma=fresh(), actor=agent, method="drop_off", outlet="徐汇区漕溪北路服务网点")
        return
    services.rma_handover(rma=fresh(), actor=agent, method="carrier", carrier="顺丰速运", tracking_number=f"SF10{index:08d}")
    if stage == "in_transit":
        return
    services.rma_receive(rma=fresh(), actor=keeper, note="外包装完好。")
    if stage == "received":
        return
    current = fresh()
    failed = stage == "inspection_failed"
    services.rma_inspect(
        rma=current,
        actor=keeper,
        serial=current.unit.serial_number,
        accessories_complete=not failed,
        condition="damaged" if failed else "used",
        disposition="scrapped" if failed else "refurbished",
        passed=not failed,
        notes="机身背板有明显摔痕，遥控器缺失。" if failed else "",
        photos=[_png()],
    )
    if stage in {"inspected", "inspection_failed"} or current.kind == "return":
        return
    services.rma_ship_replacement(
        rma=fresh(),
        actor=keeper,
        serial=f"RX{clock.local_today():%y%m%d}{index:04d}",
        carrier="顺丰速运",
        tracking_number=f"SF20{index:08d}",
    )
    if stage == "replacement_shipped":
        return
    services.rma_confirm_delivery(rma=fresh(), actor=agent)


def load_returns_demo(stdout: Any) -> None:
    if ReplacementProduct.objects.exists():
        stdout.write(_("The returns demo data is already loaded; nothing was changed."))
        return
    agent = User.objects.filter(username="agent", is_active=True).first()
    keeper = User.objects.filter(role=Role.WAREHOUSE, is_active=True).order_by("id").first()
    supervisor = User.objects.filter(username="supervisor", is_active=True).first()
    warehouse = Warehouse.objects.filter(code="rdc-east").first() or Warehouse.objects.filter(code="central").first()
    if agent is None or keeper is None or warehouse is None:
        stdout.write(_("Returns: no demo agent, warehouse keeper or warehouse; no returns created."))
        return
    units = _units(len(PLAN))
    created = 0
    with transaction.atomic():
        for model_id in sorted({u.model_id for u in units}):
            unit = next(u for u in units if u.model_id == model_id)
            part = Part.objects.create(
                number=f"FG-{unit.model.code}"[:40],
                name=f"整机 {unit.model.name}"[:128],
                unit_cost=Decimal("1500.00"),
                unit_price=Decimal("2999.00"),
                warranty_months=12,
            )
            ReplacementProduct.objects.create(product_model_id=model_id, part=part)
            parts_services.stock_receive(
                warehouse=warehouse,
                lines=[(part, STOCK_SPARE + sum(1 for u in units if u.model_id == model_id))],
                actor=keeper,
                reference="DEMO-FG",
            )
        for index, ((kind, stage, _portal), unit) in enumerate(zip(PLAN, units, strict=False), start=1):
            try:
                with transaction.atomic():
                    measure = _agreed_ticket(index=index, unit=unit, kind=kind, agent=agent, supervisor=supervisor)
                    rma = services.rma_authorise(measure=measure, actor=agent, warehouse=warehouse, reason=measure.description)
                    _walk(rma, stage, agent=agent, keeper=keeper, index=index)
                created += 1
            except DomainError as exc:
                stdout.write(_("Returns: skipped a ticket (%(reason)s).") % {"reason": exc})
        # Demo customers are invented but their numbers look real: never message them.
        Notification.objects.filter(
            ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX), status=NotificationStatus.PENDING
        ).update(status=NotificationStatus.SKIPPED, last_error="demo data: not sent")
    stdout.write(_("Returns: %(count)d demo returns and exchanges at every stage.") % {"count": created})
