"""The customer's charge collected (收费) and invoiced (开票): SPEC §1 finance, "charges"; §3 field
service, "the customer's charge".

A **receivable** (``Receivable``, 应收款) is what the customer owes for one finished, chargeable
work order (``fieldservice.WorkOrder.charge_total`` > 0), created when the work is done
(``receivers.work_order_charged``) or by the sweep that catches up a missed one. **Payments**
(``Payment``) pay it off: finance records them (confirmed at once), a technician records cash
collected on site (pending until finance confirms it). One **invoice** (``Invoice``, 发票) records
the 普通发票 or 增值税专用发票 issued for it. Statuses move only through ``states.py``; every write
goes through ``services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ZERO = Decimal("0.00")


class ReceivableStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("receivable", "Open")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", pgettext_lazy("receivable", "Paid")
    WAIVED = "waived", _("Waived")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    POS_CARD = "pos_card", _("POS card")


class PaymentStatus(models.TextChoices):
    # Cash a technician collected on site: counts once finance confirms it.
    PENDING = "pending", _("Collected on site, to confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class InvoiceKind(models.TextChoices):
    NORMAL = "normal", _("Ordinary invoice")
    SPECIAL = "special", _("Special VAT invoice")


class Receivable(models.Model):
    work_order = models.OneToOneField(
        "fieldservice.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT, related_name="receivable"
    )
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(pgettext_lazy("receivable", "amount due"), max_digits=12, decimal_places=2)
    # The sum of the confirmed payments (kept with each confirmation, in the same transaction).
    paid_amount = models.DecimalField(_("amount paid"), max_digits=12, decimal_places=2, default=ZERO)
    status = models.CharField(
        _("status"), max_length=16, choices=ReceivableStatus.choices, default=ReceivableStatus.OPEN, db_index=True
    )
    # The day the work was done: what the aging counts from.
    due_from = models.DateField(_("due from"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("waived by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waive_reason = models.TextField(_("why waived"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        ordering = ["due_from", "id"]
        indexes = [models.Index(fields=["status", "due_from"], name="billing_rcv_status_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_rcv_amount_positive"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="billing_rcv_paid_not_negative"),
            models.CheckConstraint(condition=Q(paid_amount__lte=models.F("amount")), name="billing_rcv_never_overpaid"),
        ]

    def __str__(self) -> str:
        return f"{self.work_order.number}"

    @property
    def outstanding(self) -> Decimal:
        if self.status == ReceivableStatus.WAIVED:
            return ZERO
        return self.amount - self.paid_amount


class Payment(models.Model):
    receivable = models.ForeignKey(Receivable, verbose_name=_("receivable"), on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    method = models.CharField(pgettext_lazy("receivable", "payment method"), max_length=16, choices=PaymentMethod.choices)
    paid_on = models.DateField(pgettext_lazy("receivable", "paid on"))
    reference = models.CharField(_("reference no."), max_length=64, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=PaymentStatus.choices, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reject_reason = models.TextField(_("why rejected"), blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["recorded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.amount} {self.method}"


class Invoice(models.Model):
    receivable = models.OneToOneField(Receivable, verbose_name=_("receivable"), on_delete=models.PROTECT, related_name="invoice")
    kind = models.CharField(_("invoice type"), max_length=16, choices=InvoiceKind.choices)
    number = models.CharField(_("invoice number"), max_length=32)
    issued_on = models.DateField(_("issued on"))
    # 抬头 and 纳税人识别号: a company's data (the tax id is required on a 专票).
    title = models.CharField(_("invoice title"), max_length=200)
    tax_id = models.CharField(_("taxpayer ID"), max_length=20, blank=True)
    amount = models.DecimalField(_("invoiced amount"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="billing_invoice_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_invoice_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.number
