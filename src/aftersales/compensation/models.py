"""Refunds and compensation (SPEC §3 "Returns, exchanges, refunds, compensation"; §2 steps 6–8).

A refund or a compensation carries out one REFUND or COMPENSATION measure of a ticket's agreed
plan. Its status moves only through ``states.py``; every write goes through ``services.py``.
What was paid for the unit is ``remedies.Purchase`` (one record, read by the remedy decision too).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FulfilmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    PAID = "paid", _("Paid / issued")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class RefundMethod(models.TextChoices):
    ORIGINAL = "original", _("Original payment method")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")


class CompensationKind(models.TextChoices):
    CASH = "cash", _("Cash")
    COUPON = "coupon", _("Coupon")
    POINTS = "points", _("Points")
    GIFT = "gift", _("Gift")
    FREE_SERVICE = "free_service", _("Free service")


class Fulfilment(models.Model):
    """What a refund and a compensation share: the ticket and measure, the amount, approval,
    payment or issue, status and version."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey("tickets.PlanMeasure", verbose_name=_("measure"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=24, choices=FulfilmentStatus.choices, default=FulfilmentStatus.REQUESTED, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"), blank=True)
    approver_role = models.CharField(_("approver role"), max_length=32, blank=True)
    approval_rules = models.CharField(_("approval rules"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fulfilled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fulfilled_at = models.DateTimeField(_("paid / issued at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number


class Refund(Fulfilment):
    # What was paid for the unit: the one record of the price paid, kept by the remedies app.
    purchase = models.ForeignKey(
        "remedies.Purchase", verbose_name=_("purchase"), on_delete=models.PROTECT, related_name="refunds"
    )
    price = models.DecimalField(_("price paid"), max_digits=12, decimal_places=2)
    purchased_on = models.DateField(_("purchase date"))
    returned_on = models.DateField(_("return date"))
    days_used = models.PositiveIntegerField(_("days of use"))
    daily_rate = models.DecimalField(_("daily depreciation rate"), max_digits=7, decimal_places=6)
    depreciation = models.DecimalField(_("depreciation"), max_digits=12, decimal_places=2)
    fees = models.DecimalField(_("fees"), max_digits=12, decimal_places=2, default=0)
    method = models.CharField(_("refund method"), max_length=16, choices=RefundMethod.choices)
    bank_name = models.CharField(_("bank"), max_length=64, blank=True)
    account_name = models.CharField(_("account holder"), max_length=64, blank=True)
    account_number = models.CharField(_("account number"), max_length=40, blank=True)
    rma_number = models.CharField(_("return (RMA) number"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="compensation_refund_amount_positive"),
            models.CheckConstraint(condition=Q(fees__gte=0), name="compensation_refund_fees_not_negative"),
            models.UniqueConstraint(
                fields=["payment_reference"], condition=~Q(payment_reference=""), name="compensation_refund_reference_unique"
            ),
        ]


class Compensation(Fulfilment):
    kind = models.CharField(_("kind"), max_length=16, choices=CompensationKind.choices)
    points = models.PositiveIntegerField(_("points"), default=0)
    code = models.CharField(_("coupon / voucher code"), max_length=24, null=True, blank=True, unique=True)
    gift_part = models.ForeignKey(
        "parts.Part", verbose_name=_("gift"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gift_quantity = models.PositiveIntegerField(_("quantity"), default=0)
    warehouse = models.ForeignKey(
        "parts.Warehouse", verbose_name=_("warehouse"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stock_movement = models.ForeignKey(
        "parts.StockMovement", verbose_name=_("stock movement"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="compensation_amount_not_negative"),
            models.UniqueConstraint(
                fields=["payment_reference"], condition=~Q(payment_reference=""), name="compensation_reference_unique"
            ),
        ]


class PointsCredit(models.Model):
    """Points credited to a customer's account by a compensation (once per compensation)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="points_credits"
    )
    compensation = models.OneToOneField(
        Compensation, verbose_name=_("compensation"), on_delete=models.PROTECT, related_name="points_credit"
    )
    points = models.PositiveIntegerField(_("points"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("credited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("credited at"))

    class Meta:
        verbose_name = _("points credit")
        verbose_name_plural = _("points credits")

    def __str__(self) -> str:
        return f"{self.customer_id} +{self.points}"
