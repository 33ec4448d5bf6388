"""The statement's status moves: the outlet confirms or disputes a draft, the preparer reopens or
cancels it, a supervisor or finance approves it, finance records the payment. ``_move`` is the
one door: it checks the move against ``states.SETTLEMENT_MOVES`` and writes the audit row in the
same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed

from ..audit_actions import OutletAudit
from ..models import Settlement, SettlementLine, SettlementStatus
from ..permissions import check_answer, check_pay, check_prepare
from ..states import SETTLEMENT_MOVES
from .common import lock_settlement, text

S = SettlementStatus


def _move(locked: Settlement, *, to: str, actor: User, fields: set[str], changes: dict[str, Any] | None = None) -> Settlement:
    before = locked.status
    SETTLEMENT_MOVES.check(before, to)
    locked.status = to
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save(update_fields=sorted({"status", "version", "updated_at", *fields}))
    audit_record(
        action=OutletAudit(f"outlets.settlement_{to}"),
        obj=locked,
        actor=actor,
        changes={"status": [before, to], **(changes or {})},
    )
    return locked


@transaction.atomic
def settlement_confirm(*, settlement: Settlement, actor: User, expected_version: int | None = None) -> Settlement:
    """The outlet agrees with the draft as it stands."""
    locked = lock_settlement(settlement, expected_version=expected_version)
    check_answer(actor, locked)
    SETTLEMENT_MOVES.check(locked.status, S.CONFIRMED)
    locked.confirmed_by, locked.confirmed_at = actor, clock.now()
    return _move(locked, to=S.CONFIRMED, actor=actor, fields={"confirmed_by", "confirmed_at"})


@transaction.atomic
def settlement_dispute(*, settlement: Settlement, actor: User, reason: str, expected_version: int | None = None) -> Settlement:
    """The outlet does not agree; the reason goes to the preparer, who reopens the draft."""
    why = text(reason, field="reason", required=True, message=_("Say what is wrong with the statement."))
    locked = lock_settlement(settlement, expected_version=expected_version)
    check_answer(actor, locked)
    locked.dispute_reason, locked.disputed_at = why, clock.now()
    return _move(locked, to=S.DISPUTED, actor=actor, fields={"dispute_reason", "disputed_at"}, changes={"reason": why})


@transaction.atomic
def settlement_reopen(*, settlement: Settlement, actor: User, expected_version: int | None = None) -> Settlement:
    """Back to draft (after a dispute, or an approver who found a fault) to be corrected."""
    locked = lock_settlement(settlement, expected_version=expected_version)
    check_prepare(actor)
    locked.confirmed_by, locked.confirmed_at = None, None
    return _move(locked, to=S.DRAFT, actor=actor, fields={"confirmed_by", "confirmed_at"})


@transaction.atomic
def settlement_approve(*, settlement: Settlement, actor: User, expected_version: int | None = None) -> Settlement:
    locked = lock_settlement(settlement, expected_version=expected_version)
    check_prepare(actor)
    locked.approved_by, locked.approved_at = actor, clock.now()
    return _move(locked, to=S.APPROVED, actor=actor, fields={"approved_by", "approved_at"})


@transaction.atomic
def settlement_pay(
    *, settlement: Settlement, actor: User, reference: str, paid_on: dt.date | None, expected_version: int | None = None
) -> Settlement:
    """Finance paid the outlet: the bank's reference (unique) and the day."""
    ref = text(reference, field="payment_reference", required=True, limit=64, message=_("Enter the payment reference."))
    if paid_on is None:
        raise ValidationFailed({"paid_on": [_("Enter the day it was paid.")]}, code="paid_on_required")
    if paid_on > clock.local_today():
        raise ValidationFailed({"paid_on": [_("The payment day cannot be in the future.")]}, code="paid_on_invalid")
    locked = lock_settlement(settlement, expected_version=expected_version)
    check_pay(actor)
    if Settlement.objects.filter(payment_reference=ref).exclude(pk=locked.pk).exists():
        raise ValidationFailed(
            {"payment_reference": [_("Another statement was paid with this reference.")]}, code="reference_taken"
        )
    locked.paid_by, locked.paid_on, locked.payment_reference = actor, paid_on, ref
    try:
        with transaction.atomic():
            return _move(
                locked,
                to=S.PAID,
                actor=actor,
                fields={"paid_by", "paid_on", "payment_reference"},
                changes={"payment_reference": ref, "paid_on": str(paid_on), "total_amount": str(locked.total_amount)},
            )
    except IntegrityError:  # the same reference recorded meanwhile
        raise ValidationFailed(
            {"payment_reference": [_("Another statement was paid with this reference.")]}, code="reference_taken"
        ) from None


@transaction.atomic
def settlement_cancel(*, settlement: Settlement, actor: User, reason: str, expected_version: int | None = None) -> Settlement:
    """Cancel a draft or disputed statement: its work orders are free for another statement."""
    why = text(reason, field="reason", required=True, message=_("Say why the statement is cancelled."))
    locked = lock_settlement(settlement, expected_version=expected_version)
    check_prepare(actor)
    locked.cancel_reason = why
    moved = _move(locked, to=S.CANCELLED, actor=actor, fields={"cancel_reason"}, changes={"reason": why})
    SettlementLine.objects.filter(settlement=moved).update(live=False)
    return moved
