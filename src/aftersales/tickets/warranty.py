"""The warranty of a ticket's product — the one answer every reader of a ticket asks.

The plan's charges (``process.measures.ticket_plan_warranty``), the work order's quote and
charges (``fieldservice.charging``), the ticket page's badge, the case file and the 三包 facts
(``remedies.facts``) all read the purchase date found here, so that one ticket is never "in the
三包 period" for the return and exchange rules and "out of warranty, chargeable" for the repair.

**Which purchase date** (``ticket_purchase_date``), the first of:

1. the unit's registered purchase date (``ProductUnit.purchase_date``; a replacement unit's is its
   exchange date);
2. the purchase date reported on the ticket (``Ticket.reported_purchase_date``: typed at intake,
   in "Correct details", or from the purchase evidence), unless it cannot be right — before the
   unit was made or after the ticket was registered (``usable_reported_date``) — and never for a
   replacement unit (the reported date is the original purchase's). The warranty's reason says
   the date is "as reported on the ticket" and whether an invoice or a proof of purchase is
   attached (``purchase_evidence_context``);
3. else none: the unit's warranty policy falls back to the production date plus its grace
   months (``catalog.warranty.warranty_status``), or the warranty is unknown.

A policy counted from the production date ignores purchase dates (the reported one too). A
ticket without a registered unit but with a reported model and a usable reported date has the
model's policy counted from that date; without either, unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductUnit
from aftersales.catalog.warranty import (
    WarrantyStatus,
    model_warranty_status,
    unit_warranty_status,
    warranty_status,
    with_note,
)
from aftersales.core import clock
from aftersales.core.i18n import Deferred, deferred

from .choices import PURCHASE_EVIDENCE
from .models import Attachment, Ticket


def has_purchase_evidence(*, ticket: Ticket) -> bool:
    """An invoice or a proof of purchase is attached to ``ticket`` (public or internal)."""
    return Attachment.objects.filter(ticket_id=ticket.pk, kind__in=PURCHASE_EVIDENCE).exists()


def purchase_evidence_context(
    *, evidence: bool, purchase_date_known: bool, sale_date_known: bool, reported: bool = False
) -> Deferred | None:
    """What a reason says about the purchase evidence; ``None``: nothing worth saying (see
    ``remedies.facts``). ``reported``: the purchase date used is the one reported on the ticket,
    not the unit's. The files are not named: the reasons reach the customer too (their API read),
    and an internal file's name stays internal."""
    if evidence and purchase_date_known:
        return deferred(
            _("An invoice or a proof of purchase is attached to this ticket: the purchase date can be checked against it.")
        )
    if evidence:
        return deferred(
            _(
                "An invoice or a proof of purchase is attached to this ticket, but no purchase date is registered: register the date it shows, the periods count from the sale."
            )
        )
    if reported:
        return deferred(
            _(
                "No invoice or proof of purchase is attached to this ticket to confirm the reported purchase date: ask the customer for one."
            )
        )
    if sale_date_known and not purchase_date_known:
        return deferred(_("No invoice or proof of purchase is attached to this ticket: ask the customer for one."))
    return None


def usable_reported_date(*, ticket: Ticket, unit: ProductUnit | None, claimed_on: dt.date) -> dt.date | None:
    """The purchase date reported on ``ticket``, unless it cannot be right: before the unit was
    made, or after the ticket was registered (the customer bought it before asking)."""
    reported = ticket.reported_purchase_date
    if reported is None or reported > claimed_on:
        return None
    if unit is not None and unit.production_date is not None and reported < unit.production_date:
        return None
    return reported


class PurchaseDateSource(StrEnum):
    UNIT = "unit"  # the unit's registered purchase date (or a replacement's exchange date)
    REPORTED = "reported"  # the purchase date reported on the ticket
    NONE = "none"  # neither: the warranty's fallback (production date) or unknown


@dataclass(frozen=True)
class TicketPurchaseDate:
    """The purchase date a ticket's periods count from, and where it was found. ``rejected``: a
    date reported on the ticket that cannot be right (not used)."""

    on: dt.date | None
    source: PurchaseDateSource
    rejected: dt.date | None = None


def is_replacement(unit: ProductUnit | None) -> bool:
    """The unit replaced another (an exchange): its date is the exchange, not the purchase."""
    return unit is not None and unit.replaces_id is not None


def ticket_purchase_date(
    *, ticket: Ticket, claimed_on: dt.date | None = None, replacement: bool | None = None
) -> TicketPurchaseDate:
    """The unit's registered purchase date, else the usable date reported on the ticket (not for
    a replacement unit), else none (see the module's docstring). ``claimed_on``: the day the
    ticket was registered (by default its creation's local day)."""
    unit = ticket.product_unit
    if unit is not None and unit.purchase_date is not None:
        return TicketPurchaseDate(unit.purchase_date, PurchaseDateSource.UNIT)
    if replacement is None:
        replacement = is_replacement(unit)
    if replacement:
        return TicketPurchaseDate(None, PurchaseDateSource.NONE)
    claimed = claimed_on or clock.local_date(ticket.created_at)
    usable = usable_reported_date(ticket=ticket, unit=unit, claimed_on=claimed)
    if usable is not None:
        return TicketPurchaseDate(usable, PurchaseDateSource.REPORTED)
    return TicketPurchaseDate(None, PurchaseDateSource.NONE, rejected=ticket.reported_purchase_date)


def ticket_warranty_status(ticket: Ticket, on: dt.date | None = None) -> WarrantyStatus:
    """Is ``ticket``'s product in warranty on ``on`` (today by default)? The unit's warranty
    counted from the purchase date of ``ticket_purchase_date``; the reason says when that is
    the date reported on the ticket, and whether purchase evidence is attached."""
    day = on or clock.local_today()
    unit = ticket.product_unit
    purchase = ticket_purchase_date(ticket=ticket)
    if purchase.source != PurchaseDateSource.REPORTED or purchase.on is None:
        return unit_warranty_status(unit, day)
    note = deferred(_("from the purchase date as reported on the ticket (%(date)s)"), date=purchase.on.isoformat())
    if unit is not None:
        status = warranty_status(unit, day, purchase_date=purchase.on, purchase_note=note)
    elif ticket.product_model is not None:
        status = model_warranty_status(ticket.product_model, purchase.on, day, purchase_note=note)
    else:
        return unit_warranty_status(None, day)
    if status.starts_on != purchase.on:  # a policy counted from the production date
        return status
    evidence = purchase_evidence_context(
        evidence=has_purchase_evidence(ticket=ticket), purchase_date_known=True, sale_date_known=True, reported=True
    )
    return with_note(status, evidence)
