"""Settlement with service outlets (网点结算, SPEC §5 "Third-party service network").

A statement (``Settlement``, 结算单) settles one outlet's completed work of one period: one line
(``SettlementLine``) per work order dispatched to the outlet and accepted by the customer in the
period. The contract's rates are copied onto the statement when it is drafted and every amount is
frozen on its line; the status moves only through ``states.py`` and every write goes through
``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed by the outlet")
    DISPUTED = "disputed", _("Disputed by the outlet")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Settlement(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True)
    outlet = models.ForeignKey(
        "accounts.ServiceOutlet", verbose_name=_("service outlet"), on_delete=models.PROTECT, related_name="settlements"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    status = models.CharField(
        _("status"), max_length=16, choices=SettlementStatus.choices, default=SettlementStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # The contract's rates when the statement was drafted (or last recalculated as a draft).
    call_out_fee = models.DecimalField(_("call-out fee per completed visit"), max_digits=10, decimal_places=2)
    labour_rate = models.DecimalField(_("labour rate per hour"), max_digits=10, decimal_places=2)
    travel_rate = models.DecimalField(_("travel rate per km"), max_digits=10, decimal_places=2)
    repeat_penalty = models.DecimalField(_("penalty per repeat repair"), max_digits=10, decimal_places=2)
    # Totals of the lines, kept by the services.
    line_count = models.PositiveIntegerField(_("work orders"), default=0)
    total_call_out = models.DecimalField(_("call-out fees"), max_digits=14, decimal_places=2, default=0)
    total_labour = models.DecimalField(_("labour"), max_digits=14, decimal_places=2, default=0)
    total_travel = models.DecimalField(_("travel"), max_digits=14, decimal_places=2, default=0)
    total_penalty = models.DecimalField(_("penalties"), max_digits=14, decimal_places=2, default=0)
    total_adjustment = models.DecimalField(_("adjustments"), max_digits=14, decimal_places=2, default=0)
    total_amount = models.DecimalField(_("amount due"), max_digits=14, decimal_places=2, default=0)

    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drafted_at = models.DateTimeField(_("drafted at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    dispute_reason = models.TextField(_("why disputed"), blank=True)
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paid by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        ordering = ["-period_start", "outlet_id", "-id"]
        constraints = [
            # One live statement per outlet and period: drafting again finds it (idempotent).
            models.UniqueConstraint(
                fields=["outlet", "period_start", "period_end"],
                condition=~Q(status="cancelled"),
                name="outlets_one_live_settlement_per_period",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="outlets_period_ordered"),
            models.UniqueConstraint(
                fields=["payment_reference"], condition=~Q(payment_reference=""), name="outlets_payment_reference_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SettlementLine(models.Model):
    """One work order on a statement, its quantities and amounts frozen:
    ``amount = call_out + labour + travel − penalty + adjustment``."""

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("settlement statement"), on_delete=models.CASCADE, related_name="lines"
    )
    work_order = models.ForeignKey(
        "fieldservice.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT, related_name="settlement_lines"
    )
    # False once the statement is cancelled: the work order may then go on another statement.
    live = models.BooleanField(_("live"), default=True)
    completed_at = models.DateTimeField(_("accepted by the customer at"))
    visits = models.PositiveSmallIntegerField(_("visits"), default=1)
    labour_hours = models.DecimalField(_("labour hours"), max_digits=7, decimal_places=2, default=0)
    travel_km = models.DecimalField(_("travel distance (km)"), max_digits=9, decimal_places=1, default=0)
    call_out_amount = models.DecimalField(_("call-out fee"), max_digits=12, decimal_places=2, default=0)
    labour_amount = models.DecimalField(_("labour"), max_digits=12, decimal_places=2, default=0)
    travel_amount = models.DecimalField(_("travel"), max_digits=12, decimal_places=2, default=0)
    repeat_of = models.CharField(
        _("repeat repair of"), max_length=32, blank=True, help_text=_("The earlier work order of the same unit, if any.")
    )
    penalty_amount = models.DecimalField(_("penalty"), max_digits=12, decimal_places=2, default=0)
    adjustment = models.DecimalField(_("adjustment"), max_digits=12, decimal_places=2, default=0)
    adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["settlement", "completed_at", "id"]
        constraints = [
            # A work order is settled once: on at most one statement that is not cancelled.
            models.UniqueConstraint(fields=["work_order"], condition=Q(live=True), name="outlets_work_order_settled_once"),
            models.UniqueConstraint(fields=["settlement", "work_order"], name="outlets_line_once_per_statement"),
            models.CheckConstraint(
                condition=Q(call_out_amount__gte=0, labour_amount__gte=0, travel_amount__gte=0, penalty_amount__gte=0),
                name="outlets_line_parts_not_negative",
            ),
            models.CheckConstraint(condition=Q(adjustment=0) | ~Q(adjustment_reason=""), name="outlets_adjustment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement_id}:{self.work_order_id}"
