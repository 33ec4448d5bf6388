"""Technicians' travel money (SPEC §1, finance: "cash advances and travel-expense claims of
technicians"; seed 001: 借款单, 差旅费报销单, 冲销借款).

A **cash advance** (``CashAdvance``, 借款单) is money a technician draws before a trip; a
**reimbursement** (``Reimbursement``, 差旅费报销单) pays his approved expense claims
(``fieldservice.ExpenseClaim``) and offsets his paid advances against them, one line each
(``ReimbursementLine``). Statuses move only through ``states.py`` and every write goes through
``services``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from aftersales.core import clock

from . import settlement

ZERO = Decimal("0.00")
HALF_CENT = Value(Decimal("0.005"))


class AdvanceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid out")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    MOBILE = "mobile", _("Mobile payment")


class CashAdvance(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="cash_advances"
    )
    purpose = models.CharField(_("purpose"), max_length=500)
    trip_from = models.DateField(_("trip from"))
    trip_until = models.DateField(_("trip until"))
    work_orders = models.ManyToManyField(
        "fieldservice.WorkOrder", verbose_name=_("work orders"), blank=True, related_name="cash_advances"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=16, choices=AdvanceStatus.choices, default=AdvanceStatus.REQUESTED, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.TextField(_("why rejected"), blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paid by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    # When the technician and finance were last reminded that it is overdue for settlement
    # (services.reminders: once per TRAVEL_ADVANCE_SETTLE_DAYS days while it stays unsettled).
    settle_reminded_at = models.DateTimeField(_("settlement reminded at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("cash advance")
        verbose_name_plural = _("cash advances")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="travel_advance_amount_positive"),
            models.CheckConstraint(condition=Q(trip_until__gte=F("trip_from")), name="travel_advance_trip_ordered"),
        ]
        indexes = [models.Index(fields=["technician", "status"], name="travel_advance_tech_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        """What the technician still owes on it: the amount once paid out, until a reimbursement
        settles it."""
        return self.amount if self.status == AdvanceStatus.PAID else ZERO

    @property
    def settle_due_on(self) -> dt.date | None:
        """The last day to settle it while it is paid (``settlement``); None otherwise, or when
        the rule is off."""
        days = settlement.settle_days()
        if self.status != AdvanceStatus.PAID or self.paid_at is None or days == 0:
            return None
        return settlement.settle_due_on(self.paid_at, days=days)

    @property
    def days_since_paid(self) -> int | None:
        if self.paid_at is None:
            return None
        return settlement.days_since_paid(self.paid_at, today=clock.local_today())

    @property
    def overdue(self) -> bool:
        """Paid, not settled, and its ``settle_due_on`` is past."""
        due = self.settle_due_on
        return due is not None and clock.local_today() > due


class ReimbursementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Reimbursement(models.Model):
    """One technician's reimbursement: claims ``total_claims`` (C) less advances offset
    ``total_advances`` (A); ``net`` = C − A: positive, the company pays him; negative, he returns
    the cash."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="reimbursements"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReimbursementStatus.choices, default=ReimbursementStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    total_claims = models.DecimalField(_("expense claims"), max_digits=14, decimal_places=2, default=ZERO)
    total_advances = models.DecimalField(_("advances offset"), max_digits=14, decimal_places=2, default=ZERO)
    net = models.DecimalField(_("net amount"), max_digits=14, decimal_places=2, default=ZERO)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drafted_at = models.DateTimeField(_("drafted at"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    payout_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices, blank=True)
    payout_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("travel reimbursement")
        verbose_name_plural = _("travel reimbursements")
        ordering = ["-drafted_at", "-id"]
        constraints = [
            # net = C − A to the cent (within half a cent: SQLite computes with binary floats).
            models.CheckConstraint(
                condition=Q(
                    net__gt=F("total_claims") - F("total_advances") - HALF_CENT,
                    net__lt=F("total_claims") - F("total_advances") + HALF_CENT,
                ),
                name="travel_reimbursement_net_is_claims_less_advances",
            ),
            models.CheckConstraint(
                condition=Q(total_claims__gte=0, total_advances__gte=0), name="travel_reimbursement_totals_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["technician", "status"], name="travel_reimb_tech_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def direction(self) -> str:
        """``pay`` (the company pays the technician), ``return`` (he returns cash) or ``even``."""
        if self.net > 0:
            return "pay"
        if self.net < 0:
            return "return"
        return "even"


class LineKind(models.TextChoices):
    CLAIM = "claim", _("Expense claim")
    ADVANCE = "advance", _("Advance offset")


class ReimbursementLine(models.Model):
    """An approved expense claim paid, or a paid advance offset, by a reimbursement; its amount
    frozen when drafted. ``live`` is False once the reimbursement is cancelled: the claim or
    advance is then free for another."""

    reimbursement = models.ForeignKey(
        Reimbursement, verbose_name=_("travel reimbursement"), on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    claim = models.ForeignKey(
        "fieldservice.ExpenseClaim",
        verbose_name=_("expense claim"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reimbursement_lines",
    )
    advance = models.ForeignKey(
        CashAdvance,
        verbose_name=_("cash advance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reimbursement_lines",
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    live = models.BooleanField(_("live"), default=True)

    class Meta:
        verbose_name = _("reimbursement line")
        verbose_name_plural = _("reimbursement lines")
        ordering = ["reimbursement", "kind", "id"]
        constraints = [
            # A claim is paid, an advance offset, by at most one reimbursement that is not cancelled.
            models.UniqueConstraint(fields=["claim"], condition=Q(live=True), name="travel_claim_on_one_live_reimbursement"),
            models.UniqueConstraint(fields=["advance"], condition=Q(live=True), name="travel_advance_on_one_live_reimbursement"),
            models.CheckConstraint(
                condition=(Q(kind="claim", claim__isnull=False, advance__isnull=True))
                | Q(kind="advance", advance__isnull=False, claim__isnull=True),
                name="travel_line_names_its_document",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="travel_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reimbursement_id}:{self.kind}:{self.claim_id or self.advance_id}"


class TravelNumberSequence(models.Model):
    """Last number handed out per prefix (JK advances, BX reimbursements) and local day."""

    prefix = models.CharField(_("prefix"), max_length=8)
    day = models.DateField(_("day"))
    last_value = models.PositiveIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("travel number sequence")
        verbose_name_plural = _("travel number sequences")
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="travel_number_sequence_once")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day}: {self.last_value}"


# --- trip log (出差日志): seed 001 "根据《出差日志》及《派工单》核算出相应人工费" ---------------------------


class TripStatus(models.TextChoices):
    OPEN = "open", _("On the trip")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")
    CANCELLED = "cancelled", _("Cancelled")


class Trip(models.Model):
    """A technician's business trip (出差) and its day-by-day log (``TripLogEntry``): where he went,
    for which work orders, what he did each day and for how long. Once submitted a reviewer
    reconciles the hours logged per work order against the work orders' labour hours and
    approves it; the labour cost per work order is then fixed in ``TripLabour``."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="trips"
    )
    # The province as ``accounts.provinces.province_name`` writes it (江苏省), the city as typed.
    province = models.CharField(_("province"), max_length=32)
    city = models.CharField(_("city"), max_length=32, blank=True)
    purpose = models.CharField(_("purpose"), max_length=500)
    planned_from = models.DateField(_("planned from"))
    planned_until = models.DateField(_("planned until"))
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    work_orders = models.ManyToManyField(
        "fieldservice.WorkOrder", verbose_name=_("work orders"), blank=True, related_name="trips"
    )
    advance = models.ForeignKey(
        CashAdvance, verbose_name=_("cash advance"), null=True, blank=True, on_delete=models.SET_NULL, related_name="trips"
    )
    status = models.CharField(_("status"), max_length=16, choices=TripStatus.choices, default=TripStatus.OPEN, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("why returned"), blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        ordering = ["-planned_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_until__gte=F("planned_from")), name="travel_trip_planned_ordered"),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(departed_on__isnull=True) | Q(returned_on__gte=F("departed_on")),
                name="travel_trip_actual_ordered",
            ),
        ]
        indexes = [models.Index(fields=["technician", "status"], name="travel_trip_tech_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def destination(self) -> str:
        return f"{self.province}{self.city}"


class TripLogEntry(models.Model):
    """One line of the trip's log: a day, where, what was done, optionally for which work order,
    the hours worked and travelled, whether he stayed overnight, the kilometres driven."""

    trip = models.ForeignKey(Trip, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="entries")
    day = models.DateField(_("day"))
    place = models.CharField(_("place"), max_length=100)
    activity = models.TextField(_("activity"))
    work_order = models.ForeignKey(
        "fieldservice.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trip_log_entries",
    )
    working_hours = models.DecimalField(_("working hours"), max_digits=4, decimal_places=2, default=ZERO)
    travel_hours = models.DecimalField(_("travel hours"), max_digits=4, decimal_places=2, default=ZERO)
    overnight = models.BooleanField(_("overnight stay"), default=False)
    km = models.DecimalField(_("distance (km)"), max_digits=7, decimal_places=1, default=Decimal("0.0"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("trip log entry")
        verbose_name_plural = _("trip log entries")
        ordering = ["trip", "day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(working_hours__gte=0, working_hours__lte=24, travel_hours__gte=0, travel_hours__lte=24),
                name="travel_trip_entry_hours_in_day",
            ),
            models.CheckConstraint(condition=Q(km__gte=0), name="travel_trip_entry_km_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}:{self.day}"


class TripLabour(models.Model):
    """The labour reconciled for one work order of an approved trip (人工费核算), frozen at the
    approval: the work order's own labour hours then, the hours logged on this trip, the hours
    approved (those logged), the labour cost rate of the charge policy and the cost."""

    trip = models.ForeignKey(Trip, verbose_name=_("trip"), on_delete=models.CASCADE, related_name="labour")
    work_order = models.ForeignKey(
        "fieldservice.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT, related_name="trip_labour"
    )
    work_order_hours = models.DecimalField(_("hours on the work order"), max_digits=6, decimal_places=2)
    logged_hours = models.DecimalField(_("hours logged"), max_digits=6, decimal_places=2)
    approved_hours = models.DecimalField(_("hours approved"), max_digits=6, decimal_places=2)
    rate = models.DecimalField(_("labour cost per hour"), max_digits=12, decimal_places=2)
    cost = models.DecimalField(_("labour cost"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("trip labour")
        verbose_name_plural = _("trip labour")
        ordering = ["trip", "work_order__number"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "work_order"], name="travel_trip_labour_once"),
            models.CheckConstraint(condition=Q(approved_hours__gte=0, cost__gte=0), name="travel_trip_labour_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}:{self.work_order_id}"
