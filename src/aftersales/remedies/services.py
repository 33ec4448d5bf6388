"""Writes of the remedies app: choosing a ticket's remedy (``remedy_decide``).

The engine's proposal is computed again under the ticket's lock and kept with the choice, so the
record says what the rules allowed when the choice was made. A choice the proposal does not
allow needs a reason; it is audited as ``remedies.overridden``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
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
from .models import RemedyDecision
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
    return price.quantize(Decimal("0.01"))


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
    refund = depreciation = None
    if chosen in REFUNDS and price is not None and proposal.sale_date is not None:
        breakdown = refund_breakdown(
            price=price,
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
        "price_paid": price,
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
            "price_paid": None if price is None else str(price),
            "refund_amount": None if refund is None else str(refund),
        },
    )
    return decision
