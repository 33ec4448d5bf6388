"""Every write of a refund or a compensation: one function per business action, one transaction.

Each locks the ticket first, then what belongs to it (the purchase record, then the refund or
compensation; ``tickets.locking``'s order), checks the version a page or an API client read,
checks who may act, moves the status only through ``states.py``, and writes the audit row and
the ticket's timeline entry in the same transaction; the customer's and staff's messages are
outbox rows of the same transaction. A refusal raises before anything is written.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductUnit
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.notifications.services import notify_staff
from aftersales.parts import stock
from aftersales.parts.models import MovementKind, Part, Warehouse
from aftersales.remedies.depreciation import RefundBreakdown, refund_breakdown
from aftersales.returns.selectors import rma_get_for_user
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import (
    ApprovalRequest,
    ApprovalStatus,
    MeasureKind,
    MeasureStatus,
    PlanMeasure,
    PlanStatus,
    Ticket,
)
from aftersales.tickets.process.common import timeline
from aftersales.tickets.process.execution import ticket_update_measure
from aftersales.tickets.process.notify import notify_customer, ticket_link
from aftersales.tickets.process.planning import measure_approval_rules
from aftersales.tickets.selectors.scope import tickets_visible_to
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES
from aftersales.tickets.states import TicketStatus

from .audit_actions import CompensationAudit
from .models import (
    Compensation,
    CompensationKind,
    FulfilmentStatus,
    PointsCredit,
    Purchase,
    Refund,
    RefundMethod,
)
from .states import COMPENSATION_MOVES, REFUND_MOVES, VOID_STATUSES

FS = FulfilmentStatus
Item = Refund | Compensation
MAX_MONEY = Decimal("1e10")
REQUESTERS = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR})
# Who pays or issues, by what is given (SPEC §2.8: warehouse, marketing or finance fulfil it).
FULFILLERS: dict[str, frozenset[str]] = {
    "refund": frozenset({Role.FINANCE, Role.ADMINISTRATOR}),
    CompensationKind.CASH: frozenset({Role.FINANCE, Role.ADMINISTRATOR}),
    CompensationKind.COUPON: frozenset({Role.MARKETING, Role.ADMINISTRATOR}),
    CompensationKind.POINTS: frozenset({Role.MARKETING, Role.ADMINISTRATOR}),
    CompensationKind.FREE_SERVICE: frozenset({Role.MARKETING, Role.ADMINISTRATOR}),
    CompensationKind.GIFT: frozenset({Role.WAREHOUSE, Role.ADMINISTRATOR}),
}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def default_daily_rate() -> Decimal:
    """The depreciation rate a day (a fraction: 0.001 is 0.1 %) until the remedies app holds one
    per product category."""
    return Decimal(str(getattr(settings, "COMPENSATION_DEFAULT_DAILY_RATE", "0.001")))


def recent_window_days() -> int:
    """How far back the abuse check looks for an earlier compensation of the same customer."""
    return int(getattr(settings, "COMPENSATION_RECENT_DAYS", 90))


# --- checks ------------------------------------------------------------------------------------


def money(value: object, *, field: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field: [_("Enter an amount.")]}, code=f"{field}_invalid") from None
    if not amount.is_finite() or amount < 0 or (not allow_zero and amount == 0) or amount >= MAX_MONEY:
        raise ValidationFailed({field: [_("Enter a positive amount.")]}, code=f"{field}_invalid")
    return amount


def _text(value: str | None, *, field: str, limit: int = 2000, required: bool = False, message: Any = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed({field: [message or _("This field is required.")]}, code=f"{field}_required")
    if len(text) > limit:
        raise ValidationFailed({field: [_("At most %(limit)d characters.") % {"limit": limit}]}, code=f"{field}_too_long")
    return text


def _sees(user: User, ticket: Ticket) -> bool:
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def _check_role(user: User, roles: Iterable[str], message: Any, code: str) -> None:
    if not user.is_active or user.is_customer or not (user.is_superuser or user.role in set(roles)):
        raise PermissionDenied(message, code=code)


def can_request(user: User) -> bool:
    return bool(user.is_active and not user.is_customer and (user.is_superuser or user.role in REQUESTERS))


def fulfillers_of(item: Item) -> frozenset[str]:
    return FULFILLERS["refund"] if isinstance(item, Refund) else FULFILLERS[item.kind]


def can_fulfil(user: User, item: Item) -> bool:
    return bool(user.is_active and not user.is_customer and (user.is_superuser or user.role in fulfillers_of(item)))


def can_decide(user: User, item: Item) -> bool:
    if not user.is_active or user.is_customer:
        return False
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    return item.approver_role == Role.SUPERVISOR and user.role == Role.SUPERVISOR


def _measure_for(*, ticket: Ticket, measure: PlanMeasure, kind: str) -> PlanMeasure:
    fresh = PlanMeasure.objects.select_related("plan").filter(pk=measure.pk, plan__ticket=ticket).first()
    if fresh is None:
        raise ValidationFailed({"measure": [_("Choose a measure of this ticket's plan.")]}, code="measure_invalid")
    if fresh.kind != kind:
        raise ValidationFailed(
            {"measure": [_("This measure is not a %(kind)s.") % {"kind": MeasureKind(kind).label}]}, code="measure_kind_invalid"
        )
    if not fresh.plan.is_current or fresh.plan.status != PlanStatus.AGREED:
        raise DomainError(
            _("Only a measure of the current plan the customer agreed to can be carried out."),
            code="plan_not_agreed",
            field="measure",
        )
    if fresh.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED}:
        raise DomainError(_("This measure is already finished."), code="measure_finished", field="measure")
    if ticket.status not in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}:
        raise DomainError(
            _("Refunds and compensation are carried out while the ticket is in progress."),
            code="ticket_not_in_progress",
            field="status",
        )
    return fresh


def _lock(model: Any, item: Item, *, expected_version: int | None, allow_final: bool = False) -> tuple[Ticket, Any]:
    ticket = lock_ticket(item.ticket_id)
    if ticket.status in TICKET_FINAL_STATUSES and not allow_final:
        raise DomainError(_("The ticket is closed; it takes no more changes."), code="ticket_final", field="status")
    locked = model.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This record was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    locked.ticket = ticket
    return ticket, locked


def _what(item: Item) -> str:
    return "refund" if isinstance(item, Refund) else "compensation"


def _label(item: Item) -> Any:
    if isinstance(item, Refund):
        return _("Refund")
    return CompensationKind(item.kind).label


def _record(
    item: Item, *, actor: User | None, action: CompensationAudit, text: Any, public: bool, changes: dict[str, Any]
) -> None:
    audit_record(action=action, obj=item, actor=actor, changes=changes)
    timeline(
        ticket=item.ticket,
        actor=actor,
        text=deferred(_("%(number)s (%(what)s): %(text)s"), number=item.number, what=_label(item), text=text),
        public=public,
        kind=EventKind.FIELD_CHANGED,
        data={_what(item): item.number, "action": str(action), "status": item.status},
    )


def _save(item: Item, fields: Iterable[str]) -> None:
    names = set(fields) | {"updated_at"}
    item.updated_at = clock.now()
    type(item).objects.filter(pk=item.pk).update(version=F("version") + 1, **{n: getattr(item, n) for n in names})
    item.version += 1


def _move(
    item: Item,
    *,
    to: str,
    actor: User | None,
    text: Any,
    public: bool,
    fields: Iterable[str] = (),
    changes: dict[str, Any] | None = None,
) -> None:
    """The one door for status changes: refuse a move the table does not have."""
    before = item.status
    (REFUND_MOVES if isinstance(item, Refund) else COMPENSATION_MOVES).check(before, to)
    item.status = to
    _save(item, {"status", *fields})
    _record(
        item,
        actor=actor,
        action=CompensationAudit(f"{_what(item)}.{to}"),
        text=text,
        public=public,
        changes={"status": [before, to], **(changes or {})},
    )


def _staff(roles: Iterable[str], ticket: Ticket) -> list[User]:
    users = User.objects.filter(role__in=set(roles), is_active=True).order_by("id")[:50]
    return [u for u in users if u.data_scope == DataScope.ALL or _sees(u, ticket)]


def _detail_link(item: Item) -> str:
    name = "compensation:refund" if isinstance(item, Refund) else "compensation:compensation"
    return reverse(name, args=[item.number])


def _tell_staff(item: Item, roles: Iterable[str], subject: Any, body: Any) -> None:
    notify_staff(
        users=_staff(roles, item.ticket),
        template=f"{_what(item)}_{item.status}",
        subject=subject,
        body=body,
        ticket=item.ticket,
        params={"item": item.number, "amount": f"{item.amount:.2f}", "number": item.ticket.number},
        link=_detail_link(item),
        link_text=_("Open it here:"),
    )


def _tell_customer(item: Item, template: str, subject: Any, body: Any, **params: Any) -> None:
    notify_customer(
        ticket=item.ticket,
        template=template,
        subject=subject,
        body=body,
        params={"item": item.number, "amount": f"{item.amount:.2f}", **params},
        link=ticket_link(item.ticket),
        link_text=_("Follow your request here:"),
    )


def _next_number(model: Any, item: Item, prefix: str) -> None:
    item.number = f"{prefix}{item.pk:06d}"
    model.objects.filter(pk=item.pk).update(number=item.number)


def _route_approval(item: Item, *, measure: PlanMeasure, kind: str, actor: User) -> None:
    """The same thresholds as the plan's (``tickets.ApprovalRule``): no rule reached → approved
    at once; the plan's approval already covered this amount → approved; otherwise a
    supervisor (an administrator when a rule says so) decides."""
    rules = measure_approval_rules(kind=kind, amount=item.amount)
    if not rules:
        _move(item, to=FS.APPROVED, actor=actor, text=deferred(_("No approval needed for this amount.")), public=False)
        return
    plan_approved = ApprovalRequest.objects.filter(plan_id=measure.plan_id, status=ApprovalStatus.APPROVED).exists()
    if plan_approved and item.amount <= measure.amount:
        _move(item, to=FS.APPROVED, actor=actor, text=deferred(_("Covered by the approval of the plan.")), public=False)
        return
    item.approver_role = Role.ADMINISTRATOR if any(r.approver_role == Role.ADMINISTRATOR for r in rules) else Role.SUPERVISOR
    item.approval_rules = "; ".join(r.name for r in rules)[:300]
    _move(
        item,
        to=FS.AWAITING_APPROVAL,
        actor=actor,
        text=deferred("%(rules)s", rules=[r.name for r in rules]),
        public=False,
        fields={"approver_role", "approval_rules"},
        changes={"rules": [r.pk for r in rules]},
    )
    roles = {Role.ADMINISTRATOR} if item.approver_role == Role.ADMINISTRATOR else {Role.SUPERVISOR}
    _tell_staff(
        item, roles, _("Approval needed: %(item)s"), _("%(item)s for ticket %(number)s (%(amount)s) needs your approval.")
    )


def _start_measure(measure: PlanMeasure, item: Item) -> None:
    if measure.status == MeasureStatus.PENDING:
        ticket_update_measure(
            measure=measure,
            actor=None,
            status=MeasureStatus.IN_PROGRESS,
            progress_text=deferred(_("%(number)s requested."), number=item.number),
        )


def complete_measure_if_done(item: Item) -> None:
    """Every refund or compensation of the measure that counts is done (at least one) → the
    measure is done (the system records it on the ticket), as field service does for work orders."""
    model = type(item)
    statuses = list(
        model.objects.filter(measure_id=item.measure_id).exclude(status__in=VOID_STATUSES).values_list("status", flat=True)
    )
    if not statuses or any(s != FS.DONE for s in statuses):
        return
    measure = PlanMeasure.objects.select_related("plan").get(pk=item.measure_id)
    if measure.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED} or not measure.plan.is_current:
        return
    if item.ticket.status not in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}:
        return
    numbers = list(model.objects.filter(measure_id=measure.pk, status=FS.DONE).order_by("id").values_list("number", flat=True))
    ticket_update_measure(
        measure=measure, actor=None, status=MeasureStatus.DONE, progress_text=deferred(_("Done: %(numbers)s."), numbers=numbers)
    )


# --- refunds ------------------------------------------------------------------------------------


def refund_paid_so_far(purchase: Purchase, *, exclude: int | None = None) -> Decimal:
    qs = Refund.objects.filter(purchase=purchase).exclude(status__in=VOID_STATUSES)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def refund_preview(
    *, price: Decimal, purchased_on: dt.date, returned_on: dt.date, daily_rate: Decimal, fees: Decimal
) -> RefundBreakdown:
    """The figures and the formula the form and the API show before anything is written."""
    return refund_breakdown(price=price, purchased_on=purchased_on, returned_on=returned_on, daily_rate=daily_rate, fees=fees)


def _lock_purchase(
    *, unit: ProductUnit, price_paid: Decimal | None, purchased_on: dt.date | None, invoice_number: str, actor: User
) -> Purchase:
    """The unit's purchase record, locked; recorded from the proof of purchase the first time."""
    existing = Purchase.objects.select_for_update().filter(unit=unit).first()
    if existing is not None:
        if price_paid is not None and price_paid > existing.price_paid:
            raise ValidationFailed(
                {
                    "price_paid": [
                        _("The proof of purchase says %(paid)s was paid; a refund cannot be based on more.")
                        % {"paid": f"{existing.price_paid:.2f}"}
                    ]
                },
                code="price_above_paid",
            )
        return existing
    if price_paid is None or price_paid <= 0:
        raise ValidationFailed(
            {"price_paid": [_("Enter the price paid, as the proof of purchase (invoice) shows it.")]}, code="price_paid_required"
        )
    day = purchased_on or unit.purchase_date
    if day is None:
        raise ValidationFailed(
            {"purchased_on": [_("Enter the purchase date from the proof of purchase.")]}, code="purchased_on_required"
        )
    if day > clock.local_today():
        raise ValidationFailed({"purchased_on": [_("The purchase date cannot be in the future.")]}, code="purchased_on_future")
    try:
        with transaction.atomic():
            purchase = Purchase.objects.create(
                unit=unit,
                price_paid=price_paid,
                purchased_on=day,
                invoice_number=invoice_number,
                recorded_by=actor,
                recorded_at=clock.now(),
            )
    except IntegrityError:
        purchase = Purchase.objects.get(unit=unit)
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    audit_record(
        action=CompensationAudit.PURCHASE_RECORDED,
        obj=purchase,
        actor=actor,
        changes={"price_paid": str(price_paid), "invoice": invoice_number},
    )
    return purchase


def _rma_received_on(*, actor: User, ticket: Ticket, number: str) -> dt.date | None:
    """The day the return linked by its RMA number came back (None: not yet, or no number);
    an RMA of another ticket, or one the user cannot see, is refused on ``rma_number``."""
    if not number:
        return None
    try:
        rma = rma_get_for_user(user=actor, number=number)
    except NotFound:
        rma = None
    if rma is None or rma.ticket_id != ticket.pk:
        raise ValidationFailed({"rma_number": [_("No return with this number belongs to this ticket.")]}, code="rma_invalid")
    return timezone.localdate(rma.received_at) if rma.received_at else None


@transaction.atomic
def refund_request(
    *,
    measure: PlanMeasure,
    actor: User,
    method: str,
    price_paid: Decimal | str | None = None,
    purchased_on: dt.date | None = None,
    invoice_number: str = "",
    returned_on: dt.date | None = None,
    daily_rate: Decimal | str | None = None,
    fees: Decimal | str = "0",
    amount: Decimal | str | None = None,
    bank_name: str = "",
    account_name: str = "",
    account_number: str = "",
    rma_number: str = "",
    reason: str = "",
) -> Refund:
    """A refund for the REFUND measure of the agreed plan: the price paid (the unit's proof of
    purchase) less depreciation for the days of use less fees, or less (``amount``) — never more
    than what was paid for the unit, all its refunds together. Then approval by amount."""
    if not can_request(actor):
        raise PermissionDenied(_("Your role cannot request refunds."), code="role_not_allowed")
    if method not in RefundMethod.values:
        raise ValidationFailed({"method": [_("Choose how the money is refunded.")]}, code="method_invalid")
    paid_input = None if price_paid in (None, "") else money(price_paid, field="price_paid", allow_zero=False)
    fees_value = money(fees, field="fees")
    try:
        rate = default_daily_rate() if daily_rate in (None, "") else Decimal(str(daily_rate))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"daily_rate": [_("Enter a daily rate such as 0.001.")]}, code="daily_rate_invalid") from None
    if not rate.is_finite() or rate < 0 or rate > 1:
        raise ValidationFailed({"daily_rate": [_("Enter a daily rate such as 0.001.")]}, code="daily_rate_invalid")
    rate = rate.quantize(Decimal("0.000001"))
    wanted = None if amount in (None, "") else money(amount, field="amount", allow_zero=False)
    invoice = _text(invoice_number, field="invoice_number", limit=64)
    rma = _text(rma_number, field="rma_number", limit=32)
    note = _text(reason, field="reason")
    bank = {
        "bank_name": _text(bank_name, field="bank_name", limit=64),
        "account_name": _text(account_name, field="account_name", limit=64),
        "account_number": _text(account_number, field="account_number", limit=40).replace(" ", ""),
    }
    if method == RefundMethod.BANK_TRANSFER:
        for field, message in (
            ("bank_name", _("Enter the bank.")),
            ("account_name", _("Enter the account holder.")),
            ("account_number", _("Enter the account number.")),
        ):
            if not bank[field]:
                raise ValidationFailed({field: [message]}, code=f"{field}_required")
        if not bank["account_number"].isdigit() or not 8 <= len(bank["account_number"]) <= 30:
            raise ValidationFailed(
                {"account_number": [_("An account number has 8 to 30 digits.")]}, code="account_number_invalid"
            )
    else:
        bank = dict.fromkeys(bank, "")
    ticket = lock_ticket(measure.plan.ticket_id)
    if not _sees(actor, ticket):
        raise NotFound(_("No such ticket."), code="not_found")
    fresh = _measure_for(ticket=ticket, measure=measure, kind=MeasureKind.REFUND)
    unit = ProductUnit.objects.filter(pk=ticket.product_unit_id).first() if ticket.product_unit_id else None
    if unit is None:
        raise ValidationFailed(
            {"unit": [_("Register the ticket's product unit first: a refund is for the unit that was bought.")]},
            code="unit_required",
        )
    purchase = _lock_purchase(unit=unit, price_paid=paid_input, purchased_on=purchased_on, invoice_number=invoice, actor=actor)
    back_on = returned_on or _rma_received_on(actor=actor, ticket=ticket, number=rma) or clock.local_today()
    if back_on < purchase.purchased_on:
        raise ValidationFailed(
            {"returned_on": [_("The return date cannot be before the purchase date.")]}, code="returned_on_invalid"
        )
    price = paid_input if paid_input is not None else purchase.price_paid
    figures = refund_breakdown(
        price=price, purchased_on=purchase.purchased_on, returned_on=back_on, daily_rate=rate, fees=fees_value
    )
    refund_amount = figures.amount if wanted is None else wanted
    if wanted is not None and wanted > figures.amount:
        raise ValidationFailed(
            {"amount": [_("At most %(most)s: the price paid less depreciation and fees.") % {"most": f"{figures.amount:.2f}"}]},
            code="amount_above_computed",
        )
    if refund_amount <= 0:
        raise ValidationFailed({"amount": [_("Nothing is left to refund after depreciation and fees.")]}, code="amount_zero")
    so_far = refund_paid_so_far(purchase)
    if so_far + refund_amount > purchase.price_paid:
        raise ValidationFailed(
            {
                "amount": [
                    _(
                        "A refund cannot exceed what was paid: %(paid)s paid, %(refunded)s already refunded or requested, %(left)s left."
                    )
                    % {
                        "paid": f"{purchase.price_paid:.2f}",
                        "refunded": f"{so_far:.2f}",
                        "left": f"{max(purchase.price_paid - so_far, Decimal(0)):.2f}",
                    }
                ]
            },
            code="refund_exceeds_paid",
        )
    now = clock.now()
    refund = Refund.objects.create(
        number=f"tmp-{secrets.token_hex(6)}",
        ticket=ticket,
        measure=fresh,
        customer_id=ticket.customer_id,
        amount=refund_amount,
        reason=note,
        requested_by=actor,
        requested_at=now,
        updated_at=now,
        purchase=purchase,
        price=price,
        purchased_on=purchase.purchased_on,
        returned_on=back_on,
        days_used=figures.days_used,
        daily_rate=rate,
        depreciation=figures.depreciation,
        fees=fees_value,
        method=method,
        rma_number=rma,
        **bank,
    )
    _next_number(Refund, refund, "RF")
    refund.ticket = ticket
    _record(
        refund,
        actor=actor,
        action=CompensationAudit.REFUND_REQUESTED,
        text=deferred(_("refund of %(amount)s requested."), amount=f"{refund.amount:.2f}"),
        public=True,
        changes={"amount": str(refund.amount), "method": method, "price": str(price), "depreciation": str(figures.depreciation)},
    )
    _route_approval(refund, measure=fresh, kind=MeasureKind.REFUND, actor=actor)
    _after_approval(refund)
    _start_measure(fresh, refund)
    return refund


def _after_approval(item: Item) -> None:
    if item.status == FS.APPROVED:
        roles = fulfillers_of(item) - {Role.ADMINISTRATOR}
        _tell_staff(
            item, roles, _("To fulfil: %(item)s"), _("%(item)s for ticket %(number)s (%(amount)s) is approved and waits for you.")
        )


def _decide(model: Any, item: Item, *, actor: User, approve: bool, comment: str, expected_version: int | None) -> Any:
    text = _text(comment, field="comment")
    if not approve and not text:
        raise ValidationFailed({"comment": [_("Say why it is refused.")]}, code="comment_required")
    ticket, locked = _lock(model, item, expected_version=expected_version)
    if not _sees(actor, ticket):
        raise NotFound(_("No such record."), code="not_found")
    if locked.status != FS.AWAITING_APPROVAL:
        raise DomainError(_("Nothing is awaiting approval here."), code="not_awaiting_approval", field="status")
    if not can_decide(actor, locked):
        message = (
            _("This needs an administrator's approval.")
            if locked.approver_role == Role.ADMINISTRATOR
            else _("Only a supervisor or an administrator may approve this.")
        )
        raise PermissionDenied(message, code="approver_role")
    if locked.requested_by_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot approve what you requested yourself."), code="approver_is_requester")
    locked.decided_by = actor
    locked.decided_at = clock.now()
    locked.decision_comment = text
    fields = {"decided_by", "decided_at", "decision_comment"}
    if approve:
        _move(
            locked,
            to=FS.APPROVED,
            actor=actor,
            text=deferred(_("approved.")),
            public=True,
            fields=fields,
            changes={"comment": text},
        )
        _after_approval(locked)
    else:
        _move(
            locked,
            to=FS.REFUSED,
            actor=actor,
            text=deferred(_("refused: %(comment)s"), comment=text),
            public=False,
            fields=fields,
        )
        if locked.requested_by is not None:
            notify_staff(
                users=[locked.requested_by],
                template=f"{_what(locked)}_refused",
                subject=_("Refused: %(item)s"),
                body=_("%(item)s for ticket %(number)s was refused: %(comment)s"),
                ticket=ticket,
                params={"item": locked.number, "number": ticket.number, "comment": text},
                link=_detail_link(locked),
                link_text=_("Open it here:"),
            )
    return locked


@transaction.atomic
def refund_decide(
    *, refund: Refund, actor: User, approve: bool, comment: str = "", expected_version: int | None = None
) -> Refund:
    """The approver's decision (a refusal says why)."""
    decided: Refund = _decide(Refund, refund, actor=actor, approve=approve, comment=comment, expected_version=expected_version)
    return decided


def _check_reference(value: str) -> str:
    reference = _text(value, field="payment_reference", limit=64, required=True, message=_("Enter the payment reference."))
    if (
        Refund.objects.filter(payment_reference=reference).exists()
        or Compensation.objects.filter(payment_reference=reference).exists()
    ):
        raise ValidationFailed(
            {"payment_reference": [_("This payment reference is already recorded for another payment.")]},
            code="payment_reference_taken",
        )
    return reference


def _save_reference(item: Item) -> None:
    try:
        with transaction.atomic():
            type(item).objects.filter(pk=item.pk).update(payment_reference=item.payment_reference)
    except IntegrityError:
        raise ValidationFailed(
            {"payment_reference": [_("This payment reference is already recorded for another payment.")]},
            code="payment_reference_taken",
        ) from None


def _check_fulfiller(actor: User, ticket: Ticket, item: Item) -> None:
    if not _sees(actor, ticket):
        raise NotFound(_("No such record."), code="not_found")
    if not can_fulfil(actor, item):
        raise PermissionDenied(_("Your role cannot fulfil this."), code="role_not_allowed")


def _check_approved(item: Item) -> None:
    if item.status == FS.PAID or item.status == FS.DONE:
        raise DomainError(_("This was already paid or issued."), code="already_fulfilled", field="status")
    if item.status != FS.APPROVED:
        raise DomainError(
            _("Only an approved refund or compensation can be paid or issued (it is “%(status)s”).")
            % {"status": FS(item.status).label},
            code="not_approved",
            field="status",
        )


@transaction.atomic
def refund_pay(*, refund: Refund, actor: User, payment_reference: str, expected_version: int | None = None) -> Refund:
    """Finance records the payment with its reference (unique) → paid; the customer is told."""
    reference = _check_reference(payment_reference)
    ticket, locked = _lock(Refund, refund, expected_version=expected_version)
    _check_fulfiller(actor, ticket, locked)
    _check_approved(locked)
    if refund_paid_so_far(locked.purchase, exclude=locked.pk) + locked.amount > locked.purchase.price_paid:
        raise ValidationFailed({"amount": [_("A refund cannot exceed what was paid.")]}, code="refund_exceeds_paid")
    locked.payment_reference = reference
    _save_reference(locked)
    locked.fulfilled_by = actor
    locked.fulfilled_at = clock.now()
    _move(
        locked,
        to=FS.PAID,
        actor=actor,
        text=deferred(
            _("refund of %(amount)s paid (%(method)s)."), amount=f"{locked.amount:.2f}", method=RefundMethod(locked.method).label
        ),
        public=True,
        fields={"fulfilled_by", "fulfilled_at"},
        changes={"payment_reference": reference},
    )
    _tell_customer(
        locked,
        "refund_paid",
        _("Your refund for request %(number)s"),
        _(
            "we have paid your refund of %(amount)s yuan for request %(number)s (%(method)s). It may take a few working days to arrive."
        ),
        method=RefundMethod(locked.method).label,
    )
    return locked


def _confirm(model: Any, item: Item, *, actor: User, note: str, expected_version: int | None) -> Any:
    text = _text(note, field="note")
    ticket, locked = _lock(model, item, expected_version=expected_version)
    _check_fulfiller(actor, ticket, locked)
    if locked.status != FS.PAID:
        raise DomainError(_("Only what was paid or issued can be confirmed."), code="not_fulfilled", field="status")
    locked.done_at = clock.now()
    _move(locked, to=FS.DONE, actor=actor, text=deferred(_("done.")), public=True, fields={"done_at"}, changes={"note": text})
    complete_measure_if_done(locked)
    return locked


@transaction.atomic
def refund_confirm(*, refund: Refund, actor: User, note: str = "", expected_version: int | None = None) -> Refund:
    """Finance confirms the money arrived (the bank statement) → done; the measure completes when
    every refund of it is done."""
    confirmed: Refund = _confirm(Refund, refund, actor=actor, note=note, expected_version=expected_version)
    return confirmed


def _cancel(model: Any, item: Item, *, actor: User, reason: str, expected_version: int | None) -> Any:
    text = _text(reason, field="reason", required=True, message=_("Say why it is cancelled."))
    ticket, locked = _lock(model, item, expected_version=expected_version, allow_final=True)
    if not _sees(actor, ticket):
        raise NotFound(_("No such record."), code="not_found")
    if not can_request(actor):
        raise PermissionDenied(_("Your role cannot cancel this."), code="role_not_allowed")
    if locked.status in {FS.PAID, FS.DONE}:
        raise DomainError(_("What was paid or issued cannot be cancelled."), code="already_fulfilled", field="status")
    locked.cancel_reason = text
    _move(
        locked,
        to=FS.CANCELLED,
        actor=actor,
        text=deferred(_("cancelled: %(reason)s"), reason=text),
        public=True,
        fields={"cancel_reason"},
    )
    return locked


@transaction.atomic
def refund_cancel(*, refund: Refund, actor: User, reason: str, expected_version: int | None = None) -> Refund:
    cancelled: Refund = _cancel(Refund, refund, actor=actor, reason=reason, expected_version=expected_version)
    return cancelled


# --- compensation -------------------------------------------------------------------------------


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
    extra = {"code": locked.code or "", "points": locked.points}
    if kind in {CompensationKind.COUPON, CompensationKind.FREE_SERVICE}:
        body = _("your compensation for request %(number)s is ready: code %(code)s.")
    elif kind == CompensationKind.POINTS:
        body = _("we have credited %(points)s points to your account for request %(number)s.")
    elif kind == CompensationKind.GIFT:
        body = _("your gift for request %(number)s has been sent out from our warehouse.")
    else:
        body = _("we have paid your compensation of %(amount)s yuan for request %(number)s.")
    _tell_customer(locked, f"compensation_{kind}_issued", _("Your compensation for request %(number)s"), body, **extra)
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
