"""Demo refunds and compensation: tickets in progress whose agreed plan has a refund or a
compensation measure, carried to every stage (awaiting approval, approved and waiting for
finance or marketing or the warehouse, paid or issued, done with the measure completed, refused,
cancelled) — all through the compensation services, so the timeline, audit log and messages tell
the story. Adds the amount rules for refunds and compensation, and a "finance" and a
"marketing" login when missing. Idempotent: when a refund exists it says so and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.catalog.models import ProductUnit
from aftersales.compensation import services
from aftersales.compensation.models import Compensation, Refund
from aftersales.core import clock
from aftersales.parts.models import Stock, Warehouse
from aftersales.tickets.choices import Nature, Priority, RequestType, Responsibility, Severity
from aftersales.tickets.models import ApprovalRule, MeasureKind, PlanMeasure, Ticket
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
from aftersales.tickets.services.intake import IntakeInput, ticket_intake

LOGINS = (("finance", "finance-demo-2026", Role.FINANCE, "孙丽"), ("marketing", "marketing-demo-2026", Role.MARKETING, "吴婷"))
RULES = (
    ("退款 2000 元以上需主管审批", MeasureKind.REFUND, Decimal("2000")),
    ("补偿 500 元以上需主管审批", MeasureKind.COMPENSATION, Decimal("500")),
)


def _login(username: str, password: str, role: str, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name, role=role, data_scope=DataScope.ALL, email=f"{username}@example.com")
        user.set_password(password)
        user.save()
    return user


# The product each demo refund or compensation is about (catalogue category codes, demo/data.py):
# the ticket's title names it, so its unit must be one of it.
REFUND_CATEGORIES = ("refrigerator", "washing-machine", "water-heater", "dishwasher", "air-conditioner", "range-hood")
COMPENSATION_CATEGORIES = ("air-conditioner", "water-heater", "washing-machine", "range-hood")


def demo_units(categories: tuple[str, ...], *, exclude: frozenset[int] = frozenset()) -> list[ProductUnit | None]:
    """A registered, owned unit of each category in ``categories`` (in that order), each used
    once and none of ``exclude``; where the catalogue has no such unit left (a bare database),
    any other unit; ``None`` when there is none at all."""
    chosen: list[ProductUnit | None] = []
    taken: set[int] = set(exclude)
    owned = ProductUnit.objects.filter(purchase_date__isnull=False, customer__isnull=False).order_by("pk")
    for code in categories:
        unit = owned.filter(model__category__code=code).exclude(pk__in=taken).first()
        unit = unit or owned.exclude(pk__in=taken).first()
        if unit is not None:
            taken.add(unit.pk)
        chosen.append(unit)
    return chosen


def _user(role: str, username: str = "") -> User | None:
    qs = User.objects.filter(role=role, is_active=True)
    return (qs.filter(username=username).first() if username else None) or qs.order_by("pk").first()


def _ticket(
    *, agent: User, approver: User, unit: ProductUnit | None, kind: str, amount: str, title: str, text: str
) -> tuple[Ticket, PlanMeasure]:
    customer = unit.customer if unit is not None and unit.customer_id else None
    data = IntakeInput(
        channel="hotline",
        customer_name=customer.name if customer else "陈静",
        phone=customer.phone if customer and customer.phone else "13600001234",
        description=text,
        title=title,
        request_type=RequestType.REFUND if kind == MeasureKind.REFUND else RequestType.COMPENSATION,
        serial_number=unit.serial_number if unit else "",
        province="上海市",
        city="上海市",
        district="浦东新区",
        address="张江路 100 号",
    )
    # A key of its own (not the stories' "demo-"): demo tickets are told apart from bulk ones by it.
    key = "compensation-demo-" + hashlib.sha256(title.encode()).hexdigest()[:16]
    ticket = ticket_intake(data=data, actor=agent, idempotency_key=key).ticket
    ticket = ticket_start_verification(ticket=ticket, actor=agent)
    ticket = ticket_classify(
        ticket=ticket,
        actor=agent,
        category=None,
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        request_type=data.request_type,
        priority=Priority.IMPORTANT,
    )
    ticket = ticket_set_responsibility(
        ticket=ticket, actor=agent, responsibility=Responsibility.INTERNAL, party="生产部", cause="manufacturing"
    )
    ticket = ticket_record_verification(ticket=ticket, actor=agent, authentic=True, complete=True)
    measure_text = "按三包规定退货退款（扣除折旧）" if kind == MeasureKind.REFUND else "向客户致歉并给予补偿"
    ticket_propose_plan(
        ticket=ticket,
        actor=agent,
        diagnosis=text,
        measures=[
            MeasureInput(kind=kind, owner=agent, amount=Decimal(amount), customer_charge=Decimal("0"), description=measure_text)
        ],
    )
    ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent)
    ticket = Ticket.objects.get(pk=ticket.pk)
    if ticket.status == "awaiting_approval":
        ticket_decide_approval(ticket=ticket, actor=approver, approve=True, comment="同意")
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, accepted=True, method="phone", agreed_at=clock.now()
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    return ticket, PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)


def load_compensation_demo(stdout: Any) -> None:
    if Refund.objects.exists() or Compensation.objects.exists():
        stdout.write(_("The refunds and compensation demo is already loaded; nothing was changed."))
        return
    agent = _user(Role.AGENT, "agent")
    approver = _user(Role.ADMINISTRATOR)
    keeper = _user(Role.WAREHOUSE, "warehouse")
    if agent is None or approver is None:
        stdout.write(_("No administrator yet: load the demo data first."))
        return
    with transaction.atomic():
        cashier, seller = (_login(*login) for login in LOGINS)
        for name, kind, minimum in RULES:
            ApprovalRule.objects.get_or_create(
                name=name, defaults={"measure_kind": kind, "min_amount": minimum, "approver_role": "supervisor"}
            )
        today = clock.local_today()
        found = demo_units(REFUND_CATEGORIES)
        if any(unit is None for unit in found):
            stdout.write(_("Not enough demo product units for the refunds demo."))
            return
        units = [unit for unit in found if unit is not None]

        def refund(unit: ProductUnit, amount: str, price: str, title: str, **kwargs: Any) -> Refund:
            _t, measure = _ticket(
                agent=agent,
                approver=approver,
                unit=unit,
                kind=MeasureKind.REFUND,
                amount=amount,
                title=title,
                text=f"{title}。两次维修后同一故障仍未排除，按三包规定退货。",
            )
            return services.refund_request(
                measure=measure,
                actor=agent,
                method=kwargs.pop("method", "original"),
                price_paid=price,
                invoice_number=f"FP{unit.pk:08d}",
                daily_rate="0.001",
                purchased_on=today - dt.timedelta(days=45),
                **kwargs,
            )

        # a refund waiting for the supervisor (above 2000, above the plan's amount)
        refund(units[0], "1500", "4299", "冰箱压缩机反复故障要求退货", fees="0", reason="两次维修失败")
        # approved, waiting for finance (bank transfer)
        refund(
            units[1],
            "1200",
            "1599",
            "洗衣机脱水异响退货",
            fees="20",
            method="bank_transfer",
            bank_name="中国工商银行",
            account_name="王芳",
            account_number="6222020200112233445",
        )
        # paid, waiting for finance to confirm the money arrived
        paid = refund(units[2], "900", "999", "热水器漏电退货", fees="0")
        services.refund_pay(refund=paid, actor=cashier, payment_reference="ICBC-20261201-0001")
        # done: the measure completed, the ticket can be resolved
        done = refund(units[3], "800", "899", "洗碗机内胆生锈退货", fees="0")
        done = services.refund_pay(refund=done, actor=cashier, payment_reference="ICBC-20261202-0002")
        services.refund_confirm(refund=done, actor=cashier, note="银行回单已核对")
        # refused by the supervisor
        refused = refund(units[4], "1000", "3999", "空调制冷差要求全额退款", fees="0", reason="客户要求全额")
        if refused.status == "awaiting_approval":
            services.refund_decide(
                refund=refused, actor=approver, approve=False, comment="使用已超一年，应按折旧退款，请重新核算"
            )
        # cancelled: the customer chose an exchange after all
        cancelled = refund(units[5], "500", "599", "油烟机吸力不足退货", fees="0")
        services.refund_cancel(refund=cancelled, actor=agent, reason="客户改为换货")

        def compensation(unit: ProductUnit | None, plan_amount: str, title: str, **kwargs: Any) -> Compensation:
            _t, measure = _ticket(
                agent=agent,
                approver=approver,
                unit=unit,
                kind=MeasureKind.COMPENSATION,
                amount=plan_amount,
                title=title,
                text=f"{title}，向客户致歉并给予补偿。",
            )
            return services.compensation_request(measure=measure, actor=agent, **kwargs)

        # Units other than the refunds' (spare[0] twice: the same customer again shows the warning).
        spare = demo_units(COMPENSATION_CATEGORIES, exclude=frozenset(unit.pk for unit in units))
        # a coupon issued and confirmed (done)
        coupon = compensation(spare[0], "200", "空调上门安装迟到两小时", kind="coupon", amount="200", reason="服务延误")
        coupon = services.compensation_issue(compensation=coupon, actor=seller)
        services.compensation_confirm(compensation=coupon, actor=seller, note="短信已发送券码")
        # points waiting for marketing
        compensation(spare[1], "0", "热水器报修电话长时间无人接听", kind="points", points=2000, amount="20")
        # cash above the rule: waiting for the supervisor (the same customer again: the warning shows)
        compensation(spare[0], "300", "空调室内机漏水泡坏地板要求赔偿", kind="cash", amount="800", reason="地板维修费")
        # a gift from the central warehouse, waiting for the warehouse keeper
        stock = Stock.objects.filter(warehouse__code="central", on_hand__gte=5).select_related("part").order_by("pk").first()
        if stock is not None and keeper is not None:
            compensation(
                spare[2],
                "0",
                "洗衣机安装师傅弄脏地面",
                kind="gift",
                amount="0",
                gift_part=stock.part,
                gift_quantity=1,
                warehouse=Warehouse.objects.get(pk=stock.warehouse_id),
            )
        # a free service voucher, cancelled
        free = compensation(spare[3], "100", "油烟机清洗服务预约被取消", kind="free_service", amount="100")
        services.compensation_cancel(compensation=free, actor=agent, reason="客户已自行清洗")
    stdout.write(_("Refunds and compensation demo loaded."))


__all__ = ["load_compensation_demo"]
