"""The travel-money demo: the demo technician 刘强 ("technician") has a posted reimbursement (two
approved expense claims paid, an earlier advance offset against them), a paid advance still
outstanding with approved claims not yet reimbursed, an advance paid 43 days ago and never settled
(overdue for settlement, requested, approved and paid at those past moments with
``simulated_now``), and an advance waiting for approval — all
through the travel and field-service services, so the audit log tells the story; then his trip
log (``demo.trips``). Idempotent: when
the technician has an advance it says so and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.fieldservice import services as fieldservice
from aftersales.fieldservice.models import ExpenseKind, WorkOrder, WorkOrderStatus
from aftersales.travel import services
from aftersales.travel.models import CashAdvance, PaymentMethod
from aftersales.travel.permissions import can_decide_advance

from .timetravel import simulated_now
from .trips import load_trip_demo

TECHNICIAN = "technician"
W = WorkOrderStatus


def _staff(role: str, username: str) -> User | None:
    qs = User.objects.filter(role=role, is_active=True)
    return qs.filter(username=username).first() or qs.order_by("pk").first()


def _advance(tech: User, *, purpose: str, amount: str, days: tuple[int, int], jobs: list[WorkOrder]) -> CashAdvance:
    today = clock.local_today()
    return services.advance_request(
        actor=tech,
        purpose=purpose,
        amount=Decimal(amount),
        trip_from=today + dt.timedelta(days=days[0]),
        trip_until=today + dt.timedelta(days=days[1]),
        work_orders=[wo.number for wo in jobs],
    )


def _approved_and_paid(advance: CashAdvance, *, approver: User, finance: User, reference: str) -> CashAdvance:
    approved = services.advance_approve(advance=advance, actor=approver)
    return services.advance_pay(advance=approved, actor=finance, method=PaymentMethod.BANK_TRANSFER, reference=reference)


def _claims(tech: User, finance: User, job: WorkOrder, items: list[tuple[str, str, str]]) -> list[int]:
    ids = []
    for kind, amount, note in items:
        claim = fieldservice.expense_claim_submit(work_order=job, actor=tech, kind=kind, amount=amount, note=note)
        fieldservice.expense_claim_decide(claim=claim, actor=finance, approve=True)
        ids.append(claim.pk)
    return ids


def _overdue_advance(tech: User, *, approver: User, finance: User) -> CashAdvance:
    """An advance for a trip six weeks ago, paid 43 days ago and never offset: past the default
    30 days (``TRAVEL_ADVANCE_SETTLE_DAYS``), so the pages mark it and the daily job reminds."""
    now = clock.now()
    with simulated_now(now - dt.timedelta(days=45)):
        advance = _advance(tech, purpose="上月上门维修差旅（杭州）", amount="600", days=(0, 1), jobs=[])
    with simulated_now(now - dt.timedelta(days=44)):
        approved = services.advance_approve(advance=advance, actor=approver)
    with simulated_now(now - dt.timedelta(days=43)):
        return services.advance_pay(advance=approved, actor=finance, method=PaymentMethod.BANK_TRANSFER, reference="ICBC-JK-0000")


def load_travel_demo(stdout: Any) -> None:
    """The travel money, then the trip log (``demo.trips``), each idempotent on its own."""
    _load_money(stdout)
    load_trip_demo(stdout)


def _load_money(stdout: Any) -> None:
    tech = User.objects.filter(username=TECHNICIAN, role=Role.TECHNICIAN, is_active=True).first()
    if tech is None:
        return
    if CashAdvance.objects.filter(technician=tech).exists():
        stdout.write(_("The travel-money demo is already loaded; nothing was changed.") + "\n")
        return
    finance = _staff(Role.FINANCE, "finance")
    supervisor = _staff(Role.SUPERVISOR, "supervisor")
    jobs = list(
        WorkOrder.objects.filter(technician=tech)
        .exclude(status__in=[W.TO_DISPATCH, W.CANCELLED])
        .order_by("created_at", "id")[:2]
    )
    if finance is None or not jobs:
        stdout.write(_("Travel money: no finance user or no work order of the demo technician; skipped.") + "\n")
        return
    first, last = jobs[0], jobs[-1]
    with transaction.atomic():
        earlier = _advance(tech, purpose="上门维修差旅（苏州）：往返高铁及住宿", amount="800", days=(-12, -10), jobs=[first])
        approver = supervisor if supervisor is not None and can_decide_advance(supervisor, earlier) else finance
        _approved_and_paid(earlier, approver=approver, finance=finance, reference="ICBC-JK-0001")
        claims = _claims(
            tech,
            finance,
            first,
            [(ExpenseKind.TRANSPORT, "650.00", "上海—苏州 高铁往返"), (ExpenseKind.LODGING, "260.00", "苏州 快捷酒店 1 晚")],
        )
        posted = services.reimbursement_post(
            reimbursement=services.reimbursement_draft(technician=tech, actor=finance, claims=claims, advances=[earlier.pk]),
            actor=finance,
        )
        current = _advance(tech, purpose="本周上门维修差旅（无锡）", amount="1500", days=(-2, 2), jobs=[last])
        _approved_and_paid(current, approver=approver, finance=finance, reference="ICBC-JK-0002")
        _claims(
            tech,
            finance,
            last,
            [(ExpenseKind.TOLL_PARKING, "45.50", "高速通行费"), (ExpenseKind.MEALS, "80.00", "误餐补助")],
        )
        pending = _advance(tech, purpose="下周上门安装差旅（南京）", amount="1200", days=(5, 7), jobs=[])
        overdue = _overdue_advance(tech, approver=approver, finance=finance)
    stdout.write(
        _(
            "Travel money: %(technician)s has the posted reimbursement %(reimbursement)s (net %(net)s CNY), "
            "the outstanding advance %(current)s, the advance %(overdue)s overdue for settlement and the advance "
            "%(pending)s waiting for approval."
        )
        % {
            "technician": tech,
            "reimbursement": posted.number,
            "net": posted.net,
            "current": current.number,
            "overdue": overdue.number,
            "pending": pending.number,
        }
        + "\n"
    )
