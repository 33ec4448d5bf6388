"""Payments of a receivable: finance records them (confirmed at once), the job's technician
records the cash he collected on site (pending), finance confirms or rejects that. Never more
than is left to pay: confirmed and pending payments together stay within the amount due."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock, idempotency
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.core.i18n import deferred

from ..audit_actions import BillingAudit
from ..models import Payment, PaymentMethod, PaymentStatus, Receivable, ReceivableStatus
from ..permissions import check_collect, check_finance
from ..states import OUTSTANDING
from .common import lock_receivable, money, record, save, status_for, text

P = PaymentStatus
S = ReceivableStatus


def left_to_pay(locked: Receivable) -> object:
    """What may still be paid: the amount less the confirmed and the pending payments."""
    pending = sum((p.amount for p in locked.payments.filter(status=P.PENDING)), start=locked.paid_amount)
    return locked.amount - pending


def _method(value: str | None) -> str:
    if value not in PaymentMethod.values:
        raise ValidationFailed({"method": [_("Choose how it was paid.")]}, code="method_invalid")
    return str(value)


def _paid_on(value: dt.date | None) -> dt.date:
    day = value or clock.local_today()
    if day > clock.local_today():
        raise ValidationFailed({"paid_on": [_("The day it was paid cannot be in the future.")]}, code="paid_on_future")
    return day


def _replayed(receivable: Receivable, *, owner: str, key: str | None, fingerprint: str) -> tuple[Payment | None, object]:
    """The payment an earlier sending with ``key`` recorded (a form or a client sent twice), or
    the record to fill in for this one."""
    if key is None:
        return None, None
    try:
        with transaction.atomic():  # a second sending waits here until the first commits
            return None, idempotency.remember(owner=owner, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass
    found = idempotency.find(owner=owner, key=key, fingerprint=fingerprint, field="idempotency_key")
    if found is not None and found.object_id is not None:
        return Payment.objects.get(pk=found.object_id), None
    raise Conflict(_("This payment is being recorded already; reload the page."), code="payment_in_progress")


def _add(
    *,
    receivable: Receivable,
    actor: User,
    amount: object,
    method: str | None,
    paid_on: dt.date | None,
    reference: str | None,
    collected_by: User | None,
    status: str,
    idempotency_key: str | None,
    expected_version: int | None,
) -> Payment:
    value = money(amount)
    how = _method(method)
    day = _paid_on(paid_on)
    ref = text(reference, field="reference", limit=64)
    if how in {PaymentMethod.BANK_TRANSFER, PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.POS_CARD} and not ref:
        raise ValidationFailed(
            {"reference": [_("Enter the reference no. (the bank's, the transaction's or the slip's number).")]},
            code="reference_required",
        )
    key = idempotency.clean_key(idempotency_key, field="idempotency_key")
    fingerprint = hashlib.sha256(json.dumps([receivable.pk, str(value), how, str(day), ref, status]).encode()).hexdigest()
    earlier, stored = _replayed(receivable, owner=f"billing-payment:{actor.pk}", key=key, fingerprint=fingerprint)
    if earlier is not None:
        return earlier
    locked = lock_receivable(receivable, expected_version=expected_version)
    if locked.status not in OUTSTANDING:
        raise DomainError(
            _("This charge is %(status)s; nothing is left to pay.") % {"status": locked.get_status_display()},
            code="receivable_closed",
            field="status",
        )
    left = left_to_pay(locked)
    if value > left:  # type: ignore[operator]
        raise ValidationFailed({"amount": [_("At most %(left)s CNY is left to pay.") % {"left": left}]}, code="overpayment")
    now = clock.now()
    payment = Payment.objects.create(
        receivable=locked,
        amount=value,
        method=how,
        paid_on=day,
        reference=ref,
        collected_by=collected_by,
        status=status,
        recorded_by=actor,
        recorded_at=now,
        decided_by=actor if status == P.CONFIRMED else None,
        decided_at=now if status == P.CONFIRMED else None,
    )
    if stored is not None:
        stored.object_id = payment.pk  # type: ignore[attr-defined]
        stored.save(update_fields=["object_id"])  # type: ignore[attr-defined]
    changes = {"payment": payment.pk, "amount": str(value), "method": how, "paid_on": str(day), "reference": ref}
    if status == P.CONFIRMED:
        _count(locked, payment, actor=actor, action=BillingAudit.PAYMENT_RECORDED, changes=changes)
    else:
        save(locked)
        record(
            locked,
            action=BillingAudit.PAYMENT_COLLECTED,
            actor=actor,
            body=deferred(
                _("%(amount)s CNY collected on site (%(method)s), to be confirmed by finance."),
                amount=str(value),
                method=PaymentMethod(how).label,
            ),
            changes=changes,
        )
    return payment


def _count(locked: Receivable, payment: Payment, *, actor: User, action: BillingAudit, changes: dict[str, object]) -> None:
    """A confirmed payment adds to what was paid; the status follows."""
    locked.paid_amount += payment.amount
    to = status_for(locked)
    fields = {"paid_amount"}
    if to == S.PAID:
        locked.paid_at = clock.now()
        fields.add("paid_at")
    save(locked, to=to, fields=fields)
    record(
        locked,
        action=action,
        actor=actor,
        body=deferred(
            _("payment of %(amount)s CNY (%(method)s); %(left)s CNY outstanding."),
            amount=str(payment.amount),
            method=PaymentMethod(payment.method).label,
            left=str(locked.outstanding),
        ),
        changes={**changes, "paid_amount": str(locked.paid_amount), "status": locked.status},
    )


@transaction.atomic
def payment_record(
    *,
    receivable: Receivable,
    actor: User,
    amount: object,
    method: str | None,
    paid_on: dt.date | None = None,
    reference: str | None = "",
    collected_by: User | None = None,
    idempotency_key: str | None = None,
    expected_version: int | None = None,
) -> Payment:
    """Finance records a payment (confirmed at once): the amount (never more than is left), how,
    the day, the reference no. (required but for cash) and who collected it (default: finance).
    With ``idempotency_key`` a form or client sending twice records one payment."""
    check_finance(actor)
    return _add(
        receivable=receivable,
        actor=actor,
        amount=amount,
        method=method,
        paid_on=paid_on,
        reference=reference,
        collected_by=collected_by or actor,
        status=P.CONFIRMED,
        idempotency_key=idempotency_key,
        expected_version=expected_version,
    )


@transaction.atomic
def payment_collect_on_site(
    *,
    receivable: Receivable,
    actor: User,
    amount: object,
    method: str | None = PaymentMethod.CASH,
    reference: str | None = "",
    idempotency_key: str | None = None,
) -> Payment:
    """The job's technician records what he collected on site, today (pending until finance
    confirms it; it counts against what is left to pay at once)."""
    check_collect(actor, receivable)
    return _add(
        receivable=receivable,
        actor=actor,
        amount=amount,
        method=method,
        paid_on=None,
        reference=reference,
        collected_by=actor,
        status=P.PENDING,
        idempotency_key=idempotency_key,
        expected_version=None,
    )


def _lock_pending(payment: Payment) -> tuple[Receivable, Payment]:
    locked = lock_receivable(payment.receivable)
    row = Payment.objects.select_for_update().get(pk=payment.pk)
    if row.status != P.PENDING:
        raise DomainError(_("This payment was decided already."), code="payment_decided", field="status")
    return locked, row


@transaction.atomic
def payment_confirm(*, payment: Payment, actor: User) -> Payment:
    """Finance confirms cash collected on site (handed in): it counts as paid."""
    check_finance(actor)
    locked, row = _lock_pending(payment)
    row.status, row.decided_by, row.decided_at = P.CONFIRMED, actor, clock.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    _count(
        locked, row, actor=actor, action=BillingAudit.PAYMENT_CONFIRMED, changes={"payment": row.pk, "amount": str(row.amount)}
    )
    return row


@transaction.atomic
def payment_reject(*, payment: Payment, actor: User, reason: str) -> Payment:
    """Finance rejects a collection recorded on site that was not handed in (or wrongly): it no
    longer counts against what is left to pay."""
    check_finance(actor)
    why = text(reason, field="reason", required=True, message=_("Say why it is rejected."))
    locked, row = _lock_pending(payment)
    row.status, row.decided_by, row.decided_at, row.reject_reason = P.REJECTED, actor, clock.now(), why
    row.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
    save(locked)
    record(
        locked,
        action=BillingAudit.PAYMENT_REJECTED,
        actor=actor,
        body=deferred(_("the %(amount)s CNY collected on site was rejected: %(reason)s"), amount=str(row.amount), reason=why),
        changes={"payment": row.pk, "amount": str(row.amount), "reason": why},
    )
    return row
