"""The customer-charges demo (docs/billing.md): out-of-warranty repairs done by the demo
technician 刘强 ("technician") at moments of the last hundred days, whose receivables stand in
every state the finance pages show — outstanding in each aging bucket (over 90, 61–90, 31–60 and
0–30 days), partly paid, paid with an ordinary invoice, paid by a company with a special VAT
invoice, a rest waived by the supervisor, and cash he collected yesterday waiting for finance to
confirm it. The demo customer 赵敏 ("customer") has one of them, partly paid, on her portal page.

Everything goes through the real services at the story's moments (``simulated_now``): the ticket
is registered, verified and given a plan of one paid on-site repair that the customer accepts;
the work order is dispatched, done, quoted, checked out and signed for (field service's hook
creates the receivable, due from the day of the work); then finance records the payments and
invoices and the supervisor waives. So the timeline, the audit log and the aging agree.

Deterministic and idempotent: when a ticket of this demo exists it says so and changes nothing;
a job whose unit turns out to be in warranty (free of charge) is skipped and said."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.billing import services as billing
from aftersales.billing.models import InvoiceKind, Payment, PaymentMethod, PaymentStatus, Receivable
from aftersales.catalog.models import ProductUnit
from aftersales.catalog.warranty import unit_warranty_status
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.fieldservice import services as fieldservice
from aftersales.fieldservice.models import WorkOrder
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.tickets.choices import Nature, Priority, RequestType, Severity
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.process import (
    MeasureInput,
    ticket_classify,
    ticket_close,
    ticket_decide_approval,
    ticket_propose_plan,
    ticket_record_agreement,
    ticket_record_verification,
    ticket_resolve,
    ticket_start_verification,
    ticket_submit_plan,
)
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.services.intake import IntakeInput, ticket_intake

from .builders import PORTAL_USERNAME
from .fieldservice import _photo, _png
from .timetravel import simulated_now

KEY_PREFIX = "billing-demo-"
TECHNICIAN = "technician"


@dataclass(frozen=True)
class Paid:
    """A payment ``after`` days after the work: ``on_site`` is cash the technician collected."""

    after: int
    amount: str  # "" = all that is left
    method: str
    reference: str = ""
    on_site: bool = False


@dataclass(frozen=True)
class Job:
    key: str
    days_ago: int  # the day of the work
    hours: str  # labour: the charge is hours × 120 yuan + 50 yuan travel (the field-service demo's rates)
    fault: str
    payments: tuple[Paid, ...] = ()
    invoice: tuple[str, str, str, str] | None = None  # kind, number, title, tax ID
    waive: str = ""
    customer: bool = False  # the demo portal customer's own unit
    close: bool = True  # resolved and closed two days after the work (if that day is past)


JOBS = (
    Job("over-90", 98, "2.5", "空调外机不启动，压缩机启动电容损坏"),
    Job(
        "partly-61-90",
        72,
        "2",
        "洗衣机脱水时剧烈抖动，减震吊杆断裂",
        payments=(Paid(10, "100.00", PaymentMethod.BANK_TRANSFER, "ICBC-20261001-7781"),),
    ),
    Job("open-31-60", 44, "1.5", "热水器点火后熄火，熄火保护针积碳"),
    Job(
        "paid-company",
        26,
        "3",
        "商用冰箱不制冷，冷凝风机烧毁",
        payments=(Paid(3, "", PaymentMethod.BANK_TRANSFER, "CMB-20261115-0042"),),
        invoice=(InvoiceKind.SPECIAL, "044001900211", "上海味道餐饮管理有限公司", "91310104MA1FL2XK3P"),
    ),
    Job(
        "waived",
        18,
        "2",
        "油烟机噪音大，二次上门更换电机",
        payments=(Paid(0, "50.00", PaymentMethod.CASH),),
        waive="同一故障第二次上门，经主管批准免收剩余费用。",
    ),
    Job(
        "customer",
        12,
        "2",
        "空调制热效果差，四通阀线圈损坏",
        payments=(Paid(0, "100.00", PaymentMethod.WECHAT, "4200002026112612345678"),),
        customer=True,
    ),
    Job(
        "paid-person",
        5,
        "1",
        "燃气灶一侧打不着火，点火针更换",
        payments=(Paid(0, "", PaymentMethod.ALIPAY, "2026120322001456780001"),),
        invoice=(InvoiceKind.NORMAL, "24312000000017", "", ""),
    ),
    Job(
        "collected",
        1,
        "1.5",
        "洗碗机不排水，排水泵堵塞清理",
        payments=(Paid(0, "", PaymentMethod.CASH, on_site=True),),
        close=False,
    ),
)


def _user(role: str, username: str) -> User | None:
    qs = User.objects.filter(role=role, is_active=True)
    return qs.filter(username=username).first() or qs.order_by("pk").first()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Local ``hour``:``minute`` of ``day`` (every moment of ``JOBS`` is before today)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _units(jobs: tuple[Job, ...], today: dt.date) -> dict[str, ProductUnit | None]:
    """Each job's unit, out of warranty on the day of the work (so the job is charged): the demo
    customer's for hers, else the oldest owned units, each used once (``None``: an unregistered
    unit, whose warranty is unknown — charged too)."""
    owned = ProductUnit.objects.filter(purchase_date__isnull=False, customer__isnull=False).select_related("customer", "model")
    pool = list(owned.exclude(customer__user__username=PORTAL_USERNAME).order_by("purchase_date", "pk")[:60])
    hers = list(owned.filter(customer__user__username=PORTAL_USERNAME).order_by("purchase_date", "pk"))
    chosen: dict[str, ProductUnit | None] = {}
    for job in jobs:
        day = today - dt.timedelta(days=job.days_ago)
        candidates = [*hers, *pool] if job.customer else pool
        unit = next((u for u in candidates if not unit_warranty_status(u, day).covers_repair), None)
        if unit is not None:
            (hers if unit in hers else pool).remove(unit)
        chosen[job.key] = unit
    return chosen


def _ticket(job: Job, unit: ProductUnit | None, *, agent: User, tech: User, boss: User, day: dt.date) -> PlanMeasure:
    """Registered and planned the day before the work: one paid on-site repair, accepted."""
    customer = unit.customer if unit is not None else None
    data = IntakeInput(
        channel="hotline",
        customer_name=customer.name if customer is not None else "陈静",
        phone=customer.phone if customer is not None and customer.phone else "13600001234",
        description=f"{job.fault}。产品已过保修期，客户同意付费维修。",
        title=job.fault.split("，")[0],
        request_type=RequestType.REPAIR,
        serial_number=unit.serial_number if unit is not None else "",
        occurred_at=_at(day - dt.timedelta(days=2), 19),
        province="上海市",
        city="上海市",
        district="闵行区",
        address="莘庄镇 都市路 " + str(100 + job.days_ago) + " 号",
    )
    key = KEY_PREFIX + hashlib.sha256(job.key.encode()).hexdigest()[:16]
    with simulated_now(_at(day - dt.timedelta(days=1), 9, 30)):
        ticket = ticket_intake(data=data, actor=agent, idempotency_key=key, region=tech.region).ticket
        ticket = ticket_start_verification(ticket=ticket, actor=agent)
        ticket = ticket_classify(
            ticket=ticket,
            actor=agent,
            category=None,
            nature=Nature.QUALITY,
            severity=Severity.MINOR,
            request_type=RequestType.REPAIR,
            priority=Priority.NORMAL,
        )
        ticket = ticket_record_verification(ticket=ticket, actor=agent, authentic=True, complete=True)
    with simulated_now(_at(day - dt.timedelta(days=1), 10, 30)):
        estimate = Decimal(job.hours) * 120 + 50
        ticket_propose_plan(
            ticket=ticket,
            actor=agent,
            diagnosis=job.fault,
            measures=[
                MeasureInput(
                    kind=MeasureKind.ONSITE_REPAIR,
                    owner=agent,
                    customer_charge=estimate,
                    description="上门付费维修（已过保修期）",
                )
            ],
        )
        ticket = ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent)
        if ticket.status == "awaiting_approval":
            ticket_decide_approval(ticket=ticket, actor=boss, approve=True, comment="同意")
    with simulated_now(_at(day - dt.timedelta(days=1), 11)):
        ticket_record_agreement(
            ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, accepted=True, method="phone", agreed_at=clock.now()
        )
    return PlanMeasure.objects.select_related("plan__ticket").get(plan__ticket_id=ticket.pk, plan__is_current=True)


def _work(job: Job, measure: PlanMeasure, *, tech: User, boss: User, day: dt.date) -> WorkOrder:
    """Created and dispatched the afternoon before, done and signed for on ``day``."""
    ticket = measure.plan.ticket
    with simulated_now(_at(day - dt.timedelta(days=1), 14)):
        order = fieldservice.work_order_create(
            measure=measure, actor=boss, appointment_start=_at(day, 9), appointment_end=_at(day, 11)
        )
        order = fieldservice.work_order_dispatch(work_order=order, actor=boss, technician=tech)
    with simulated_now(_at(day - dt.timedelta(days=1), 16)):
        order = fieldservice.work_order_accept(work_order=order, actor=tech)
    steps = (
        (8, 30, lambda wo: fieldservice.work_order_depart(work_order=wo, actor=tech)),
        (9, 10, lambda wo: fieldservice.work_order_check_in(work_order=wo, actor=tech)),
    )
    for hour, minute, step in steps:
        with simulated_now(_at(day, hour, minute)):
            order = step(order)
    with simulated_now(_at(day, 10, 20)):
        order = fieldservice.work_order_record_work(
            work_order=order,
            actor=tech,
            diagnosis=job.fault,
            work_done="更换损坏部件，试机运行正常，已向客户说明使用注意事项。",
            labour_hours=job.hours,
            travel_km="12",
        )
        fieldservice.work_order_add_photo(work_order=order, actor=tech, kind="before", file=_photo("before.png"))
        fieldservice.work_order_add_photo(work_order=order, actor=tech, kind="after", file=_photo("after.png"))
        order.refresh_from_db()
        if not order.chargeable:
            raise DomainError(_("the unit is in warranty"), code="not_chargeable")
        order = fieldservice.work_order_prepare_quote(work_order=order, actor=tech, estimated_hours=job.hours)
        order = fieldservice.work_order_confirm_quote(work_order=order, actor=tech)
    with simulated_now(_at(day, 10, 40)):
        order = fieldservice.work_order_check_out(work_order=order, actor=tech)
    with simulated_now(_at(day, 10, 45)):
        fieldservice.work_order_customer_accept(
            work_order=order,
            actor=tech,
            method="signature",
            signer_name=ticket.contact_name or ticket.customer.name,
            signature="data:image/png;base64," + base64.b64encode(_png(240, 90, line=True)).decode(),
        )
    order.refresh_from_db()
    return order


def _money(job: Job, order: WorkOrder, *, tech: User, finance: User, boss: User, day: dt.date) -> Receivable:
    """The payments, the invoice and the waiver, at their moments."""
    receivable = Receivable.objects.get(work_order=order)
    for payment in job.payments:
        with simulated_now(_at(day + dt.timedelta(days=payment.after), 11 if payment.after == 0 else 15)):
            receivable.refresh_from_db()
            amount = payment.amount or str(receivable.amount - receivable.paid_amount)
            if payment.on_site:
                billing.payment_collect_on_site(receivable=receivable, actor=tech, amount=amount, method=payment.method)
            else:
                billing.payment_record(
                    receivable=receivable,
                    actor=finance,
                    amount=amount,
                    method=payment.method,
                    reference=payment.reference,
                    collected_by=tech if payment.after == 0 and payment.method == PaymentMethod.CASH else None,
                )
    if job.invoice is not None:
        kind, number, title, tax_id = job.invoice
        with simulated_now(_at(day + dt.timedelta(days=4), 10)):
            receivable.refresh_from_db()
            billing.invoice_record(
                receivable=receivable,
                actor=finance,
                kind=kind,
                number=number,
                issued_on=clock.local_today(),
                title=title or order.ticket.customer.name,
                tax_id=tax_id,
            )
    if job.waive:
        with simulated_now(_at(day + dt.timedelta(days=2), 16)):
            receivable.refresh_from_db()
            billing.receivable_waive(receivable=receivable, actor=boss, reason=job.waive)
    receivable.refresh_from_db()
    return receivable


def _finish(job: Job, order: WorkOrder, *, agent: User, day: dt.date) -> None:
    """The ticket resolved the afternoon of the work and closed two days later (when past)."""
    closing = _at(day + dt.timedelta(days=2), 10)
    if not job.close or closing >= clock.now():
        return
    with simulated_now(_at(day, 15)):
        ticket_resolve(ticket=Ticket.objects.get(pk=order.ticket_id), actor=agent, summary="付费维修完成，客户已签字验收。")
    with simulated_now(closing):
        ticket_close(ticket=Ticket.objects.get(pk=order.ticket_id), actor=agent, note="客户电话确认已解决。")


def load_billing_demo(stdout: Any) -> None:
    if tickets_with_intake_key_prefix(KEY_PREFIX).exists():
        stdout.write(_("The customer-charges demo is already loaded; nothing was changed.") + "\n")
        return
    tech = User.objects.filter(username=TECHNICIAN, role=Role.TECHNICIAN, is_active=True).first()
    agent = _user(Role.AGENT, "agent")
    boss = _user(Role.SUPERVISOR, "supervisor")
    finance = _user(Role.FINANCE, "finance")
    if tech is None or agent is None or boss is None or finance is None:
        stdout.write(_("Customer charges: no demo technician, agent, supervisor or finance user; skipped.") + "\n")
        return
    today = clock.local_today()
    units = _units(JOBS, today)
    made: list[Receivable] = []
    for job in JOBS:
        day = today - dt.timedelta(days=job.days_ago)
        try:
            with transaction.atomic():
                measure = _ticket(job, units[job.key], agent=agent, tech=tech, boss=boss, day=day)
                order = _work(job, measure, tech=tech, boss=boss, day=day)
                receivable = _money(job, order, tech=tech, finance=finance, boss=boss, day=day)
                _finish(job, order, agent=agent, day=day)
            made.append(receivable)
        except DomainError as exc:
            stdout.write(_("Customer charges: skipped a job (%(reason)s).") % {"reason": exc} + "\n")
    # Demo customers are invented but their numbers look real: never message them.
    Notification.objects.filter(ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX), status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SKIPPED, last_error="demo data: not sent"
    )
    outstanding = [r for r in made if r.outstanding > 0]
    stdout.write(
        _(
            "Customer charges: %(count)d receivables of the technician “%(technician)s”, %(outstanding)d outstanding "
            "(%(amount)s CNY), the oldest due from %(oldest)s; cash collected on site waiting for finance: %(pending)d."
        )
        % {
            "count": len(made),
            "technician": tech.username,
            "outstanding": len(outstanding),
            "amount": sum((r.outstanding for r in outstanding), Decimal("0.00")),
            "oldest": min((r.due_from for r in made), default=today).isoformat(),
            "pending": Payment.objects.filter(receivable__in=made, status=PaymentStatus.PENDING).count(),
        }
        + "\n"
    )
