"""The appraisal demo: the appraiser 孙鉴 ("appraiser") and appraisals at each stage on open
demo repair tickets that have a product unit (a repair is a fault ticket: the quality rollup
counts the component a standing conclusion names) — requested, assigned, in progress, reported, signed,
accepted by the customer, and disputed with its re-appraisal — all through the appraisal
services, so the timeline, the audit log and the customer's notices tell the story. Idempotent:
when the appraiser has appraisals it says so and changes nothing."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.appraisal import services
from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.models import Appraisal, AppraisalPlace, FileKind
from aftersales.appraisal.permissions import in_scope, is_handler
from aftersales.parts.models import Part
from aftersales.tickets.choices import Cause, Nature, RequestType, Responsibility, Severity
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import FINAL_STATUSES

APPRAISER_USERNAME = "appraiser"
APPRAISER_PASSWORD = "appraiser-demo-2026"  # noqa: S105 - the demo login, like demo.builders.DEMO_LOGINS

REPORTS: list[dict[str, Any]] = [
    {
        "symptom": "压缩机不启动，外机无运转声音，内机显示 E1。",
        "tests": [
            {"name": "绝缘电阻", "reading": "50 MΩ", "expected": "≥ 2 MΩ"},
            {"name": "启动电容容量", "reading": "3 μF", "expected": "35 μF ± 5%"},
            {"name": "启动电流", "reading": "0 A", "expected": "6–8 A"},
        ],
        "findings": "启动电容击穿失效，属外购件质量问题。",
        "fault_type": FaultType.PERFORMANCE,
        "nature": Nature.QUALITY,
        "severity": Severity.SERIOUS,
        "cause": Cause.MATERIALS,
        "component_text": "启动电容 CBB65 35μF",  # as the quality demo's improvement action names it
        "responsibility": Responsibility.SUPPLIER,
        "supplier": "宁波华德电容器有限公司",
        "sanbao_applies": True,
    },
    {
        "symptom": "外壳右侧明显凹陷，面板开裂。",
        "tests": [{"name": "外观检查", "reading": "凹陷 3 cm，面板裂纹", "expected": "无损伤"}],
        "findings": "外力撞击所致，与产品质量无关。",
        "fault_type": FaultType.MAN_MADE,
        "nature": Nature.APPEARANCE,
        "severity": Severity.GENERAL,
        "cause": Cause.MISUSE,
        "component_text": "前面板",
        "responsibility": Responsibility.CUSTOMER,
        "sanbao_applies": False,
    },
]


def _png() -> io.BytesIO:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([200 - y] * 48) for y in range(36))
    header = struct.pack(">IIBBBBB", 48, 36, 8, 0, 0, 0, 0)
    buffer = io.BytesIO(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    buffer.name = "photo.png"
    return buffer


def _appraiser() -> User:
    existing = User.objects.filter(username=APPRAISER_USERNAME).first()
    if existing is not None:
        return existing
    user = User(
        username=APPRAISER_USERNAME,
        display_name="孙鉴",
        email=f"{APPRAISER_USERNAME}@example.com",
        role=Role.APPRAISER,
        data_scope=DataScope.ALL,
        language="zh-hans",
    )
    user.set_password(APPRAISER_PASSWORD)
    user.save()
    return user


def _report(index: int, **overrides: Any) -> services.ReportInput:
    values = dict(REPORTS[index])
    values.update(overrides)
    return services.ReportInput(**values)


def load_appraisal_demo(stdout: Any) -> None:
    appraiser = _appraiser()
    if Appraisal.objects.filter(appraiser=appraiser).exists():
        stdout.write(_("Appraisal demo already loaded; nothing changed.") + "\n")
        return
    # The request is the ticket's own handler's when it has one in scope; else the administrator's.
    boss = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("id").first()
    if boss is None:
        return
    tickets = list(
        Ticket.objects.exclude(status__in=FINAL_STATUSES)
        .filter(product_unit__isnull=False, request_type=RequestType.REPAIR)
        .select_related("customer", "product_unit", "assignee")
        .order_by("-created_at")[:7]
    )
    part = Part.objects.filter(active=True).order_by("number").first()
    stages = ["requested", "assigned", "in_progress", "reported", "signed", "accepted", "reappraisal"]
    made = 0
    for ticket, stage in zip(tickets, stages, strict=False):
        agent = (
            ticket.assignee
            if ticket.assignee is not None and is_handler(ticket.assignee) and in_scope(ticket.assignee, ticket)
            else boss
        )
        with transaction.atomic():
            _walk(ticket=ticket, stage=stage, agent=agent, appraiser=appraiser, part=part)
        made += 1
    stdout.write(_("Appraisal demo: %(count)d appraisals.") % {"count": made} + "\n")


def _walk(*, ticket: Ticket, stage: str, agent: User, appraiser: User, part: Part | None) -> None:
    place = [AppraisalPlace.ON_SITE, AppraisalPlace.OUTLET, AppraisalPlace.RETURNED][ticket.pk % 3]
    appraisal = services.appraisal_request(ticket=ticket, actor=agent, place=place, note="请鉴定故障原因及是否适用三包。")
    if stage == "requested":
        return
    services.appraisal_assign(appraisal=appraisal, actor=agent, appraiser=appraiser)
    if stage == "assigned":
        return
    services.appraisal_start(appraisal=appraisal, actor=appraiser)
    if stage == "in_progress":
        return
    index = 1 if stage == "accepted" else 0
    overrides: dict[str, Any] = {}
    if part is not None and index == 0 and stage == "signed":
        overrides = {"component_id": part.pk, "component_text": ""}
    services.appraisal_record_report(appraisal=appraisal, actor=appraiser, report=_report(index, **overrides))
    services.appraisal_add_file(appraisal=appraisal, actor=appraiser, kind=FileKind.PHOTO, fileobj=_png(), name="现场照片.png")
    if stage == "reported":
        return
    services.appraisal_sign(appraisal=appraisal, actor=appraiser)
    if stage == "signed":
        return
    customer = ticket.customer
    if stage == "accepted":
        services.appraisal_answer(appraisal=appraisal, decision="accepted", customer_id=customer.pk)
        return
    services.appraisal_answer(
        appraisal=appraisal, decision="reappraisal", reason="不认可鉴定结论，要求送第三方检测机构检测。", customer_id=customer.pk
    )
    second = Appraisal.objects.get(previous=appraisal)
    services.appraisal_add_file(
        appraisal=second, actor=agent, kind=FileKind.EXTERNAL_REPORT, fileobj=_png(), name="第三方检测报告.png"
    )
