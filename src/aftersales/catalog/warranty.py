"""Warranty status of a unit on a date. A ticket's warranty (its unit's, counted from the date
reported on the ticket when the unit has no registered purchase date) is
``tickets.warranty.ticket_warranty_status``: what the plan, the charges and the ticket page read."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import Deferred, deferred, rendered

from .models import ProductModel, ProductUnit, WarrantyBasis, WarrantyPolicy


class WarrantyState(models.TextChoices):
    IN_WARRANTY = "in", _("In warranty")
    OUT_OF_WARRANTY = "out", _("Out of warranty")
    UNKNOWN = "unknown", _("Unknown")


@dataclass(frozen=True)
class WarrantyStatus:
    """``reason`` is said in the active language; ``reason_text`` is the same as a deferred text
    (``core.i18n``) for a record that keeps it and shows it to readers of either language."""

    state: WarrantyState
    reason: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    covers_parts: bool = False
    covers_labour: bool = False
    reason_text: Deferred | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return str(self.state.label)

    @property
    def covers_repair(self) -> bool:
        """In warranty for parts and labour: a repair of the unit costs the customer nothing.

        Anything else (out of warranty, unknown, or a policy without parts or labour) may be
        charged: the plan must tell the customer the estimate (``tickets.process.measures``)
        and the work order charges by the same status (``fieldservice.charging``)."""
        return self.state == WarrantyState.IN_WARRANTY and self.covers_parts and self.covers_labour


def _status(state: WarrantyState, message: Any, /, **params: Any) -> WarrantyStatus:
    """A status whose reason is ``message`` with ``params``, kept both ways."""
    text = deferred(message, **params)
    return WarrantyStatus(state, rendered(text), reason_text=text)


def _with_reason(status: WarrantyStatus, message: Any, /, **params: Any) -> WarrantyStatus:
    text = deferred(message, **params)
    return replace(status, reason=rendered(text), reason_text=text)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def unit_warranty_status(unit: ProductUnit | None, on: dt.date) -> WarrantyStatus:
    """``warranty_status`` of a unit that may not be registered (then: unknown). About a ticket,
    read ``tickets.warranty.ticket_warranty_status`` instead (it also counts from the purchase
    date reported on the ticket)."""
    if unit is None:
        return _status(WarrantyState.UNKNOWN, _("The unit is not registered; its warranty is unknown."))
    return warranty_status(unit, on)


def warranty_status(
    unit: ProductUnit,
    on: dt.date,
    *,
    purchase_date: dt.date | None = None,
    purchase_note: Deferred | None = None,
) -> WarrantyStatus:
    """Is ``unit`` in warranty on ``on``? Says why, with the period it used.

    The period starts at the purchase date (or production date, per the model's policy) and lasts
    the policy's months; the last covered day is the day before the same date N months later.
    Without a policy, or without the date the policy counts from (and no fallback), the answer is
    unknown — the agent must ask for the purchase proof.

    ``purchase_date``: a purchase date known elsewhere, used when the unit has none registered
    (the date reported on a ticket: ``tickets.warranty.ticket_warranty_status``, the one answer
    for a ticket), said with ``purchase_note`` ("from the purchase date as reported …"). The
    unit's registered date always wins; the production-date fallback comes after both.
    """
    policy = unit.model.warranty_policy
    if policy is None:
        return _status(WarrantyState.UNKNOWN, _("The product model has no warranty policy."))

    start: dt.date | None
    basis_note: Deferred
    if policy.basis == WarrantyBasis.PURCHASE:
        start = unit.purchase_date
        basis_note = deferred(_("from the purchase date"))
        if start is None and purchase_date is not None:
            start = purchase_date
            basis_note = purchase_note or basis_note
        if start is None and policy.fallback_to_production and unit.production_date is not None:
            start = add_months(unit.production_date, policy.production_grace_months)
            basis_note = deferred(
                _("from the production date plus %(grace)d months (purchase date unknown)"),
                grace=policy.production_grace_months,
            )
    else:
        start = unit.production_date
        basis_note = deferred(_("from the production date"))
    if start is None:
        if policy.basis == WarrantyBasis.PRODUCTION:
            return _status(WarrantyState.UNKNOWN, _("The production date is unknown; check the serial number or the nameplate."))
        return _status(WarrantyState.UNKNOWN, _("The purchase date is unknown; ask for the purchase proof."))
    return period_status(policy, start, on, basis_note=basis_note)


def model_warranty_status(model: ProductModel, purchase_date: dt.date, on: dt.date, *, purchase_note: Deferred) -> WarrantyStatus:
    """The warranty of a product of ``model`` bought on ``purchase_date`` (no registered unit:
    the model and the date reported on a ticket). A policy counted from the production date
    cannot be counted without a unit: unknown."""
    policy = model.warranty_policy
    if policy is None:
        return _status(WarrantyState.UNKNOWN, _("The product model has no warranty policy."))
    if policy.basis == WarrantyBasis.PRODUCTION:
        return _status(WarrantyState.UNKNOWN, _("The production date is unknown; check the serial number or the nameplate."))
    return period_status(policy, purchase_date, on, basis_note=purchase_note)


def period_status(policy: WarrantyPolicy, start: dt.date, on: dt.date, *, basis_note: Deferred) -> WarrantyStatus:
    """In or out of ``policy``'s period starting on ``start``, on ``on``; the reason says where
    the period counts from (``basis_note``) and until when."""
    ends_on = add_months(start, policy.months) - dt.timedelta(days=1)
    period = WarrantyStatus(
        WarrantyState.UNKNOWN,
        "",
        starts_on=start,
        ends_on=ends_on,
        covers_parts=policy.covers_parts,
        covers_labour=policy.covers_labour,
    )
    if on < start:
        return _with_reason(period, _("The date is before the warranty start (%(start)s); check the dates."), start=start)
    values: dict[str, Any] = {"months": policy.months, "basis": basis_note, "end": ends_on}
    if on <= ends_on:
        in_warranty = replace(period, state=WarrantyState.IN_WARRANTY)
        return _with_reason(in_warranty, _("%(months)d months %(basis)s, until %(end)s."), **values)
    out = replace(period, state=WarrantyState.OUT_OF_WARRANTY, covers_parts=False, covers_labour=False)
    return _with_reason(out, _("Warranty of %(months)d months %(basis)s ended on %(end)s."), **values)


def with_note(status: WarrantyStatus, note: Deferred | None) -> WarrantyStatus:
    """``status`` whose reason goes on with ``note`` (what the purchase evidence says)."""
    if note is None:
        return status
    reason = status.reason_text or deferred(status.reason)
    return _with_reason(status, _("%(warranty)s %(note)s"), warranty=reason, note=note)
