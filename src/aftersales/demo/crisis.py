"""The crisis demo: emergency plans per crisis type, a dismissed alert, an open level-II crisis
confirmed from a safety alert (team, tasks, a communication), and a reviewed drill."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.crisis import services
from aftersales.crisis.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Audience,
    Crisis,
    CrisisLevel,
    CrisisStatus,
    CrisisType,
    Currency,
    EmergencyPlan,
    PlanStep,
    TeamRole,
)
from aftersales.demo.timetravel import simulated_now
from aftersales.parts.models import Stock
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket

PLANS: list[tuple[str, str, str, str, list[tuple[str, str, str, int]]]] = [
    (
        "产品安全事故应急预案",
        "Product safety incident plan",
        CrisisType.PRODUCT_SAFETY,
        "II",
        [
            (
                "联系受影响客户，确认人员安全并建议断电停用",
                "Call the affected customers: are people safe; advise to switch off",
                TeamRole.CUSTOMER_SERVICE,
                30,
            ),
            ("技术人员上门检查，封存故障件", "Technician on site: inspect and seal the faulty part", TeamRole.TECHNICAL, 240),
            (
                "暂停该批次发货并从应急库调配备件",
                "Stop shipping the batch; reserve spare parts from the emergency stock",
                TeamRole.TECHNICAL,
                120,
            ),
            ("评估法律责任与监管报告义务", "Assess liability and the duty to report to the regulator", TeamRole.LEGAL, 480),
            ("准备对外口径", "Prepare the public statement", TeamRole.SPOKESPERSON, 240),
        ],
    ),
    (
        "批次质量问题应急预案",
        "Batch quality problem plan",
        CrisisType.QUALITY_BATCH,
        "III",
        [
            ("圈定受影响批次与序列号", "Delimit the affected batches and serial numbers", TeamRole.TECHNICAL, 120),
            (
                "通知受影响客户并安排免费检修",
                "Notify the affected customers and offer a free repair",
                TeamRole.CUSTOMER_SERVICE,
                240,
            ),
            ("分析根本原因并提出改进措施", "Find the root cause and raise the improvement action", TeamRole.TECHNICAL, 1440),
        ],
    ),
    (
        "舆情应对预案",
        "Public opinion plan",
        CrisisType.PUBLIC_OPINION,
        "III",
        [
            ("核实帖子内容与对应工单", "Check the post against its ticket", TeamRole.CUSTOMER_SERVICE, 30),
            ("主动联系发帖客户解决问题", "Call the customer who posted and solve the problem", TeamRole.CUSTOMER_SERVICE, 60),
            ("发布官方回应", "Publish the official reply", TeamRole.SPOKESPERSON, 180),
        ],
    ),
]


def _user(role: str, username: str = "") -> User | None:
    qs = User.objects.filter(role=role, is_active=True)
    return (qs.filter(username=username).first() if username else None) or qs.order_by("pk").first()


def _allocate_resources(crisis: Crisis, admin: User) -> None:
    """The open crisis's resources: a technician, a budget with an expense, and one part from an
    emergency reserve where the parts demo keeps one (and it is available)."""
    technician = _user(Role.TECHNICIAN)
    if technician is not None:
        services.crisis_assign_technician(crisis=crisis, actor=admin, user=technician, note="负责上门排查")
    crisis = services.crisis_set_budget(crisis=crisis, actor=admin, amount="50000", currency=Currency.CNY)
    services.crisis_record_expense(crisis=crisis, actor=admin, amount="1800", description="加急物流及上门检测")
    for stock in Stock.objects.filter(emergency_reserve__gt=0).select_related("part", "warehouse").order_by("pk"):
        if stock.available >= 1:
            services.crisis_reserve_parts(crisis=crisis, actor=admin, stock=stock, quantity=1)
            break


def load_crisis_demo(stdout: Any) -> None:
    if EmergencyPlan.objects.exists():
        stdout.write(_("The crisis demo is already loaded; nothing was changed."))
        return
    admin = _user(Role.ADMINISTRATOR)
    supervisor = _user(Role.SUPERVISOR, "supervisor")
    quality = _user(Role.QUALITY_MANAGER, "quality-1")
    agent = _user(Role.AGENT)
    if admin is None or supervisor is None:
        stdout.write(_("No administrator yet: load the demo data first."))
        return
    with transaction.atomic():
        plans = {}
        for name, name_en, kind, level, steps in PLANS:
            plan = EmergencyPlan.objects.create(
                name=name,
                name_en=name_en,
                crisis_type=kind,
                default_level=CrisisLevel.objects.filter(code=level).first(),
                contacts="质量部 400-800-1234；法务部 021-5555-0100",
                escalation="30分钟未控制升级至重大（II级），通知总经理。",
            )
            PlanStep.objects.bulk_create(
                PlanStep(plan=plan, position=i, title=t, title_en=t_en, role=role, due_minutes=minutes)
                for i, (t, t_en, role, minutes) in enumerate(steps, 1)
            )
            plans[kind] = plan
        level_ii = CrisisLevel.objects.get(code="II")
        level_iv = CrisisLevel.objects.get(code="IV")
        now = clock.now()

        # A dismissed alert: a social-media report the supervisor checked and closed.
        social = Ticket.objects.filter(channel=Channel.SOCIAL).order_by("pk").first()
        if social is not None:
            alert = services.alert_raise_social(ticket=social)
        else:
            alert = Alert.objects.filter(status=AlertStatus.OPEN).order_by("pk").first()
        if alert is not None and alert.status == AlertStatus.OPEN:
            services.alert_dismiss(alert=alert, actor=admin, reason="已回访客户，属个别服务问题，不构成危机。")

        # An open crisis confirmed from the first open safety alert.
        safety = Alert.objects.filter(kind=AlertKind.SAFETY, status=AlertStatus.OPEN).order_by("pk").first()
        if safety is not None:
            crisis = services.alert_confirm(alert=safety, actor=admin, level=level_ii, plan=plans[CrisisType.PRODUCT_SAFETY])
            services.crisis_add_member(crisis=crisis, actor=admin, user=supervisor, role=TeamRole.LEADER)
            if quality is not None:
                services.crisis_add_member(crisis=crisis, actor=admin, user=quality, role=TeamRole.TECHNICAL)
            if agent is not None:
                services.crisis_add_member(crisis=crisis, actor=admin, user=agent, role=TeamRole.CUSTOMER_SERVICE)
            crisis = services.crisis_transition(crisis=crisis, actor=admin, to=CrisisStatus.RESPONDING)
            services.crisis_record_communication(
                crisis=crisis,
                actor=admin,
                audience=Audience.INTERNAL,
                subject="启动应急响应",
                body="已启动产品安全事故应急预案，请各成员按任务清单执行。",
            )
            _allocate_resources(crisis, admin)

        # A reviewed drill, a week ago, its steps an hour apart.
        start = now - dt.timedelta(days=7)
        with simulated_now(start):
            drill = services.crisis_open(
                actor=admin,
                title="应急演练：燃气热水器漏气",
                crisis_type=CrisisType.PRODUCT_SAFETY,
                level=level_iv,
                plan=plans[CrisisType.PRODUCT_SAFETY],
                is_drill=True,
                summary="季度应急演练，模拟某批次燃气热水器漏气投诉。",
            )
        for hours, status in enumerate(
            (CrisisStatus.CONFIRMED, CrisisStatus.RESPONDING, CrisisStatus.CONTAINED, CrisisStatus.RECOVERED), 1
        ):
            with simulated_now(start + dt.timedelta(hours=hours)):
                drill = services.crisis_transition(crisis=drill, actor=admin, to=status)
        with simulated_now(start + dt.timedelta(hours=6)):
            services.crisis_transition(
                crisis=drill,
                actor=admin,
                to=CrisisStatus.REVIEWED,
                lessons="客户通知模板需提前审批；法务联系人电话已过期，已更新。",
                improvements="每季度核对应急联系人。",
            )
    stdout.write(_("Loaded the crisis demo: emergency plans, a dismissed alert, an open crisis and a reviewed drill."))
