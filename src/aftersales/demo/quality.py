"""The quality demo: shipment volumes, a batch with a real defect and an improvement action whose check shows the drop (issue 18).

- A quality engineer to sign in with (``quality`` / ``quality-demo-2026``).
- Shipment volumes for every batch of the demo's registered units (``get_or_create`` on the
  natural key: the shipment import's demo file may provide the same rows).
- Twelve monthly batches of the 1.5 HP inverter air conditioner (``QA`` + year and month), 1,000
  units shipped each, with their fault history as closed, archived tickets: about 7 faulty units
  per batch, one batch with a real defect (a start capacitor from a bad supplier lot: 30 faulty
  units), and few faults in the batches made after the supplier change.
- The production register of those twelve batches (``catalog.ProductionBatch``): made in the
  Foshan plant, the production month, and their key components' suppliers — the start capacitor
  from the first supplier up to the change, from the second one after — so the fault rates per
  factory, supplier and production month (/quality/rates/) have figures; the other demo batches are
  inferred from their serial units by the rollup job.
- The defect batch's faulty capacitors appraised (archived, accepted appraisals naming the start
  capacitor and its supplier): the rollup takes a fault's component and supplier from its standing
  appraisal (or the last part fitted), so the Pareto of components and the drill export show the
  component the improvement action is about.
- The improvement action raised from that fault cluster, with its five whys, fishbone and the
  supplier change, moved through Do to Check and Act: its check shows the drop.

The history tickets are written as archived records (closed, no SLA clocks, no notifications):
they stand for the company's past, like an import would, not for today's work.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.models import Appraisal, AppraisalPlace, AppraisalStatus, CustomerDecision
from aftersales.catalog.models import BatchComponent, ProductionBatch, ProductModel, ProductUnit, ShipmentVolume
from aftersales.core import clock
from aftersales.core.i18n import ACTOR_SYSTEM
from aftersales.customers.models import Customer
from aftersales.quality.models import ActionOrigin, ActionStatus, ImprovementAction
from aftersales.quality.rollup import fault_rollup_refresh
from aftersales.quality.services import ActionInput, action_raise, action_transition, action_update
from aftersales.tickets.choices import Cause, EventKind, Nature, Responsibility, Severity
from aftersales.tickets.counts import ticket_counts_rebuild
from aftersales.tickets.models import Ticket, TicketCategory, TicketEvent
from aftersales.tickets.numbering import next_ticket_number
from aftersales.tickets.search import search_grams_for

DEMO_MODEL = "KFR-35GW/BP3DN8Y"
BATCH_PREFIX = "QA"
SHIPPED = 1000
# Faulty units per batch, oldest batch first (14 … 3 months ago); the fifth is the defect.
FAULTY = (6, 7, 5, 8, 30, 7, 6, 2, 1, 2, 1, 1)
DEFECT_INDEX = 4
CHANGE_INDEX = 7  # the first batch made with the new supplier's capacitors
FIRST_MONTHS_AGO = 14
ACTION_REFERENCE = "DEMO-CAP-01"
COMPONENT = "启动电容 CBB65 35μF"
SUPPLIER = "宁波华德电容器有限公司"  # the capacitor supplier the demo appraisals name (demo.appraisal)
SECOND_SUPPLIER = "佛山通宝电子有限公司"  # the capacitor's supplier from the change on
COMPRESSOR, COMPRESSOR_SUPPLIER = "压缩机", "广东美芝制冷设备有限公司"
FACTORY = "佛山工厂"
USERNAME, PASSWORD = "quality", "quality-demo-2026"


def _months_ago(today: dt.date, months: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _engineer() -> User:
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User(
            username=USERNAME,
            display_name="陈质",
            email=f"{USERNAME}@example.com",
            role=Role.QUALITY_ENGINEER,
            data_scope=DataScope.ALL,
            language="zh-hans",
        )
        user.set_password(PASSWORD)
        user.save()
    return user


def _shipments_for_registered_batches() -> int:
    made = 0
    rows = (
        ProductUnit.objects.exclude(batch="")
        .exclude(batch__startswith=BATCH_PREFIX)
        .order_by()
        .values_list("model_id", "batch")
        .distinct()
    )
    for model_id, batch in rows:
        first = (
            ProductUnit.objects.filter(model_id=model_id, batch=batch)
            .order_by("production_date")
            .values_list("production_date", flat=True)[:1]
        )
        month = (first[0] if first and first[0] else clock.local_today()).replace(day=1)
        units = 800 + (zlib.crc32(f"{model_id}:{batch}".encode()) % 40) * 50
        _row, created = ShipmentVolume.objects.get_or_create(
            model_id=model_id, batch=batch, month=month, region=None, defaults={"units": units}
        )
        made += created
    return made


def _production_register(model: ProductModel, today: dt.date) -> int:
    """The register rows of the story's batches (kept as they are when present)."""
    made = 0
    for index in range(len(FAULTY)):
        produced = _months_ago(today, FIRST_MONTHS_AGO - index)
        row, created = ProductionBatch.objects.get_or_create(
            model=model, batch=f"{BATCH_PREFIX}{produced:%y%m}", defaults={"factory": FACTORY, "production_month": produced}
        )
        if created:
            capacitor = SUPPLIER if index < CHANGE_INDEX else SECOND_SUPPLIER
            BatchComponent.objects.bulk_create(
                [
                    BatchComponent(production_batch=row, component=COMPONENT, supplier=capacitor),
                    BatchComponent(production_batch=row, component=COMPRESSOR, supplier=COMPRESSOR_SUPPLIER),
                ]
            )
            made += 1
    return made


def _history(model: ProductModel, today: dt.date) -> int:
    """The defect story's batches, shipments, units and archived fault tickets."""
    # Customers without a portal login: the demo customer's own page shows the stories told for
    # them, not 76 archived repairs.
    customers = list(Customer.objects.filter(user__isnull=True).order_by("pk").values_list("pk", flat=True)[:60])
    if not customers:
        return 0
    category = TicketCategory.objects.filter(code="product_quality").first()
    written = 0
    appraisals: list[Appraisal] = []
    appraiser = User.objects.filter(role=Role.APPRAISER, is_active=True).order_by("pk").first()
    for index, faulty in enumerate(FAULTY):
        produced = _months_ago(today, FIRST_MONTHS_AGO - index)
        batch = f"{BATCH_PREFIX}{produced:%y%m}"
        shipped_month = _months_ago(today, FIRST_MONTHS_AGO - index - 1)
        ShipmentVolume.objects.get_or_create(
            model=model, batch=batch, month=shipped_month, region=None, defaults={"units": SHIPPED}
        )
        for n in range(faulty):
            serial = f"QD{produced:%y%m}{n:04d}"
            if ProductUnit.objects.filter(serial_number=serial).exists():
                continue
            bought = shipped_month + dt.timedelta(days=5 + n % 20)
            unit = ProductUnit.objects.create(
                serial_number=serial,
                model=model,
                batch=batch,
                factory=FACTORY,
                production_date=produced + dt.timedelta(days=3),
                purchase_date=bought,
                customer_id=customers[n % len(customers)],
            )
            opened_day = min(bought + dt.timedelta(days=20 + (n * 37) % 120), today - dt.timedelta(days=2))
            opened = timezone.make_aware(dt.datetime.combine(opened_day, dt.time(9 + n % 8, 10)), timezone.get_default_timezone())
            defect = index == DEFECT_INDEX
            title = "空调不制冷，室外机不启动" if defect else "空调制冷效果差"
            description = "室外机压缩机无法启动，嗡嗡响后停机。" if defect else "开机一段时间后不制冷，需上门检查。"
            ticket = Ticket.objects.create(
                number=next_ticket_number(day=opened_day),
                title=title,
                description=description,
                search_grams=search_grams_for(title, description),  # what intake keeps: the search finds them
                channel="hotline",
                status="closed",
                request_type="repair",
                category=category,
                nature="quality",
                severity="general",
                customer_id=customers[n % len(customers)],
                product_unit=unit,
                product_model=model,
                cause="materials" if defect else ("manufacturing" if n % 2 else "installation"),
                responsibility="supplier" if defect else "",
                created_at=opened,
                updated_at=clock.now(),  # written now: the rollup job reads it on its next run
                resolved_at=opened + dt.timedelta(days=2),
                closed_at=opened + dt.timedelta(days=3),
            )
            _archived_timeline(ticket)
            if defect:
                appraisals.append(_archived_appraisal(ticket, unit, appraiser))
            written += 1
    Appraisal.objects.bulk_create(appraisals)
    return written


def _archived_appraisal(ticket: Ticket, unit: ProductUnit, appraiser: User | None) -> Appraisal:
    """The appraisal of the capacitor taken out of a defect-batch unit, as the appraisal services
    leave it once the customer accepted it: the standing conclusion the fault rollup reads."""
    assert ticket.resolved_at is not None
    signed = ticket.created_at + dt.timedelta(days=1)
    return Appraisal(
        ticket=ticket,
        status=AppraisalStatus.ACCEPTED,
        place=AppraisalPlace.RETURNED,
        request_note="不制冷集中批次，拆回启动电容鉴定。",
        appraiser=appraiser,
        product_model=unit.model,
        product_unit=unit,
        batch=unit.batch,
        symptom="压缩机无法启动，嗡嗡响后停机。",
        tests=[{"name": "启动电容容量", "reading": "21 μF", "expected": "35 μF ± 5%"}],
        findings="启动电容高温下容量衰减，压缩机无法启动，属外购件质量问题。",
        fault_type=FaultType.PERFORMANCE,
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        cause=Cause.MATERIALS,
        component_text=COMPONENT,
        responsibility=Responsibility.SUPPLIER,
        supplier=SUPPLIER,
        sanbao_applies=True,
        signed_by=appraiser,
        signed_at=signed,
        customer_decision=CustomerDecision.ACCEPTED,
        customer_answered_at=signed + dt.timedelta(hours=4),
        created_at=ticket.created_at + dt.timedelta(hours=2),
        updated_at=clock.now(),  # written now, like the ticket: the rollup job reads it on its next run
    )


def _archived_timeline(ticket: Ticket) -> None:
    """What the ticket's timeline shows, as intake and the transitions write it: registered, then
    resolved and closed (all three visible to the customer)."""
    assert ticket.resolved_at is not None and ticket.closed_at is not None
    events = [
        TicketEvent(
            kind=EventKind.CREATED,
            body=ticket.description,
            data={"channel": ticket.channel, "number": ticket.number, "safety_hazard": False},
            created_at=ticket.created_at,
        ),
        TicketEvent(
            kind=EventKind.STATUS_CHANGED,
            data={"from": "in_progress", "to": "resolved"},
            created_at=ticket.resolved_at,
        ),
        TicketEvent(kind=EventKind.STATUS_CHANGED, data={"from": "resolved", "to": "closed"}, created_at=ticket.closed_at),
    ]
    for event in events:
        event.ticket = ticket
        event.actor_label = ACTOR_SYSTEM
        event.public = True
    TicketEvent.objects.bulk_create(events)


def _action(model: ProductModel, engineer: User, today: dt.date) -> ImprovementAction | None:
    if ImprovementAction.objects.filter(origin_reference=ACTION_REFERENCE).exists():
        return None
    defect_batch = f"{BATCH_PREFIX}{_months_ago(today, FIRST_MONTHS_AGO - DEFECT_INDEX):%y%m}"
    first_batch = f"{BATCH_PREFIX}{_months_ago(today, FIRST_MONTHS_AGO - CHANGE_INDEX):%y%m}"
    action = action_raise(
        actor=engineer,
        title="压缩机启动电容失效，批次 " + defect_batch + " 不制冷集中",
        problem=f"{defect_batch} 批次不制冷报修 30 台（千台故障率 30‰，其他批次约 6‰），室外机压缩机无法启动。",
        origin=ActionOrigin.FAULT_CLUSTER,
        origin_reference=ACTION_REFERENCE,
        model=model,
        batch=defect_batch,
        component=COMPONENT,
        owner=engineer,
        due_date=today - dt.timedelta(days=30),
    )
    data = ActionInput.of(action)
    data.why1 = "压缩机无法启动：启动电容容量衰减。"
    data.why2 = "电容在高温下容量衰减超过 20%。"
    data.why3 = "该批电容介质膜厚度不足。"
    data.why4 = "供应商更换了膜材来源，未通知我方。"
    data.why5 = "来料检验只抽检常温容量，未做高温老化。"
    data.root_cause = "供应商变更膜材且来料检验缺少高温老化项目。"
    data.fishbone_material = "电容介质膜厚度不足"
    data.fishbone_measurement = "来料检验无高温老化测试"
    data.fishbone_method = "供应商变更未走变更通知流程"
    data.change_kind = "supplier"
    data.change_reason = "启动电容高温容量衰减导致压缩机无法启动。"
    data.change_content = "启动电容改用二供（合格供应商名录 B 类），来料增加 85℃ 高温老化抽检。"
    data.first_batch = first_batch
    action = action_update(action=action, actor=engineer, data=data, expected_version=action.version)
    for status in (ActionStatus.DO, ActionStatus.CHECK, ActionStatus.ACT):
        action = action_transition(action=action, actor=engineer, to=status, expected_version=action.version)
    return action


def load_quality_demo(out: Any) -> None:
    """Idempotent: a second run changes nothing."""
    today = clock.local_today()
    with transaction.atomic():
        engineer = _engineer()
        shipments = _shipments_for_registered_batches()
        model = ProductModel.objects.filter(code=DEMO_MODEL).first() or ProductModel.objects.order_by("pk").first()
        written = _history(model, today) if model is not None else 0
        if model is not None:
            _production_register(model, today)
        if written:
            ticket_counts_rebuild()
    fault_rollup_refresh()
    action = _action(model, engineer, today) if model is not None else None
    line = _("Quality: %(shipments)d shipment rows, %(tickets)d archived fault tickets.") % {
        "shipments": shipments,
        "tickets": written,
    }
    if action is not None:
        check = _("passed") if action.check_passed else _("not passed")
        line += " " + _("Improvement action %(number)s (its check: %(check)s).") % {"number": action.number, "check": check}
    out.write(line + "\n")
