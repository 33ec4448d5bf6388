"""Compensation: request, decide, issue (coupon codes once, points, a gift from stock, cash), confirm, cancel."""

import secrets
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.parts import stock
from aftersales.parts.models import MovementKind, Part, Warehouse
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import (
    MeasureKind,
    PlanMeasure,
)

from ..audit_actions import CompensationAudit
from ..effects import fulfilment_requested
from ..models import (
    Compensation,
    CompensationKind,
    PointsCredit,
)
from .common import (
    CODE_ALPHABET,
    FS,
    _after_approval,
    _cancel,
    _check_approved,
    _check_fulfiller,
    _check_reference,
    _confirm,
    _decide,
    _lock,
    _measure_for,
    _move,
    _next_number,
    _record,
    _route_approval,
    _save_reference,
    _sees,
    _start_measure,
    _tell_customer,
    _text,
    can_request,
    money,
)


@transaction.atomic
def compensation_request(
    *,
    measure: PlanMeasure,
    actor: User,
    kind: str,
    amount: Decimal | str = "0",
    points: int = 0,
    gift_part: Part | None = None,
    gift_quantity: int = 0,
    warehouse: Warehouse | None = None,
    reason: str = "",
) -> Compensation:
    """A compensation for the COMPENSATION measure of the agreed plan: its value in money
    (``amount``: what approval is judged by), and for points the points, for a gift the part,
    quantity and warehouse it comes from."""
    if not can_request(actor):
        raise PermissionDenied(_("Your role cannot request compensation."), code="role_not_allowed")
    if kind not in CompensationKind.values:
        raise ValidationFailed({"kind": [_("Choose what the customer gets.")]}, code="kind_invalid")
    value = money(amount, field="amount", allow_zero=kind in {CompensationKind.POINTS, CompensationKind.GIFT})
    note = _text(reason, field="reason")
    if kind == CompensationKind.POINTS:
        if not isinstance(points, int) or points <= 0 or points > 10_000_000:
            raise ValidationFailed({"points": [_("Enter how many points are credited.")]}, code="points_invalid")
    else:
        points = 0
    if kind == CompensationKind.GIFT:
        if gift_part is None:
            raise ValidationFailed({"gift_part": [_("Choose the gift.")]}, code="gift_part_required")
        if not isinstance(gift_quantity, int) or gift_quantity <= 0 or gift_quantity > 1000:
            raise ValidationFailed({"gift_quantity": [_("Enter how many.")]}, code="gift_quantity_invalid")
        if warehouse is None:
            raise ValidationFailed({"warehouse": [_("Choose the warehouse the gift comes from.")]}, code="warehouse_required")
    else:
        gift_part, gift_quantity, warehouse = None, 0, None
    ticket = lock_ticket(measure.plan.ticket_id)
    if not _sees(actor, ticket):
        raise NotFound(_("No such ticket."), code="not_found")
    fresh = _measure_for(ticket=ticket, measure=measure, kind=MeasureKind.COMPENSATION)
    now = clock.now()
    item = Compensation.objects.create(
        number=f"tmp-{secrets.token_hex(6)}",
        ticket=ticket,
        measure=fresh,
        customer_id=ticket.customer_id,
        kind=kind,
        amount=value,
        points=points,
        gift_part=gift_part,
        gift_quantity=gift_quantity,
        warehouse=warehouse,
        reason=note,
        requested_by=actor,
        requested_at=now,
        updated_at=now,
    )
    _next_number(Compensation, item, "CP")
    item.ticket = ticket
    _record(
        item,
        actor=actor,
        action=CompensationAudit.COMPENSATION_REQUESTED,
        text=deferred(_("compensation requested (worth %(amount)s)."), amount=f"{value:.2f}"),
        public=True,
        changes={
            "kind": kind,
            "amount": str(value),
            "points": points,
            "gift": gift_part.pk if gift_part else None,
            "quantity": gift_quantity,
        },
    )
    fulfilment_requested(item=item)
    _route_approval(item, measure=fresh, kind=MeasureKind.COMPENSATION, actor=actor)
    _after_approval(item)
    _start_measure(fresh, item)
    return item


@transaction.atomic
def compensation_decide(
    *, compensation: Compensation, actor: User, approve: bool, comment: str = "", expected_version: int | None = None
) -> Compensation:
    decided: Compensation = _decide(
        Compensation, compensation, actor=actor, approve=approve, comment=comment, expected_version=expected_version
    )
    return decided


def _new_code(prefix: str) -> str:
    return prefix + "".join(secrets.choice(CODE_ALPHABET) for _i in range(10))


@transaction.atomic
def compensation_issue(
    *, compensation: Compensation, actor: User, payment_reference: str = "", expected_version: int | None = None
) -> Compensation:
    """Fulfil an approved compensation once: a coupon or free-service voucher code generated
    (unique), points credited, the gift issued from the warehouse's stock (never below zero), or
    the cash paid with its reference (finance). A second try is refused and changes nothing."""
    ticket, locked = _lock(Compensation, compensation, expected_version=expected_version)
    _check_fulfiller(actor, ticket, locked)
    _check_approved(locked)
    changes: dict[str, Any] = {}
    kind = locked.kind
    if kind == CompensationKind.CASH:
        locked.payment_reference = _check_reference(payment_reference)
        _save_reference(locked)
        changes["payment_reference"] = locked.payment_reference
        text = deferred(_("cash compensation of %(amount)s paid."), amount=f"{locked.amount:.2f}")
    elif kind in {CompensationKind.COUPON, CompensationKind.FREE_SERVICE}:
        prefix = "CP" if kind == CompensationKind.COUPON else "FS"
        for _attempt in range(8):
            code = _new_code(prefix)
            try:
                with transaction.atomic():
                    Compensation.objects.filter(pk=locked.pk, code__isnull=True).update(code=code)
            except IntegrityError:
                continue
            break
        else:  # pragma: no cover - 32**10 codes
            raise Conflict(_("Could not generate a unique code; try again."), code="code_collision")
        locked.code = code
        changes["code"] = code
        text = (
            deferred(_("coupon worth %(amount)s issued."), amount=f"{locked.amount:.2f}")
            if kind == CompensationKind.COUPON
            else deferred(_("free service voucher issued."))
        )
    elif kind == CompensationKind.POINTS:
        PointsCredit.objects.create(
            customer_id=locked.customer_id, compensation=locked, points=locked.points, created_by=actor, created_at=clock.now()
        )
        changes["points"] = locked.points
        text = deferred(_("%(points)d points credited."), points=locked.points)
    else:  # gift
        assert locked.warehouse_id is not None and locked.gift_part_id is not None
        rows = stock.lock_stock([(locked.warehouse_id, locked.gift_part_id)])
        row = rows[(locked.warehouse_id, locked.gift_part_id)]
        try:
            movement = stock.move(
                row,
                quantity=-locked.gift_quantity,
                kind=MovementKind.ISSUE,
                actor=actor,
                reference=locked.number,
                note=str(ticket.number),
            )
        except DomainError as exc:
            raise ValidationFailed({"gift_quantity": [exc.message]}, code=exc.code) from None
        locked.stock_movement = movement
        Compensation.objects.filter(pk=locked.pk).update(stock_movement=movement)
        changes["stock_movement"] = movement.pk
        text = deferred(
            _("gift issued from the warehouse: %(part)s × %(quantity)d."), part=row.part.name, quantity=locked.gift_quantity
        )
    locked.fulfilled_by = actor
    locked.fulfilled_at = clock.now()
    _move(locked, to=FS.PAID, actor=actor, text=text, public=True, fields={"fulfilled_by", "fulfilled_at"}, changes=changes)
    # The editable "compensation_<kind>_issued" message (notifications.template_events).
    _tell_customer(locked, f"compensation_{kind}_issued", code=locked.code or "", points=locked.points)
    return locked


@transaction.atomic
def compensation_confirm(
    *, compensation: Compensation, actor: User, note: str = "", expected_version: int | None = None
) -> Compensation:
    """The fulfiller confirms the customer got it → done; the measure completes."""
    confirmed: Compensation = _confirm(Compensation, compensation, actor=actor, note=note, expected_version=expected_version)
    return confirmed


@transaction.atomic
def compensation_cancel(
    *, compensation: Compensation, actor: User, reason: str, expected_version: int | None = None
) -> Compensation:
    cancelled: Compensation = _cancel(Compensation, compensation, actor=actor, reason=reason, expected_version=expected_version)
    return cancelled
