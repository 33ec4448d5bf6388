"""Writes of the remedies app: choosing a ticket's remedy (``remedy_decide``) and recording what
was paid for a unit (``purchase_lock``, the one record of the price paid).

The engine's proposal is computed again under the ticket's lock and kept with the choice, so the
record says what the rules allowed when the choice was made. A choice the proposal does not
allow needs a reason; it is audited as ``remedies.overridden``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductUnit
from aftersales.core import clock
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.common import optional_text, timeline

from .audit_actions import RemedyAudit
from .choices import Remedy, RuleCode
from .depreciation import refund_breakdown
from .models import Purchase, RemedyDecision
from .permissions import check_decide
from .selectors import ticket_proposal

MAX_PRICE = Decimal("9999999999.99")
REFUNDS = (Remedy.RETURN, Remedy.REFUND_DEPRECIATED)


def _price(value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"price_paid": [_("Enter an amount in yuan.")]}, code="price_invalid") from None
    if not price.is_finite() or price < 0 or price > MAX_PRICE:
        raise ValidationFailed({"price_paid": [_("Enter an amount between 0 and 9,999,999,999.99.")]}, code="price_invalid")
    if price == 0:
        raise ValidationFailed({"price_paid": [_("Enter a positive amount.")]}, code="price_invalid")
    return price.quantize(Decimal("0.01"))


def purchase_lock(
    *,
    unit: ProductUnit,
    actor: User,
    price_paid: Decimal | None = None,
    purchased_on: dt.date | None = None,
    invoice_number: str = "",
) -> Purchase:
    """The unit's purchase record, locked (``select_for_update``); recorded from the proof of
    purchase the first time (``price_paid`` > 0 and the purchase date: ``purchased_on``, else the
    unit's). Once recorded, a price above it is refused (``price_above_paid``): nothing is ever
    refunded or decided on more than what was paid. Call it inside the caller's transaction,
    after locking the ticket."""
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
            created = Purchase.objects.create(
                unit=unit,
                price_paid=price_paid,
                purchased_on=day,
                invoice_number=invoice_number,
                recorded_by=actor,
                recorded_at=clock.now(),
            )
    except IntegrityError:
        # Recorded by a concurrent request meanwhile: read it again, under the lock, as above.
        return purchase_lock(unit=unit, actor=actor, price_paid=price_paid, invoice_number=invoice_number)
    audit_record(
        action=RemedyAudit.PURCHASE_RECORDED,
        obj=created,
        actor=actor,
        changes={"price_paid": str(price_paid), "purchased_on": day.isoformat(), "invoice": invoice_number},
    )
    return Purchase.objects.select_for_update().get(pk=created.pk)


def _decision_price(*, ticket: Ticket, actor: User, price: Decimal | None, sale_date: dt.date | None) -> Decimal | None:
    """The price paid the decision's refund is computed from: the unit's purchase record
    (``purchase_lock``; recorded now from ``price`` if there is none yet). A price other than
    the one recorded is refused: there is one record of what was paid."""
    unit = ProductUnit.objects.filter(pk=ticket.product_unit_id).first() if ticket.product_unit_id else None
    if unit is None:
        if price is None:
            return None
        raise ValidationFailed(
            {"price_paid": [_("Register the ticket's product unit first: a refund is for the unit that was bought.")]},
            code="unit_required",
        )
    if price is None:
        existing = Purchase.objects.select_for_update().filter(unit=unit).first()
        return None if existing is None else existing.price_paid
    if sale_date is None and unit.purchase_date is None:
        raise ValidationFailed(
            {"price_paid": [_("The unit has no purchase date: record its proof of purchase first.")]},
            code="purchased_on_required",
        )
    record = purchase_lock(unit=unit, actor=actor, price_paid=price, purchased_on=unit.purchase_date or sale_date)
    if record.price_paid != price:
        raise ValidationFailed(
            {
                "price_paid": [
                    _("The price paid is already recorded from the proof of purchase: %(paid)s.")
                    % {"paid": f"{record.price_paid:.2f}"}
                ]
            },
            code="price_differs",
        )
    return record.price_paid


@transaction.atomic
def remedy_decide(
    *,
    ticket: Ticket,
    actor: User,
    remedy: str,
    reason: str = "",
    price_paid: Decimal | str | None = None,
    expected_version: int | None = None,
) -> RemedyDecision:
    """Record ``remedy`` as the ticket's remedy, with the engine's proposal of this moment.

    Locks the ticket, then its decision. ``expected_version`` is the decision's version as read
    (a stale one is a ``Conflict``). ``price_paid`` (optional) gives the refund of a return:
    the price for a return within the return period, less depreciation after repairs."""
    locked = lock_ticket(ticket.pk)
    check_decide(user=actor, ticket=locked)
    if remedy not in Remedy.values:
        raise ValidationFailed({"remedy": [_("Choose one of the remedies.")]}, code="remedy_invalid")
    chosen = Remedy(remedy)
    text = optional_text(reason, field="reason", limit=2000)
    price = _price(price_paid)
    existing = RemedyDecision.objects.select_for_update().filter(ticket_id=locked.pk).first()
    if existing is not None and expected_version is not None and existing.version != expected_version:
        raise Conflict(
            _("The remedy was chosen again by someone else meanwhile; reload the ticket and try again."),
            code="stale_version",
            field="version",
        )
    proposal = ticket_proposal(ticket=locked)
    follows = proposal.allows(chosen)
    if not follows and not text:
        raise ValidationFailed(
            {"reason": [_("This remedy is not one the rule allows: say why it is chosen.")]}, code="reason_required"
        )
    paid = _decision_price(ticket=locked, actor=actor, price=price, sale_date=proposal.sale_date)
    refund = depreciation = None
    if chosen in REFUNDS and paid is not None and proposal.sale_date is not None:
        breakdown = refund_breakdown(
            price=paid,
            purchased_on=proposal.sale_date,
            returned_on=clock.local_today(),
            daily_rate=proposal.daily_rate if chosen == Remedy.REFUND_DEPRECIATED else Decimal("0"),
        )
        refund, depreciation = breakdown.amount, breakdown.depreciation
    now = clock.now()
    fields = {
        "rule": proposal.rule,
        "proposed": [str(r) for r in proposal.remedies],
        "proposal": proposal.as_data(),
        "chosen": chosen,
        "follows_proposal": follows,
        "reason": text,
        "refund_amount": refund,
        "depreciation": depreciation,
        "decided_by": actor,
        "decided_at": now,
    }
    before = None
    if existing is None:
        decision = RemedyDecision.objects.create(ticket=locked, version=1, **fields)
    else:
        before = existing.chosen
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.version += 1
        existing.save()
        decision = existing
    rule_label = RuleCode(proposal.rule).label
    if follows:
        message = deferred(_("Remedy chosen: %(remedy)s (rule: %(rule)s)."), remedy=chosen.label, rule=rule_label)
    else:
        message = deferred(
            _("Remedy chosen: %(remedy)s, not one the rule “%(rule)s” allows. Reason: %(reason)s"),
            remedy=chosen.label,
            rule=rule_label,
            reason=text,
        )
    timeline(
        ticket=locked,
        actor=actor,
        kind=EventKind.FIELD_CHANGED,
        data={"action": "remedy_decided", "remedy": str(chosen), "rule": str(proposal.rule), "follows_proposal": follows},
        text=message,
    )
    audit_record(
        action=RemedyAudit.DECIDED if follows else RemedyAudit.OVERRIDDEN,
        obj=decision,
        actor=actor,
        changes={
            "chosen": [before, str(chosen)],
            "rule": str(proposal.rule),
            "proposed": [str(r) for r in proposal.remedies],
            "reason": text,
            "price_paid": None if paid is None else str(paid),
            "refund_amount": None if refund is None else str(refund),
        },
    )
    return decision
