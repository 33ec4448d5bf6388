"""Shared steps for the field-service tests: a ticket whose plan (one on-site repair) the
customer agreed, technicians with skills and regions, and a job walked to any status."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from decimal import Decimal
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.core import clock
from aftersales.fieldservice import services
from aftersales.fieldservice.models import Skill, TechnicianProfile, WorkOrder
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.process import ticket_record_agreement, ticket_submit_plan
from tests.factories import ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.tickets.process_helpers import analysed, repair_plan


def png_bytes(width: int = 2, height: int = 2, *, value: int = 0x80, varied: bool = False) -> bytes:
    """A real PNG (greyscale) built by hand; ``varied`` draws a diagonal line (not blank)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b""
    for y in range(height):
        row = bytearray([value] * width)
        if varied:
            row[min(y * width // max(height, 1), width - 1)] = 0
        rows += b"\x00" + bytes(row)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def photo(name: str = "photo.png") -> io.BytesIO:
    buffer = io.BytesIO(png_bytes(4, 4))
    buffer.name = name
    return buffer


def signature_data() -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png_bytes(200, 80, value=255, varied=True)).decode()


def agent(**kwargs: Any) -> User:
    return UserFactory(role=Role.AGENT, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def dispatcher(**kwargs: Any) -> User:
    return UserFactory(role=Role.SUPERVISOR, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def technician(*, skills: list[Skill] = (), regions: list[Region] = (), capacity: int = 4, **kwargs: Any) -> User:  # type: ignore[assignment]
    user = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN, **kwargs)
    profile = TechnicianProfile.objects.create(user=user, daily_capacity=capacity)
    profile.skills.set(skills)
    profile.regions.set(regions)
    return user


def skill(code: str, name: str) -> Skill:
    return Skill.objects.get_or_create(code=code, defaults={"name": name})[0]


def in_progress_ticket(
    *, actor: User, unit: Any = None, region: Region | None = None, kind: str = MeasureKind.ONSITE_REPAIR
) -> tuple[Ticket, PlanMeasure]:
    """A ticket with an agreed plan of one measure of ``kind`` (IN_PROGRESS)."""
    extra: dict[str, Any] = {"province": "上海市", "city": "上海市", "district": "徐汇区", "address": "漕溪北路88号3栋502室"}
    if unit is not None:
        extra["serial_number"] = unit.serial_number
    ticket = make_ticket(actor=actor, region=region or RegionFactory(), **extra)
    ticket = analysed(ticket, actor)
    repair_plan(ticket, actor, kind=kind)
    ticket = Ticket.objects.get(pk=ticket.pk)
    ticket_submit_plan(ticket=ticket, actor=actor)
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=actor, accepted=True, method="phone", agreed_at=clock.now()
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    measure = PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)
    return ticket, measure


def window(days: int = 0, hour: int = 9) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    day = clock.local_today() + dt.timedelta(days=days)
    start = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zone)
    return start, start + dt.timedelta(hours=2)


def fresh(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_related("ticket").get(pk=work_order.pk)


def new_job(*, handler: User, measure: PlanMeasure, **kwargs: Any) -> WorkOrder:
    return services.work_order_create(measure=measure, actor=handler, **kwargs)


def walk_to(work_order: WorkOrder, status: str, *, boss: User, tech: User, hours: str = "1.5") -> WorkOrder:
    """Move a job along the happy path up to ``status``."""
    order = ["dispatched", "accepted", "on_the_way", "on_site", "done"]
    start, end = window()
    for step in order[: order.index(status) + 1]:
        wo = fresh(work_order)
        if step == "dispatched":
            services.work_order_dispatch(work_order=wo, actor=boss, technician=tech, appointment_start=start, appointment_end=end)
        elif step == "accepted":
            services.work_order_accept(work_order=wo, actor=tech)
        elif step == "on_the_way":
            services.work_order_depart(work_order=wo, actor=tech)
        elif step == "on_site":
            services.work_order_check_in(work_order=wo, actor=tech)
        elif step == "done":
            services.work_order_record_work(
                work_order=wo,
                actor=tech,
                diagnosis="排水泵故障",
                work_done="更换排水泵",
                labour_hours=Decimal(hours),
                travel_km=12,
            )
            services.work_order_add_photo(work_order=fresh(wo), actor=tech, kind="before", file=photo())
            services.work_order_add_photo(work_order=fresh(wo), actor=tech, kind="after", file=photo())
            wo = fresh(wo)
            if wo.chargeable:
                services.work_order_prepare_quote(work_order=wo, actor=tech, estimated_hours=hours)
                services.work_order_confirm_quote(work_order=fresh(wo), actor=tech)
            services.work_order_check_out(work_order=fresh(wo), actor=tech)
    return fresh(work_order)


def unit_in_warranty() -> Any:
    today = clock.local_today()
    return ProductUnitFactory(purchase_date=today - dt.timedelta(days=30), production_date=today - dt.timedelta(days=90))


def unit_out_of_warranty() -> Any:
    today = clock.local_today()
    return ProductUnitFactory(purchase_date=today - dt.timedelta(days=800), production_date=today - dt.timedelta(days=900))
