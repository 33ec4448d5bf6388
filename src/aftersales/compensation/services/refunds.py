"""Refunds: request (the amount with its formula, never above what was paid), decide, pay, confirm, cancel."""

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductUnit
from aftersales.core import clock
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.remedies.depreciation import RefundBreakdown, refund_breakdown
from aftersales.remedies.models import Purchase
from aftersales.remedies.services import purchase_lock
from aftersales.returns.selectors import rma_get_for_user
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import (
    MeasureKind,
    PlanMeasure,
    Ticket,
)

from ..audit_actions import CompensationAudit
from ..effects import fulfilment_requested
from ..models import (
    Refund,
    RefundMethod,
)
from ..states import VOID_STATUSES
from .common import (
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
    ticket_daily_rate,
)


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


def _rate(value: Decimal | str | None) -> Decimal | None:
    """A daily rate given by the caller (a fraction, 0 to 1); ``None``: the ticket's policy's."""
    if value is None or value == "":
        return None
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"daily_rate": [_("Enter a daily rate such as 0.001.")]}, code="daily_rate_invalid") from None
    if not rate.is_finite() or rate < 0 or rate > 1:
        raise ValidationFailed({"daily_rate": [_("Enter a daily rate such as 0.001.")]}, code="daily_rate_invalid")
    return rate.quantize(Decimal("0.000001"))


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
    than what was paid for the unit, all its refunds together. Then approval by amount.
    ``daily_rate`` left out: the rate of the ticket's product category's 三包 policy
    (``ticket_daily_rate``). What was paid is the unit's ``remedies.Purchase`` (recorded here the
    first time, through ``remedies.services.purchase_lock``)."""
    if not can_request(actor):
        raise PermissionDenied(_("Your role cannot request refunds."), code="role_not_allowed")
    if method not in RefundMethod.values:
        raise ValidationFailed({"method": [_("Choose how the money is refunded.")]}, code="method_invalid")
    paid_input = None if price_paid in (None, "") else money(price_paid, field="price_paid", allow_zero=False)
    fees_value = money(fees, field="fees")
    given_rate = _rate(daily_rate)
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
    purchase = purchase_lock(unit=unit, actor=actor, price_paid=paid_input, purchased_on=purchased_on, invoice_number=invoice)
    rate = ticket_daily_rate(ticket) if given_rate is None else given_rate
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
    fulfilment_requested(item=refund)
    _route_approval(refund, measure=fresh, kind=MeasureKind.REFUND, actor=actor)
    _after_approval(refund)
    _start_measure(fresh, refund)
    return refund


@transaction.atomic
def refund_decide(
    *, refund: Refund, actor: User, approve: bool, comment: str = "", expected_version: int | None = None
) -> Refund:
    """The approver's decision (a refusal says why)."""
    decided: Refund = _decide(Refund, refund, actor=actor, approve=approve, comment=comment, expected_version=expected_version)
    return decided


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
    _tell_customer(locked, "refund_paid", method=RefundMethod(locked.method).label)
    return locked


@transaction.atomic
def refund_confirm(*, refund: Refund, actor: User, note: str = "", expected_version: int | None = None) -> Refund:
    """Finance confirms the money arrived (the bank statement) → done; the measure completes when
    every refund of it is done."""
    confirmed: Refund = _confirm(Refund, refund, actor=actor, note=note, expected_version=expected_version)
    return confirmed


@transaction.atomic
def refund_cancel(*, refund: Refund, actor: User, reason: str, expected_version: int | None = None) -> Refund:
    cancelled: Refund = _cancel(Refund, refund, actor=actor, reason=reason, expected_version=expected_version)
    return cancelled
