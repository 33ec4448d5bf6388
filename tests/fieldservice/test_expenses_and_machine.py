"""Travel expense claims, and the status machine's table checked move by move."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.fieldservice import services
from aftersales.fieldservice.audit_actions import WorkOrderAudit
from aftersales.fieldservice.models import ExpenseStatus, WorkOrder, WorkOrderFileKind, WorkOrderStatus
from aftersales.fieldservice.services.common import move
from aftersales.fieldservice.states import FINAL_STATUSES, TRANSITIONS
from aftersales.tickets.models import TicketEvent
from tests.factories import UserFactory

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    photo,
    png_bytes,
    technician,
    unit_in_warranty,
    walk_to,
)

pytestmark = pytest.mark.django_db
W = WorkOrderStatus


@pytest.fixture
def worked():
    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = walk_to(new_job(handler=handler, measure=measure), "on_site", boss=boss, tech=tech)
    return {"job": job, "boss": boss, "tech": tech, "handler": handler}


def test_a_technician_claims_travel_expenses_with_a_receipt_and_finance_decides(worked):
    job, tech = worked["job"], worked["tech"]
    receipt = photo("taxi.png")
    claim = services.expense_claim_submit(
        work_order=job, actor=tech, kind="transport", amount="36.50", note="出租车", receipt=receipt
    )
    assert claim.amount == Decimal("36.50") and claim.receipt and len(claim.receipt_sha256) == 64
    assert claim.status == ExpenseStatus.SUBMITTED
    assert TicketEvent.objects.filter(ticket=job.ticket, data__action="expense_submitted").exists()
    with pytest.raises(PermissionDenied):
        services.expense_claim_decide(claim=claim, actor=tech, approve=True)
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    decided = services.expense_claim_decide(claim=claim, actor=finance, approve=True)
    assert decided.status == ExpenseStatus.APPROVED and decided.decided_by == finance
    with pytest.raises(DomainError):
        services.expense_claim_decide(claim=claim, actor=worked["boss"], approve=False)


def test_expense_claims_are_validated(worked):
    job, tech = worked["job"], worked["tech"]
    for kwargs, field in [
        ({"kind": "yacht", "amount": "10"}, "kind"),
        ({"kind": "meals", "amount": "0"}, "amount"),
        ({"kind": "meals", "amount": "-5"}, "amount"),
        ({"kind": "meals", "amount": "abc"}, "amount"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            services.expense_claim_submit(work_order=job, actor=tech, **kwargs)
        assert exc.value.field == field
    import io

    fake = io.BytesIO(b"#!/bin/sh\necho not a receipt\n")
    fake.name = "receipt.pdf"
    with pytest.raises(ValidationFailed):
        services.expense_claim_submit(work_order=job, actor=tech, kind="meals", amount="20", receipt=fake)
    with pytest.raises(PermissionDenied):
        services.expense_claim_submit(work_order=job, actor=technician(), kind="meals", amount="20")
    assert not job.expenses.exists()
    assert png_bytes()  # the helper the receipt photo uses is a real PNG


@pytest.mark.parametrize("current", list(W))
def test_the_one_door_refuses_every_move_the_table_lacks(current):
    for target in W:
        if target in TRANSITIONS[current]:
            continue
        with pytest.raises(DomainError) as exc:
            move(WorkOrder(number="WO-TEST", status=current), to=target, actor=None, body="test")
        assert exc.value.code == "transition_not_allowed"
    if current in FINAL_STATUSES:
        assert TRANSITIONS[current] == frozenset()


def test_every_action_the_services_build_from_a_value_is_declared():
    for target in set().union(*TRANSITIONS.values()):
        assert WorkOrderAudit(f"fieldservice.status.{target}").event == f"status.{target}"
    for kind in (WorkOrderFileKind.BEFORE, WorkOrderFileKind.AFTER):
        assert WorkOrderAudit(f"fieldservice.photo_{kind}")
    for status in (ExpenseStatus.APPROVED, ExpenseStatus.REJECTED):
        assert WorkOrderAudit(f"fieldservice.expense_{status}")
    assert WorkOrderAudit("fieldservice.status.to_dispatch")  # back to dispatch: the technician left
    with pytest.raises(ValueError):
        WorkOrderAudit("fieldservice.status.done_twice")  # a value nobody declared


def test_the_audit_rows_of_a_worked_job_carry_declared_actions(worked):
    recorded = set(AuditEvent.objects.filter(action__startswith="fieldservice.").values_list("action", flat=True))
    assert {
        "fieldservice.created",
        "fieldservice.status.dispatched",
        "fieldservice.status.accepted",
        "fieldservice.status.on_the_way",
        "fieldservice.status.on_site",
    } <= recorded
    assert recorded <= {str(member) for member in WorkOrderAudit}


def test_a_technician_may_reschedule_their_job_and_the_customer_is_told(worked):
    handler, boss, tech = worked["handler"], worked["boss"], worked["tech"]
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = walk_to(new_job(handler=handler, measure=measure), "accepted", boss=boss, tech=tech)
    from .helpers import window

    start, end = window(days=2, hour=15)
    moved = services.work_order_reschedule(
        work_order=job, actor=tech, appointment_start=start, appointment_end=end, reason="客户出差"
    )
    assert moved.status == W.RESCHEDULED and moved.appointment_start == start
    with pytest.raises(PermissionDenied):
        services.work_order_reschedule(
            work_order=fresh(job), actor=technician(), appointment_start=start, appointment_end=end, reason="x"
        )
