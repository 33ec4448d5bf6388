"""Demo field service: skills, a profile for every demo technician, labour and travel rates, and
a few work orders in different states on demo tickets that are in progress with an on-site
measure — all through the field-service services, so the timeline and audit log tell the story.

The demo technician "technician" (刘强) gets a day's work on his phone: a job accepted and one
dispatched for today, two dispatched for tomorrow; parts requisitions for his jobs wait for the
warehouse keeper and, above the amount rule, for the supervisor. Idempotent: when the demo skills
exist it says so and changes nothing. Tickets without a suitable measure are skipped; with none at
all only the configuration is loaded.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
import struct
import zlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.fieldservice import services
from aftersales.fieldservice.models import (
    ChargePolicy,
    Skill,
    TechnicianProfile,
    TravelMode,
    TravelRate,
    WorkOrder,
    WorkOrderKind,
)
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.parts import services as parts_services
from aftersales.parts.models import Part, Warehouse
from aftersales.tickets.models import MeasureStatus, PlanMeasure, PlanStatus
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.states import TicketStatus

from .stories import KEY_PREFIX

SKILLS = (
    ("refrigeration", "制冷维修"),
    ("electrical", "电气维修"),
    ("installation", "安装调试"),
    ("water", "水路/燃气"),
    ("inspection", "安全检测"),
)
KIND_SKILLS = {
    WorkOrderKind.ONSITE_REPAIR: ["refrigeration", "electrical"],
    WorkOrderKind.INSTALLATION: ["installation"],
    WorkOrderKind.INSPECTION: ["inspection"],
    WorkOrderKind.DEPOT_REPAIR: ["electrical"],
    WorkOrderKind.REMOTE_SUPPORT: [],
}


def _png(width: int, height: int, *, line: bool) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b""
    for y in range(height):
        row = bytearray([235] * width)
        if line:
            row[min(y * width // height, width - 1)] = 20
        rows += b"\x00" + bytes(row)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _photo(name: str) -> io.BytesIO:
    buffer = io.BytesIO(_png(64, 48, line=True))
    buffer.name = name
    return buffer


def _window(days: int, hour: int) -> tuple[dt.datetime, dt.datetime]:
    """A two-hour window ``days`` from today at ``hour``; today's are moved to after now (while
    the day lasts), so the technician's jobs of today are still ahead of him."""
    zone = timezone.get_default_timezone()
    if days == 0:
        hour = min(max(hour, timezone.localtime(clock.now()).hour + 1), 21)
    start = dt.datetime.combine(clock.local_today() + dt.timedelta(days=days), dt.time(hour, 0), tzinfo=zone)
    return start, start + dt.timedelta(hours=2)


# (what the work order becomes, for the demo technician?, appointment day from today, hour), one
# of each state first (with few suitable tickets those are the ones made), then the rest of the
# demo technician's day and tomorrow.
WORK_ORDER_PLAN = (
    ("dispatched", True, 0, 14),
    ("to_dispatch", False, 0, 16),  # for the dispatch board
    ("on_site", False, 0, 10),
    ("customer_accepted", False, -1, 15),
    ("accepted", True, 0, 9),
    ("dispatched", True, 1, 9),
    ("dispatched", True, 1, 15),
)
# The demo technician's parts requisitions from the central store, for his jobs of the plan above
# (by position): small ones a warehouse keeper approves, for the first two; one at or above the
# amount rule (¥1000, ``parts.load_parts_demo``), waiting for the supervisor, for the first of
# the others whose product has a part dear enough.
SMALL_REQUISITIONS = (0, 5)
LARGE_REQUISITION = (6, 4, 0, 5)
SUPERVISOR_AMOUNT = Decimal("1000")


def _configure(technicians: list[User]) -> None:
    skills = {code: Skill.objects.create(code=code, name=name) for code, name in SKILLS}
    ChargePolicy.objects.create(
        name="2026 标准",
        labour_cost_per_hour=Decimal("60.00"),
        labour_price_per_hour=Decimal("120.00"),
        valid_from=dt.date(2026, 1, 1),
    )
    TravelRate.objects.create(region=None, mode=TravelMode.FLAT, cost=Decimal("30.00"), price=Decimal("50.00"))
    for index, user in enumerate(technicians):
        profile = TechnicianProfile.objects.create(user=user, daily_capacity=4)
        chosen = (
            list(skills.values())
            if user.username == "technician"
            else [s for i, s in enumerate(skills.values()) if (i + index) % 2 == 0]
        )
        profile.skills.set(chosen)
        if user.region_id:
            profile.regions.set([user.region_id])


def _candidates() -> list[PlanMeasure]:
    return list(
        PlanMeasure.objects.filter(
            plan__is_current=True,
            plan__status=PlanStatus.AGREED,
            plan__ticket__status__in=[TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD],
            kind__in=WorkOrderKind.values,
            status__in=[MeasureStatus.PENDING, MeasureStatus.IN_PROGRESS],
        )
        .select_related("plan__ticket")
        .order_by("plan__ticket__created_at", "id")[:40]
    )


def load_fieldservice_demo(stdout: Any) -> None:
    if Skill.objects.filter(code="refrigeration").exists():
        stdout.write(_("The field-service demo data is already loaded; nothing was changed."))
        return
    boss = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("id").first()
    technicians = list(User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by("id"))
    with transaction.atomic():
        _configure(technicians)
    if boss is None or not technicians:
        stdout.write(_("Field service: skills and rates loaded; no demo users for work orders."))
        return
    measures = _candidates()
    if not measures:
        stdout.write(_("Field service: no ticket in progress with an on-site measure; no work orders created."))
        return
    demo_tech = next((t for t in technicians if t.username == "technician"), technicians[0])
    home = demo_tech.region_id  # the demo supervisor's region too (east)
    # His own measures first (the stories made him their owner), then others of his region.
    measures.sort(key=lambda m: (m.owner_id != demo_tech.pk, m.plan.ticket.region_id != home))

    def pick(*, same_region: bool) -> PlanMeasure | None:
        for measure in measures:
            if not same_region or measure.plan.ticket.region_id == home:
                measures.remove(measure)
                return measure
        return measures.pop() if measures else None

    def local_technician(measure: PlanMeasure) -> User:
        region = measure.plan.ticket.region_id
        same = [t for t in technicians if t.region_id == region and t.pk != demo_tech.pk]
        return (same or [t for t in technicians if t.pk != demo_tech.pk] or [demo_tech])[0]

    created = 0
    made: dict[int, WorkOrder] = {}
    with transaction.atomic():
        for index, (target, mine, days, hour) in enumerate(WORK_ORDER_PLAN):
            measure = pick(same_region=mine or target == "to_dispatch")
            if measure is None:
                break
            tech = demo_tech if mine else local_technician(measure)
            try:
                with transaction.atomic():
                    made[index] = _make(measure=measure, boss=boss, tech=tech, target=target, window=_window(days, hour))
                created += 1
            except DomainError as exc:
                stdout.write(_("Field service: skipped a ticket (%(reason)s).") % {"reason": exc})
        requisitions = _requisitions(made)
        # Demo customers are invented but their numbers look real: never message them (as the
        # ticket stories do).
        Notification.objects.filter(
            ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX), status=NotificationStatus.PENDING
        ).update(status=NotificationStatus.SKIPPED, last_error="demo data: not sent")
    today = clock.local_today()
    jobs_today = sum(
        1 for wo in made.values() if wo.technician_id == demo_tech.pk and timezone.localdate(wo.appointment_start) == today
    )
    stdout.write(
        _(
            "Field service: %(count)d demo work orders, %(requisitions)d parts requisitions awaiting approval; "
            "the technician “%(technician)s” has %(today)d jobs today."
        )
        % {"count": created, "requisitions": requisitions, "technician": demo_tech.username, "today": jobs_today}
    )


def _requisitions(made: dict[int, WorkOrder]) -> int:
    """The demo technician's requisitions from the central store, submitted for approval."""
    central = Warehouse.objects.filter(code="central").first()
    if central is None:
        return 0  # no demo spare parts loaded
    submitted = 0
    large_done = False
    for index, large in [*((i, False) for i in SMALL_REQUISITIONS), *((i, True) for i in LARGE_REQUISITION)]:
        work_order = made.get(index)
        if work_order is None or work_order.technician is None or (large and large_done):
            continue
        wanted = _parts_for(work_order, large=large)
        if not wanted:
            continue
        try:
            with transaction.atomic():
                requisition = parts_services.requisition_create(
                    work_order=work_order,
                    warehouse=central,
                    lines=wanted,
                    actor=work_order.technician,
                    note="上门前备件：按故障现象预领，未用完随退料单退回。",
                )
                parts_services.requisition_submit(requisition=requisition, actor=work_order.technician)
            submitted += 1
            large_done = large_done or large
        except DomainError:
            continue  # e.g. the part went out of the catalogue: the demo goes on without it
    return submitted


def _parts_for(work_order: WorkOrder, *, large: bool) -> list[tuple[Part, int]]:
    """Parts that fit the job's product: the two cheapest (a small requisition), or the dearest
    in a quantity that reaches the supervisor's amount (a large one)."""
    ticket = work_order.ticket
    unit = ticket.product_unit
    model_id = ticket.product_model_id or (unit.model_id if unit is not None else None)
    if model_id is None:
        return []
    fitting = list(Part.objects.filter(active=True, compatible_models=model_id).order_by("unit_cost", "number"))
    if not fitting:
        return []
    if not large:
        return [(part, 1) for part in fitting[:2]]
    dearest = fitting[-1]
    if dearest.unit_cost < SUPERVISOR_AMOUNT / 4:
        return []  # no part of this product is dear enough for a believable large requisition
    return [(dearest, math.ceil(SUPERVISOR_AMOUNT / dearest.unit_cost))]


def _make(
    *, measure: PlanMeasure, boss: User, tech: User | None, target: str, window: tuple[dt.datetime, dt.datetime]
) -> WorkOrder:
    skills = list(Skill.objects.filter(code__in=KIND_SKILLS.get(WorkOrderKind(measure.kind), [])))
    ticket = measure.plan.ticket
    work_order = services.work_order_create(
        measure=measure,
        actor=boss,
        required_skills=skills,
        site_requirements="小区物业需提前登记，师傅携带工作证；电梯使用需预约。"
        if target != "to_dispatch"
        else "商场营业时间内施工需办理进场证。",
        appointment_start=window[0],
        appointment_end=window[1],
    )
    if target == "to_dispatch" or tech is None:
        return work_order
    work_order = services.work_order_dispatch(work_order=work_order, actor=boss, technician=tech)
    if target == "dispatched":
        return work_order
    work_order = services.work_order_accept(work_order=work_order, actor=tech)
    if target == "accepted":
        return work_order
    work_order = services.work_order_depart(work_order=work_order, actor=tech)
    work_order = services.work_order_check_in(work_order=work_order, actor=tech)
    if target == "on_site":
        return work_order
    work_order = services.work_order_record_work(
        work_order=work_order,
        actor=tech,
        diagnosis="现场检测：" + (ticket.title or "故障")[:40],
        work_done="按方案完成维修，试机运行正常，已向客户说明使用注意事项。",
        labour_hours="1.5",
        travel_km="12",
    )
    services.work_order_add_photo(work_order=work_order, actor=tech, kind="before", file=_photo("before.png"))
    services.work_order_add_photo(work_order=work_order, actor=tech, kind="after", file=_photo("after.png"))
    work_order.refresh_from_db()
    if work_order.chargeable:
        work_order = services.work_order_prepare_quote(work_order=work_order, actor=tech, estimated_hours="1.5")
        work_order = services.work_order_confirm_quote(work_order=work_order, actor=tech)
    work_order = services.work_order_check_out(work_order=work_order, actor=tech)
    signature = "data:image/png;base64," + base64.b64encode(_png(240, 90, line=True)).decode()
    services.work_order_customer_accept(
        work_order=work_order,
        actor=tech,
        method="signature",
        signer_name=ticket.contact_name or ticket.customer.name,
        signature=signature,
    )
    work_order.refresh_from_db()
    return work_order
