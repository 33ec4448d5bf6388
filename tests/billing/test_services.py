"""Receivables: one per finished chargeable work order (the hook's receiver and the sweep, both
idempotent), payments that never exceed the charge, cash collected on site confirmed or rejected
by finance, the invoice, the waiver (a supervisor, with a reason) — each change audited and on the
ticket's timeline, internal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.billing import receivers, services
from aftersales.billing.models import InvoiceKind, PaymentMethod, PaymentStatus, Receivable, ReceivableStatus
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.fieldservice import effects
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.tickets.models import TicketEvent

from .factories import finance, job, receivable, supervisor, technician

pytestmark = pytest.mark.django_db
S = ReceivableStatus


def test_the_completion_hook_creates_one_receivable_per_chargeable_job():
    tech = technician()
    wo = job(tech, charge="380.00", done_days_ago=3)
    receivers.work_order_charged(work_order_id=wo.pk)
    receivers.work_order_charged(work_order_id=wo.pk)  # again: nothing new
    found = Receivable.objects.get(work_order=wo)
    assert found.amount == Decimal("380.00") and found.status == S.OPEN and found.outstanding == Decimal("380.00")
    assert found.due_from == clock.local_date(wo.completed_at)
    assert AuditEvent.objects.filter(action="billing.receivable_created", object_id=str(found.pk)).count() == 1
    event = TicketEvent.objects.filter(ticket=wo.ticket, data__action="receivable_created").get()
    assert event.public is False and wo.number in event.body


@pytest.mark.parametrize(
    ("kwargs"),
    [
        {"chargeable": False},
        {"charge": "0.00"},
        {"status": WorkOrderStatus.ON_SITE},
        {"status": WorkOrderStatus.CANCELLED},
    ],
)
def test_nothing_is_owed_for_a_free_or_unfinished_job(kwargs):
    wo = job(technician(), **kwargs)
    assert services.receivable_sync(work_order_id=wo.pk) is None
    assert services.receivables_sweep() == 0
    assert not Receivable.objects.exists()


def test_the_sweep_catches_up_missing_receivables_and_follows_the_charge():
    tech = technician()
    first = job(tech, charge="100.00")
    job(tech, charge="250.50", status=WorkOrderStatus.CUSTOMER_ACCEPTED)
    assert services.receivables_sweep() == 2
    assert services.receivables_sweep() == 0  # idempotent
    assert Receivable.objects.count() == 2
    # The customer's acceptance computed the charge again.
    WorkOrder.objects.filter(pk=first.pk).update(charge_total=Decimal("120.00"))
    assert services.receivables_sweep() == 1
    changed = Receivable.objects.get(work_order=first)
    assert changed.amount == Decimal("120.00") and changed.version == 2
    assert AuditEvent.objects.filter(action="billing.receivable_amount_changed", object_id=str(changed.pk)).exists()


def test_payments_move_the_receivable_from_open_to_partly_paid_to_paid():
    r = receivable(technician(), charge="380.00")
    payer = finance()
    services.payment_record(receivable=r, actor=payer, amount="100", method=PaymentMethod.CASH)
    r.refresh_from_db()
    assert r.status == S.PARTLY_PAID and r.paid_amount == Decimal("100.00") and r.outstanding == Decimal("280.00")
    services.payment_record(
        receivable=r,
        actor=payer,
        amount="280.00",
        method=PaymentMethod.WECHAT,
        reference="4200001234",
        expected_version=r.version,
    )
    r.refresh_from_db()
    assert r.status == S.PAID and r.outstanding == 0 and r.paid_at is not None
    assert AuditEvent.objects.filter(action="billing.payment_recorded", object_id=str(r.pk)).count() == 2
    with pytest.raises(DomainError) as closed:
        services.payment_record(receivable=r, actor=payer, amount="1", method=PaymentMethod.CASH)
    assert closed.value.code == "receivable_closed"


def test_overpayment_is_refused_naming_the_amount():
    r = receivable(technician(), charge="50.00")
    with pytest.raises(ValidationFailed) as refused:
        services.payment_record(receivable=r, actor=finance(), amount="50.01", method=PaymentMethod.CASH)
    assert refused.value.code == "overpayment" and "amount" in refused.value.errors
    assert not r.payments.exists()


def test_a_transfer_needs_its_reference_and_money_is_decimal():
    r = receivable(technician(), charge="99.99")
    payer = finance()
    with pytest.raises(ValidationFailed) as missing:
        services.payment_record(receivable=r, actor=payer, amount="10", method=PaymentMethod.BANK_TRANSFER)
    assert "reference" in missing.value.errors
    with pytest.raises(ValidationFailed) as bad:
        services.payment_record(receivable=r, actor=payer, amount="abc", method=PaymentMethod.CASH)
    assert "amount" in bad.value.errors
    with pytest.raises(ValidationFailed) as future:
        services.payment_record(
            receivable=r, actor=payer, amount="1", method=PaymentMethod.CASH, paid_on=clock.local_today() + dt.timedelta(days=1)
        )
    assert "paid_on" in future.value.errors
    services.payment_record(receivable=r, actor=payer, amount="33.333", method=PaymentMethod.CASH)
    r.refresh_from_db()
    assert r.paid_amount == Decimal("33.33") and r.outstanding == Decimal("66.66")


def test_the_same_form_sent_twice_records_one_payment():
    r = receivable(technician(), charge="300.00")
    payer = finance()
    one = services.payment_record(receivable=r, actor=payer, amount="100", method=PaymentMethod.CASH, idempotency_key="k1")
    two = services.payment_record(receivable=r, actor=payer, amount="100", method=PaymentMethod.CASH, idempotency_key="k1")
    assert one.pk == two.pk and r.payments.count() == 1
    with pytest.raises(DomainError) as reused:
        services.payment_record(receivable=r, actor=payer, amount="120", method=PaymentMethod.CASH, idempotency_key="k1")
    assert reused.value.code == "idempotency_key_reused"


def test_cash_collected_on_site_counts_once_finance_confirms_it():
    tech = technician()
    r = receivable(tech, charge="200.00")
    pending = services.payment_collect_on_site(receivable=r, actor=tech, amount="200")
    r.refresh_from_db()
    assert pending.status == PaymentStatus.PENDING and pending.collected_by == tech
    assert r.status == S.OPEN and r.paid_amount == 0
    # The money is in the technician's hands: nothing more may be recorded meanwhile.
    with pytest.raises(ValidationFailed) as over:
        services.payment_record(receivable=r, actor=finance(), amount="0.01", method=PaymentMethod.CASH)
    assert over.value.code == "overpayment"
    services.payment_confirm(payment=pending, actor=finance())
    r.refresh_from_db()
    assert r.status == S.PAID and r.paid_amount == Decimal("200.00")
    with pytest.raises(DomainError) as twice:
        services.payment_confirm(payment=pending, actor=finance())
    assert twice.value.code == "payment_decided"


def test_finance_rejects_a_collection_that_was_not_handed_in():
    tech = technician()
    r = receivable(tech, charge="200.00")
    pending = services.payment_collect_on_site(receivable=r, actor=tech, amount="150")
    with pytest.raises(ValidationFailed):
        services.payment_reject(payment=pending, actor=finance(), reason=" ")
    services.payment_reject(payment=pending, actor=finance(), reason="未交款")
    pending.refresh_from_db()
    r.refresh_from_db()
    assert pending.status == PaymentStatus.REJECTED and r.status == S.OPEN and services.left_to_pay(r) == Decimal("200.00")


def test_only_the_jobs_technician_collects_and_only_finance_records():
    tech, other = technician(), technician()
    r = receivable(tech)
    with pytest.raises(PermissionDenied):
        services.payment_collect_on_site(receivable=r, actor=other, amount="1")
    with pytest.raises(PermissionDenied):
        services.payment_record(receivable=r, actor=tech, amount="1", method=PaymentMethod.CASH)
    with pytest.raises(PermissionDenied):
        services.payment_confirm(
            payment=services.payment_collect_on_site(receivable=r, actor=tech, amount="1"), actor=supervisor()
        )


def test_a_supervisor_waives_the_rest_with_a_reason():
    r = receivable(technician(), charge="300.00")
    services.payment_record(receivable=r, actor=finance(), amount="100", method=PaymentMethod.CASH)
    with pytest.raises(PermissionDenied):
        services.receivable_waive(receivable=r, actor=finance(), reason="客户投诉")
    boss = supervisor()
    with pytest.raises(ValidationFailed) as no_reason:
        services.receivable_waive(receivable=r, actor=boss, reason="")
    assert "reason" in no_reason.value.errors
    waived = services.receivable_waive(receivable=r, actor=boss, reason="客户投诉，免收余款")
    assert waived.status == S.WAIVED and waived.outstanding == 0 and waived.waived_by == boss
    event = AuditEvent.objects.get(action="billing.receivable_waived", object_id=str(r.pk))
    assert event.changes["waived"] == "200.00"


def test_a_stale_version_is_a_conflict():
    r = receivable(technician())
    services.payment_record(receivable=r, actor=finance(), amount="1", method=PaymentMethod.CASH)
    with pytest.raises(DomainError) as stale:
        services.payment_record(receivable=r, actor=finance(), amount="1", method=PaymentMethod.CASH, expected_version=1)
    assert stale.value.code == "stale_version"


def test_the_invoice_is_recorded_corrected_and_checked():
    r = receivable(technician(), charge="380.00")
    payer = finance()
    today = clock.local_today()
    with pytest.raises(ValidationFailed) as special:
        services.invoice_record(
            receivable=r, actor=payer, kind=InvoiceKind.SPECIAL, number="12345678", issued_on=today, title="上海某某有限公司"
        )
    assert "tax_id" in special.value.errors
    with pytest.raises(ValidationFailed) as over:
        services.invoice_record(
            receivable=r, actor=payer, kind=InvoiceKind.NORMAL, number="12345678", issued_on=today, title="张三", amount="381"
        )
    assert "amount" in over.value.errors
    invoice = services.invoice_record(
        receivable=r,
        actor=payer,
        kind=InvoiceKind.SPECIAL,
        number="12345678",
        issued_on=today,
        title="上海某某有限公司",
        tax_id="91310000mA1k00000x",
    )
    assert invoice.amount == Decimal("380.00") and invoice.tax_id == "91310000MA1K00000X"
    corrected = services.invoice_record(
        receivable=r,
        actor=payer,
        kind=InvoiceKind.SPECIAL,
        number="87654321",
        issued_on=today,
        title="上海某某有限公司",
        tax_id="91310000MA1K00000X",
    )
    assert corrected.pk == invoice.pk and corrected.number == "87654321"
    change = AuditEvent.objects.get(action="billing.invoice_corrected", object_id=str(r.pk))
    assert change.changes == {"number": ["12345678", "87654321"]}
    other = receivable(technician())
    with pytest.raises(ValidationFailed) as taken:
        services.invoice_record(
            receivable=other,
            actor=payer,
            kind=InvoiceKind.SPECIAL,
            number="87654321",
            issued_on=today,
            title="某公司",
            tax_id="91310000MA1K00000X",
        )
    assert "number" in taken.value.errors
    with pytest.raises(PermissionDenied):
        services.invoice_record(receivable=r, actor=supervisor(), kind="normal", number="11112222", issued_on=today, title="张三")


def test_field_services_status_change_sets_the_receivable_off():
    """Through field service's hook (``fieldservice.effects.WORK_ORDER_CHARGED``, sent by
    ``work_order_moved`` for a finished chargeable job) once the lead has wired it."""
    if not hasattr(effects, "WORK_ORDER_CHARGED"):
        pytest.skip("fieldservice.effects.WORK_ORDER_CHARGED not wired yet (docs/billing.md)")
    wo = job(technician(), charge="66.00")
    effects.work_order_moved(work_order=wo, before=WorkOrderStatus.ON_SITE)
    assert Receivable.objects.get(work_order=wo).amount == Decimal("66.00")
    free = job(technician(), chargeable=False)
    effects.work_order_moved(work_order=free, before=WorkOrderStatus.ON_SITE)
    assert not Receivable.objects.filter(work_order=free).exists()
