"""The facts of a ticket that the 三包 engine reads (``engine.Facts``), from the database.

- **Sale date**, the first of:

  1. the unit's registered purchase date (the catalog's ``ProductUnit.purchase_date``: the
     sales registration, a recorded proof of purchase; a replacement unit
     (``ProductUnit.replaces``) carries the exchange date there: its periods restart on it). A
     different date reported on the ticket is said in the reasons, to be checked;
  2. the purchase date reported on the ticket (``Ticket.reported_purchase_date``: typed at intake
     or in "Correct details"), said in the reasons as the ticket's — also for a ticket without a
     registered unit (the model's warranty policy gives its months; earlier repairs are not
     counted without the unit). A reported date that cannot be right — before the unit was made,
     or after the ticket was registered — is not used, and the reasons say so;
  3. the start of the unit's warranty as ``tickets.warranty.ticket_warranty_status`` finds it
     (the production date plus the grace months, per the model's warranty policy), said in the
     reasons;

  The first two are ``tickets.warranty.ticket_purchase_date``: the ticket's warranty (the plan's
  charges, the work order's quote and charges, the ticket page) counts from the same date, so a
  ticket in the 三包 periods by a reported date is in warranty by it too.
  4. else unknown.
- **Purchase evidence**: whether an invoice or a proof of purchase is attached to the ticket
  (``Attachment.kind`` in ``tickets.choices.PURCHASE_EVIDENCE``, whoever attached it: the
  agent's intake, "Correct details", the ticket page, the customer's PDF receipt in the portal).
  It does not move a date; it is said in the reasons (``purchase_evidence_context``): with a
  purchase date, that a proof is on file; without one, that the date on the proof is what the
  periods need; with only the date reported on the ticket and no proof, to ask the customer for
  one to confirm it — or, with no proof either and the periods counted from the warranty's
  start, to ask the customer for one (``tickets.warranty.purchase_evidence_context``, which the
  ticket's warranty says too). Nothing is said when the unit's purchase date is
  registered and no proof is attached (most tickets: no noise), when nothing can be counted
  without a proof (the engine already asks for it), nor for a replacement unit (its date is the
  exchange, not the purchase).
- **Fault day**: when the fault occurred as reported (``Ticket.occurred_at``) if it is not after
  the registration, else the day the ticket was registered; the **claim day** is the
  registration day; **today** is the Asia/Shanghai calendar day (``core.clock``).
- **Fault type and component**: the ticket's appraisal conclusion
  (``appraisal.selectors.ticket_appraisal_conclusion``); none yet → a performance fault as the
  customer claims (the engine says so).
- **Repairs of the same fault** (``prior_repairs``): the earlier tickets of the same unit (same
  serial, registered before this one) with at least one finished repair work order (on-site or
  depot repair, work done or accepted by the customer) — one per ticket, however many visits it
  took — whose fault is the same: both appraisals name a component and the components are the
  same (compared as ``engine.component_key``, one containing the other), or either one names
  none (the regulation counts repairs, not components: the doubt goes to the customer). A
  ticket whose appraisal found man-made damage or no fault does not count.
- **Repair time** (``repair_days``): for this ticket's repair work orders (on-site or depot, not
  cancelled), the days from the claim day (送修之日) to the last one's completion when all are
  done, else to today.
- **Parts unavailable** (``parts_wait_days``): while a parts requisition of this ticket's repair is
  still waiting (submitted or approved, not issued), the days from the claim day to today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.selectors import ticket_appraisal_conclusion
from aftersales.catalog.models import SalesChannel
from aftersales.core import clock
from aftersales.core.i18n import Deferred, deferred
from aftersales.fieldservice.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.parts.models import Requisition, RequisitionStatus
from aftersales.tickets.models import Ticket
from aftersales.tickets.warranty import (
    PurchaseDateSource,
    has_purchase_evidence,
    purchase_evidence_context,
    ticket_purchase_date,
    ticket_warranty_status,
)

from .engine import Facts, component_key

REPAIR_KINDS = (WorkOrderKind.ONSITE_REPAIR, WorkOrderKind.DEPOT_REPAIR)
REPAIR_DONE = (WorkOrderStatus.DONE, WorkOrderStatus.CUSTOMER_ACCEPTED)
NOT_A_FAULT = (FaultType.MAN_MADE, FaultType.NO_FAULT)


def same_fault(current: str, earlier: str) -> bool:
    """Two components name the same fault: equal or one containing the other
    (``engine.component_key``); an unnamed one matches any (see the module's docstring)."""
    a, b = component_key(current), component_key(earlier)
    if not a or not b:
        return True
    return a == b or a in b or b in a


def ticket_category_id(ticket: Ticket) -> int | None:
    """The product category of the ticket's unit (or of the model reported without a unit)."""
    unit = ticket.product_unit
    if unit is not None:
        return unit.model.category_id
    if ticket.product_model is not None:
        return ticket.product_model.category_id
    return None


def prior_repairs(*, ticket: Ticket, component: str) -> int:
    if ticket.product_unit_id is None:
        return 0
    earlier = (
        Ticket.objects.filter(
            product_unit_id=ticket.product_unit_id,
            created_at__lt=ticket.created_at,
            work_orders__kind__in=REPAIR_KINDS,
            work_orders__status__in=REPAIR_DONE,
        )
        .exclude(pk=ticket.pk)
        .distinct()
        .order_by("created_at", "pk")
    )
    count = 0
    for other in earlier:
        conclusion = ticket_appraisal_conclusion(ticket=other)
        if conclusion is not None and conclusion.fault_type in NOT_A_FAULT:
            continue
        if same_fault(component, conclusion.component if conclusion is not None else ""):
            count += 1
    return count


def repair_days(*, ticket: Ticket, claimed_on: dt.date, today: dt.date) -> int | None:
    orders = list(
        WorkOrder.objects.filter(ticket_id=ticket.pk, kind__in=REPAIR_KINDS)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .values_list("status", "completed_at")
    )
    if not orders:
        return None
    finished = [completed for status, completed in orders if status in REPAIR_DONE and completed is not None]
    end = clock.local_date(max(finished)) if len(finished) == len(orders) else today
    return max((end - claimed_on).days, 0)


def parts_wait_days(*, ticket: Ticket, claimed_on: dt.date, today: dt.date, repairing: bool = True) -> int | None:
    if not repairing:  # no repair work order: no query
        return None
    waiting = Requisition.objects.filter(
        work_order__ticket_id=ticket.pk,
        work_order__kind__in=REPAIR_KINDS,
        status__in=(RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED),
    ).exists()
    return max((today - claimed_on).days, 0) if waiting else None


class SaleDateSource(StrEnum):
    """Where the 三包 periods start from (see the module's docstring)."""

    UNIT = "unit"  # the unit's registered purchase date (or a replacement's exchange date)
    REPORTED = "reported"  # the purchase date reported on the ticket
    WARRANTY_START = "warranty_start"  # the start of the unit's warranty (production date + grace)
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SaleDate:
    on: dt.date | None
    source: SaleDateSource
    context: tuple[Deferred, ...] = ()


def sale_date_of(*, ticket: Ticket, claimed_on: dt.date, today: dt.date, replacement: bool = False) -> SaleDate:
    """Where the periods of ``ticket`` start, how it was found, and what the reasons say about
    it: the unit's purchase date, else the date reported on the ticket, else the unit's warranty
    start, else unknown (see the module's docstring). ``replacement``: the unit replaced another
    (its date is the exchange; the engine says so, and a date reported for the original
    purchase says nothing about it)."""
    unit = ticket.product_unit
    reported = ticket.reported_purchase_date
    purchase = ticket_purchase_date(ticket=ticket, claimed_on=claimed_on, replacement=replacement)
    if purchase.source == PurchaseDateSource.UNIT and purchase.on is not None:
        if replacement:
            return SaleDate(purchase.on, SaleDateSource.UNIT)
        context = [deferred(_("Sold on %(date)s (purchase date)."), date=purchase.on.isoformat())]
        if reported is not None and reported != purchase.on:
            context.append(
                deferred(
                    _(
                        "The purchase date reported on this ticket (%(reported)s) is not the unit's registered purchase date: the unit's is used; check it against the proof of purchase."
                    ),
                    reported=reported.isoformat(),
                )
            )
        return SaleDate(purchase.on, SaleDateSource.UNIT, tuple(context))
    context = []
    if purchase.rejected is not None:
        context.append(
            deferred(
                _(
                    "The purchase date reported on this ticket (%(date)s) cannot be right (before the unit was made, or after the ticket was registered): it is not used; check it against the proof of purchase."
                ),
                date=purchase.rejected.isoformat(),
            )
        )
    if purchase.source == PurchaseDateSource.REPORTED and purchase.on is not None:
        if unit is None:
            message = _(
                "The ticket has no registered unit: the periods count from %(date)s, the purchase date reported on this ticket; register its serial number to count the unit's earlier repairs."
            )
        else:
            message = _("Sold on %(date)s, the purchase date reported on this ticket (the unit has no registered purchase date).")
        context.append(deferred(message, date=purchase.on.isoformat()))
        return SaleDate(purchase.on, SaleDateSource.REPORTED, tuple(context))
    if unit is None:
        context.insert(0, deferred(_("The ticket has no registered unit: register its serial number to count the periods.")))
        return SaleDate(None, SaleDateSource.UNKNOWN, tuple(context))
    # Neither date: where the unit's warranty starts, as the ticket's warranty says (one answer).
    status = ticket_warranty_status(ticket, today)
    if status.starts_on is None:
        return SaleDate(None, SaleDateSource.UNKNOWN, tuple(context))
    policy = unit.model.warranty_policy
    context.append(
        deferred(
            _(
                "The purchase date is unknown: the periods count from %(date)s, where the warranty starts (warranty policy “%(policy)s”)."
            ),
            date=status.starts_on.isoformat(),
            policy=str(policy),
        )
    )
    return SaleDate(status.starts_on, SaleDateSource.WARRANTY_START, tuple(context))


def ticket_facts(*, ticket: Ticket, today: dt.date | None = None) -> Facts:
    """Everything ``engine.propose`` needs about ``ticket`` (see the module's docstring)."""
    today = today or clock.local_today()
    claimed_on = clock.local_date(ticket.created_at)
    fault_on = claimed_on
    if ticket.occurred_at is not None and clock.local_date(ticket.occurred_at) <= claimed_on:
        fault_on = clock.local_date(ticket.occurred_at)
    unit = ticket.product_unit
    catalog_months: int | None = None
    replacement_of = ""
    online = False
    model = unit.model if unit is not None else ticket.product_model
    if model is not None:
        policy = model.warranty_policy
        catalog_months = policy.months if policy is not None else None
    if unit is not None:
        online = unit.sales_channel == SalesChannel.ONLINE
        replaced = getattr(unit, "replaces", None)
        replacement_of = replaced.serial_number if replaced is not None else ""
    sale = sale_date_of(ticket=ticket, claimed_on=claimed_on, today=today, replacement=bool(replacement_of))
    context: list[Deferred] = list(sale.context)
    # A replacement's date is the exchange: the original purchase's proof says nothing about it.
    evidence_note = (
        None
        if replacement_of
        else purchase_evidence_context(
            evidence=has_purchase_evidence(ticket=ticket),
            purchase_date_known=sale.source in (SaleDateSource.UNIT, SaleDateSource.REPORTED),
            sale_date_known=sale.on is not None,
            reported=sale.source == SaleDateSource.REPORTED,
        )
    )
    if evidence_note is not None:
        context.append(evidence_note)
    conclusion = ticket_appraisal_conclusion(ticket=ticket)
    component = conclusion.component if conclusion is not None else ""
    running = repair_days(ticket=ticket, claimed_on=claimed_on, today=today)
    return Facts(
        sale_date=sale.on,
        fault_on=fault_on,
        claimed_on=claimed_on,
        today=today,
        fault_type=conclusion.fault_type if conclusion is not None and conclusion.fault_type else None,
        component=component,
        online=online,
        catalog_months=catalog_months,
        prior_repairs=prior_repairs(ticket=ticket, component=component),
        repair_days=running,
        parts_wait_days=parts_wait_days(ticket=ticket, claimed_on=claimed_on, today=today, repairing=running is not None),
        replacement_of=replacement_of,
        context=tuple(context),
    )
