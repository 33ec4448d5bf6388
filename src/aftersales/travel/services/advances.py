"""Cash advances (借款单): the technician requests one for a trip, a dispatcher, his team leader or
finance decides it (never his own), finance pays it out; a posted reimbursement settles it
(``reimbursements``); the technician may cancel it while it is requested."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock, idempotency
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.core.money import cents
from aftersales.fieldservice.models import WorkOrder

from .. import notify
from ..audit_actions import TravelAudit
from ..models import AdvanceStatus, CashAdvance
from ..permissions import check_decide, check_money, check_own_advance, check_request
from ..states import ADVANCE_MOVES
from .common import advance_maximum, lock, money, move, next_number, outstanding_maximum, payment, text

A = AdvanceStatus
# How far ahead a trip may be planned, and how long after it an advance may still be drawn.
TRIP_AHEAD_DAYS = 366
TRIP_MAX_DAYS = 92


def _work_orders(technician: User, numbers: Sequence[str]) -> list[WorkOrder]:
    wanted = sorted({n.strip().upper() for n in numbers if n and n.strip()})
    if not wanted:
        return []
    found = list(WorkOrder.objects.filter(technician=technician, number__in=wanted).order_by("number"))
    missing = sorted(set(wanted) - {wo.number for wo in found})
    if missing:
        raise ValidationFailed(
            {"work_orders": [_("Not one of your work orders: %(numbers)s.") % {"numbers": ", ".join(missing)}]},
            code="work_order_invalid",
        )
    return found


def _held(technician_id: int, statuses: Sequence[str]) -> Decimal:
    """The total of the technician's advances in ``statuses``, his row locked first so that two
    requests or payments for him are counted one after the other (only with a cap set)."""
    User.objects.select_for_update().filter(pk=technician_id).values_list("pk", flat=True).first()
    total = CashAdvance.objects.filter(technician_id=technician_id, status__in=statuses).aggregate(total=Sum("amount"))
    return cents(total["total"] or 0)


def _within_cap_on_request(technician: User, value: Decimal) -> None:
    """With ``TRAVEL_OUTSTANDING_MAX`` set: his advances outstanding and waiting (requested,
    approved, paid) plus this one stay within it."""
    cap = outstanding_maximum()
    if cap <= 0:
        return
    held = _held(technician.pk, [A.REQUESTED, A.APPROVED, A.PAID])
    if held + value > cap:
        raise ValidationFailed(
            {
                "amount": [
                    _(
                        "Your advances outstanding or waiting come to %(held)s CNY; with this one they would pass "
                        "your limit of %(max)s CNY. Settle them with a reimbursement first."
                    )
                    % {"held": held, "max": cents(cap)}
                ]
            },
            code="outstanding_above_maximum",
        )


def _within_cap_on_payment(advance: CashAdvance) -> None:
    """With ``TRAVEL_OUTSTANDING_MAX`` set: what he holds once this advance is paid (his paid,
    unsettled advances and this one) stays within it — checked again when the money leaves, as
    other advances may have been paid since he asked."""
    cap = outstanding_maximum()
    if cap <= 0:
        return
    held = _held(advance.technician_id, [A.PAID])
    if held + advance.amount > cap:
        raise DomainError(
            _(
                "The technician already holds %(held)s CNY in advances; paying %(amount)s CNY more would pass the "
                "limit of %(max)s CNY. Offset his advances with a reimbursement first."
            )
            % {"held": held, "amount": advance.amount, "max": cents(cap)},
            code="outstanding_above_maximum",
            field="amount",
        )


def _trip(trip_from: dt.date | None, trip_until: dt.date | None) -> tuple[dt.date, dt.date]:
    if trip_from is None:
        raise ValidationFailed({"trip_from": [_("Enter the first day of the trip.")]}, code="trip_from_required")
    if trip_until is None:
        raise ValidationFailed({"trip_until": [_("Enter the last day of the trip.")]}, code="trip_until_required")
    if trip_until < trip_from:
        raise ValidationFailed({"trip_until": [_("The trip cannot end before it starts.")]}, code="trip_invalid")
    if (trip_until - trip_from).days > TRIP_MAX_DAYS:
        raise ValidationFailed(
            {"trip_until": [_("A trip of at most %(days)d days.") % {"days": TRIP_MAX_DAYS}]}, code="trip_invalid"
        )
    if trip_from > clock.local_today() + dt.timedelta(days=TRIP_AHEAD_DAYS):
        raise ValidationFailed({"trip_from": [_("The trip is more than a year away.")]}, code="trip_invalid")
    return trip_from, trip_until


@transaction.atomic
def advance_request(
    *,
    actor: User,
    purpose: str,
    amount: object,
    trip_from: dt.date | None,
    trip_until: dt.date | None,
    work_orders: Sequence[str] = (),
    idempotency_key: str | None = None,
) -> CashAdvance:
    """A technician asks for money before a trip: what for, the trip's days, the amount (above 0,
    at most ``advance_maximum()``), optionally the work orders (his own) it is for. With
    ``idempotency_key`` (the page's hidden key) a form sent twice makes one advance: the second
    sending gets the first one back."""
    check_request(actor)
    why = text(purpose, field="purpose", required=True, limit=500, message=_("Say what the money is for."))
    value = money(amount, field="amount")
    ceiling = advance_maximum()
    if value > ceiling:
        raise ValidationFailed(
            {"amount": [_("One advance is at most %(max)s CNY.") % {"max": ceiling}]}, code="amount_above_maximum"
        )
    start, end = _trip(trip_from, trip_until)
    jobs = _work_orders(actor, work_orders)
    key = idempotency.clean_key(idempotency_key, field="idempotency_key")
    record = None
    if key is not None:
        owner = f"travel-advance:{actor.pk}"
        fingerprint = hashlib.sha256(
            json.dumps([why, str(value), str(start), str(end), [wo.number for wo in jobs]]).encode()
        ).hexdigest()
        try:
            with transaction.atomic():  # first: a second sending waits here for the first to commit
                record = idempotency.remember(owner=owner, key=key, fingerprint=fingerprint)
        except IntegrityError:
            record = None
        if record is None:
            found = idempotency.find(owner=owner, key=key, fingerprint=fingerprint, field="idempotency_key")
            if found is not None and found.object_id is not None:
                return CashAdvance.objects.get(pk=found.object_id)
            raise Conflict(_("This request is being sent already; reload the page."), code="advance_in_progress")
    _within_cap_on_request(actor, value)  # after the key: a form sent again gets its advance back
    now = clock.now()
    advance = CashAdvance.objects.create(
        number=next_number("JK"),
        technician=actor,
        purpose=why,
        trip_from=start,
        trip_until=end,
        amount=value,
        requested_at=now,
        updated_at=now,
    )
    if jobs:
        advance.work_orders.set(jobs)
    if record is not None:
        record.object_id = advance.pk
        record.save(update_fields=["object_id"])
    audit_record(
        action=TravelAudit.ADVANCE_REQUESTED,
        obj=advance,
        actor=actor,
        changes={
            "amount": str(value),
            "trip": [str(start), str(end)],
            "purpose": why,
            "work_orders": [wo.number for wo in jobs],
        },
    )
    return advance


@transaction.atomic
def advance_approve(*, advance: CashAdvance, actor: User, expected_version: int | None = None) -> CashAdvance:
    locked = lock(CashAdvance, advance.pk, expected_version=expected_version)
    check_decide(actor, locked)
    ADVANCE_MOVES.check(locked.status, A.APPROVED)
    locked.decided_by, locked.decided_at = actor, clock.now()
    approved = move(locked, table=ADVANCE_MOVES, kind="advance", to=A.APPROVED, actor=actor, fields={"decided_by", "decided_at"})
    notify.advance_approved(approved, actor=actor)
    return approved


@transaction.atomic
def advance_reject(*, advance: CashAdvance, actor: User, reason: str, expected_version: int | None = None) -> CashAdvance:
    why = text(reason, field="reason", required=True, message=_("Say why the advance is rejected."))
    locked = lock(CashAdvance, advance.pk, expected_version=expected_version)
    check_decide(actor, locked)
    ADVANCE_MOVES.check(locked.status, A.REJECTED)
    locked.decided_by, locked.decided_at, locked.reject_reason = actor, clock.now(), why
    rejected = move(
        locked,
        table=ADVANCE_MOVES,
        kind="advance",
        to=A.REJECTED,
        actor=actor,
        fields={"decided_by", "decided_at", "reject_reason"},
        changes={"reason": why},
    )
    notify.advance_rejected(rejected)
    return rejected


@transaction.atomic
def advance_pay(
    *, advance: CashAdvance, actor: User, method: str, reference: str, expected_version: int | None = None
) -> CashAdvance:
    """Finance paid the approved advance out: how (method) and the bank's or receipt's reference."""
    how, ref = payment(method, reference, prefix="payment")
    locked = lock(CashAdvance, advance.pk, expected_version=expected_version)
    check_money(actor, locked.technician_id)
    ADVANCE_MOVES.check(locked.status, A.PAID)
    _within_cap_on_payment(locked)
    locked.paid_by, locked.paid_at = actor, clock.now()
    locked.payment_method, locked.payment_reference = how, ref
    paid = move(
        locked,
        table=ADVANCE_MOVES,
        kind="advance",
        to=A.PAID,
        actor=actor,
        fields={"paid_by", "paid_at", "payment_method", "payment_reference"},
        changes={"amount": str(locked.amount), "method": how, "reference": ref},
    )
    notify.advance_paid(paid)
    return paid


@transaction.atomic
def advance_cancel(*, advance: CashAdvance, actor: User, reason: str = "", expected_version: int | None = None) -> CashAdvance:
    """The technician takes back his request before it is decided."""
    why = text(reason, field="reason")
    locked = lock(CashAdvance, advance.pk, expected_version=expected_version)
    check_own_advance(actor, locked)
    locked.cancel_reason = why
    return move(
        locked,
        table=ADVANCE_MOVES,
        kind="advance",
        to=A.CANCELLED,
        actor=actor,
        fields={"cancel_reason"},
        changes={"reason": why},
    )
