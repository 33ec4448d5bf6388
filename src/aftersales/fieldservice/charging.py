"""Cost and customer charge of a work order.

Cost = parts (from the parts app) + labour (hours × the policy's rate) + travel (flat or per km,
per region). The customer's charge follows the ticket's warranty (``tickets.warranty``: the
unit's, counted from its registered purchase date, else from the date reported on the ticket —
the date the 三包 facts count from too): in
warranty free (as far as the warranty policy covers parts and labour); out of warranty parts
are priced from the price list and labour and travel per the charge policy; a part replaced
recently keeps its own warranty (``parts.selectors.part_warranty_until``). Every line says why
it is free or charged.

What the customer pays is never more than they accepted (``accepted_charge``): the estimate of
the job's measure in the plan they agreed to, or the quote they confirmed for the job. A job
that would charge more needs a new quote the customer confirms before it is checked out
(``check_within_accepted``). The plan reads the same warranty status
(``tickets.warranty.ticket_warranty_status``, ``WarrantyStatus.covers_repair``), so a job the
plan showed as free is free here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.catalog.warranty import WarrantyState, WarrantyStatus
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.core.i18n import Deferred, deferred, rendered
from aftersales.parts import selectors as parts_selectors
from aftersales.tickets.warranty import ticket_warranty_status

from .models import ChargeLineKind, ChargePolicy, TravelMode, TravelRate, WorkOrder, WorkOrderStatus

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parts_used(work_order: WorkOrder) -> list[Any]:
    """The parts app's lines for this work order (part, quantity, unit_cost, unit_price,
    warranty_months, serial)."""
    return list(parts_selectors.work_order_parts_used(work_order=work_order))


def part_warranty_until(*, unit: Any, part: Any, work_order: WorkOrder | None = None) -> dt.date | None:
    """Last day a part fitted on ``unit`` earlier (not by ``work_order`` itself) is covered."""
    if unit is None:
        return None
    return parts_selectors.part_warranty_until(unit=unit, part=part, exclude_work_order=work_order)


def current_policy(on: dt.date | None = None) -> ChargePolicy:
    """The active policy valid on ``on``; a zero-rate, labour-and-travel-charged default if none."""
    day = on or clock.local_today()
    policy = ChargePolicy.objects.filter(active=True, valid_from__lte=day).order_by("-valid_from", "-id").first()
    return policy or ChargePolicy(name="default", valid_from=day)


def travel_rate(work_order: WorkOrder) -> TravelRate:
    rate = None
    if work_order.region_id:
        rate = TravelRate.objects.filter(region_id=work_order.region_id).first()
    if rate is None:
        rate = TravelRate.objects.filter(region__isnull=True).order_by("id").first()
    return rate or TravelRate(mode=TravelMode.FLAT)


def unit_warranty(work_order: WorkOrder, on: dt.date) -> WarrantyStatus:
    """The warranty the job charges by: its ticket's (``tickets.warranty``), as the plan's."""
    return ticket_warranty_status(work_order.ticket, on)


def is_chargeable(work_order: WorkOrder, on: dt.date | None = None) -> bool:
    """Chargeable unless the warranty covers the repair (parts and labour) — the rule the plan
    follows too (``WarrantyStatus.covers_repair``)."""
    return not unit_warranty(work_order, on or clock.local_today()).covers_repair


def work_day(work_order: WorkOrder) -> dt.date:
    """The day the job is charged for: the day the work was done, else today. Accepting the
    work days later charges what the warranty said on the day of the work."""
    return clock.local_date(work_order.completed_at) if work_order.completed_at else clock.local_today()


@dataclass(frozen=True)
class Accepted:
    """What the customer agreed to pay for a job, and where they agreed to it."""

    amount: Decimal
    source: str  # "quote" or "plan"
    plan_number: int | None = None

    def describe(self) -> str:
        if self.source == "quote":
            return _("the quote the customer confirmed")
        if self.plan_number is None:
            return _("no plan the customer accepted")
        return _("the estimate in plan %(number)d the customer accepted") % {"number": self.plan_number}


# Jobs of the same measure that have charged the customer (their charge uses up the estimate).
CHARGED_STATUSES = frozenset({WorkOrderStatus.DONE, WorkOrderStatus.CUSTOMER_ACCEPTED})


def accepted_charge(work_order: WorkOrder) -> Accepted:
    """The most this job may charge: the quote the customer confirmed for it; else what the plan
    the customer accepted says the customer pays for the job's measure, less what the measure's
    other finished jobs charged."""
    if work_order.quote_confirmed_at is not None:
        return Accepted(money(Decimal(work_order.quote_total)), "quote")
    measure = work_order.measure
    if measure is None:
        return Accepted(ZERO, "plan")
    others = (
        WorkOrder.objects.filter(measure_id=measure.pk, status__in=CHARGED_STATUSES)
        .exclude(pk=work_order.pk)
        .aggregate(total=Sum("charge_total"))["total"]
    )
    left = Decimal(measure.customer_charge) - Decimal(others or 0)
    return Accepted(money(max(left, ZERO)), "plan", measure.plan.number)


def check_within_accepted(work_order: WorkOrder) -> None:
    """Refuse a charge above what the customer accepted (``accepted_charge``): no surprise
    charge; the technician gives a new quote and the customer confirms it first."""
    accepted = accepted_charge(work_order)
    charge = money(Decimal(work_order.charge_total))
    if charge <= accepted.amount:
        return
    message = _(
        "The charge of %(charge)s CNY is more than the customer accepted (%(accepted)s CNY, %(source)s): "
        "give the customer a new quote and have it confirmed first."
    ) % {"charge": charge, "accepted": accepted.amount, "source": accepted.describe()}
    raise ValidationFailed({"quote": [message]}, code="charge_exceeds_accepted")


@dataclass
class Line:
    """One line. ``description`` and ``reason`` are said in the language of whoever made the
    line; ``texts`` keeps them as deferred texts (``core.i18n``) so that each reader — the
    technician, the agent, the customer on the quote page, a PDF — sees them in their own
    language (``fieldservice.models.charge_text``). A part's description is its number and name
    (data, the same in every language) and has no deferred text."""

    kind: str
    description: str
    quantity: Decimal
    unit_cost: Decimal
    unit_price: Decimal
    free: bool
    reason: str
    part_ref: int | None = None
    serial: str = ""
    texts: dict[str, Deferred] = field(default_factory=dict)

    def describe(self, text: Deferred) -> None:
        self.texts["description"] = text
        self.description = rendered(text)[:200]

    def because(self, text: Deferred, *, free: bool | None = None) -> None:
        self.texts["reason"] = text
        self.reason = rendered(text)
        if free is not None:
            self.free = free

    @property
    def cost_amount(self) -> Decimal:
        return money(self.quantity * self.unit_cost)

    @property
    def charge_amount(self) -> Decimal:
        return ZERO if self.free else money(self.quantity * self.unit_price)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "description": self.description,
            "quantity": str(self.quantity),
            "unit_cost": str(self.unit_cost),
            "unit_price": str(self.unit_price),
            "cost_amount": str(self.cost_amount),
            "charge_amount": str(self.charge_amount),
            "free": self.free,
            "reason": self.reason,
            "texts": dict(self.texts),
        }


def _in_warranty_reason(status: WarrantyStatus) -> Deferred:
    return deferred(gettext_lazy("In warranty until %(end)s: free."), end=status.ends_on)


def _out_reason(status: WarrantyStatus) -> Deferred:
    if status.state == WarrantyState.UNKNOWN:
        return deferred(gettext_lazy("Warranty unknown (%(why)s): charged."), why=status.reason_text or status.reason)
    return deferred(gettext_lazy("Out of warranty since %(end)s: charged."), end=status.ends_on)


def part_line(work_order: WorkOrder, used: Any, status: WarrantyStatus, on: dt.date) -> Line:
    part = used.part
    quantity = Decimal(used.quantity)
    unit_cost = Decimal(used.unit_cost)
    unit_price = Decimal(used.unit_price)
    name = " ".join(str(x) for x in (getattr(part, "number", ""), getattr(part, "name", "") or part) if x)
    line = Line(
        kind=ChargeLineKind.PART,
        description=name[:200],
        quantity=quantity,
        unit_cost=unit_cost,
        unit_price=unit_price,
        free=False,
        reason="",
        part_ref=getattr(part, "pk", None),
        serial=str(getattr(used, "serial", "") or "")[:64],
    )
    if status.state == WarrantyState.IN_WARRANTY and status.covers_parts:
        line.because(_in_warranty_reason(status), free=True)
        return line
    until = part_warranty_until(unit=work_order.ticket.product_unit, part=part, work_order=work_order)
    if until is not None and on <= until:
        line.because(
            deferred(gettext_lazy("Part replaced earlier, its own warranty runs until %(end)s: free."), end=until), free=True
        )
        return line
    if status.state == WarrantyState.IN_WARRANTY:
        line.because(deferred(gettext_lazy("The warranty does not cover parts: priced from the price list.")))
    else:
        line.because(deferred(gettext_lazy("%(why)s Priced from the price list."), why=_out_reason(status)))
    return line


def labour_line(hours: Decimal, policy: ChargePolicy, status: WarrantyStatus) -> Line:
    line = Line(
        kind=ChargeLineKind.LABOUR,
        description="",
        quantity=hours,
        unit_cost=policy.labour_cost_per_hour,
        unit_price=policy.labour_price_per_hour,
        free=False,
        reason="",
    )
    line.describe(deferred(gettext_lazy("Labour: %(hours)s h"), hours=str(hours)))
    if status.state == WarrantyState.IN_WARRANTY:
        if status.covers_labour:
            line.because(_in_warranty_reason(status), free=True)
        else:
            line.because(deferred(gettext_lazy("The warranty does not cover labour: charged per hour.")))
    elif not policy.charge_labour_out_of_warranty:
        line.because(deferred(gettext_lazy("Labour is free by the charge policy.")), free=True)
    else:
        line.because(_out_reason(status))
    return line


def travel_line(work_order: WorkOrder, km: Decimal, policy: ChargePolicy, status: WarrantyStatus) -> Line:
    rate = travel_rate(work_order)
    if rate.mode == TravelMode.PER_KM:
        quantity, description = km, deferred(gettext_lazy("Travel: %(km)s km"), km=str(km))
    else:
        quantity, description = Decimal(1), deferred(gettext_lazy("Travel: flat rate"))
    line = Line(
        kind=ChargeLineKind.TRAVEL,
        description="",
        quantity=quantity,
        unit_cost=rate.cost,
        unit_price=rate.price,
        free=False,
        reason="",
    )
    line.describe(description)
    if status.state == WarrantyState.IN_WARRANTY:
        line.because(_in_warranty_reason(status), free=True)
    elif not policy.charge_travel_out_of_warranty:
        line.because(deferred(gettext_lazy("Travel is free by the charge policy.")), free=True)
    else:
        line.because(_out_reason(status))
    return line


def compute_lines(work_order: WorkOrder, *, on: dt.date | None = None) -> list[Line]:
    """The lines of the finished job: parts used, labour hours, travel (on the day of the work)."""
    day = on or work_day(work_order)
    status = unit_warranty(work_order, day)
    policy = current_policy(day)
    lines = [part_line(work_order, used, status, day) for used in parts_used(work_order)]
    lines.append(labour_line(Decimal(work_order.labour_hours), policy, status))
    if work_order.kind != "remote_support" and work_order.kind != "depot_repair":
        lines.append(travel_line(work_order, Decimal(work_order.travel_km), policy, status))
    return lines


def quote_lines(
    work_order: WorkOrder,
    *,
    estimated_hours: Decimal,
    parts_estimate: Decimal,
    estimated_km: Decimal = ZERO,
    on: dt.date | None = None,
) -> list[Line]:
    """The estimate shown to the customer before the work of a chargeable job."""
    day = on or clock.local_today()
    status = unit_warranty(work_order, day)
    policy = current_policy(day)
    lines: list[Line] = []
    if parts_estimate > 0:
        estimate = Line(
            kind=ChargeLineKind.PART,
            description="",
            quantity=Decimal(1),
            unit_cost=ZERO,
            unit_price=parts_estimate,
            free=False,
            reason="",
        )
        estimate.describe(deferred(gettext_lazy("Parts (estimate from the price list)")))
        if status.state != WarrantyState.IN_WARRANTY:
            estimate.because(_out_reason(status))
        lines.append(estimate)
    lines.append(labour_line(estimated_hours, policy, status))
    if work_order.kind not in {"remote_support", "depot_repair"}:
        lines.append(travel_line(work_order, estimated_km, policy, status))
    return lines
