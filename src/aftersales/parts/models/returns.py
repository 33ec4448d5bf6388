"""Parts used on a work order, returns (退料单) of unused parts and faulty parts for appraisal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .inventory import Part, Warehouse


class PartUsage(models.Model):
    """A part fitted on a work order, taken from the technician's van. Prices and the part's
    warranty are copied at the time, so later price-list changes do not alter a finished job."""

    work_order = models.ForeignKey(
        "fieldservice.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT, related_name="parts_used"
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="usages")
    quantity = models.PositiveIntegerField(_("quantity"))
    van = models.ForeignKey(Warehouse, verbose_name=_("from van"), on_delete=models.PROTECT, related_name="+")
    product_unit = models.ForeignKey(
        "catalog.ProductUnit",
        verbose_name=_("product unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts_installed",
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    warranty_months = models.PositiveSmallIntegerField(_("part warranty (months)"))
    serial = models.CharField(_("serial of the new part"), max_length=64, blank=True)
    removed_serial = models.CharField(_("serial of the removed part"), max_length=64, blank=True)
    installed_on = models.DateField(_("installed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="part_usage_quantity_positive")]
        indexes = [models.Index(fields=["product_unit", "part", "installed_on"], name="part_usage_unit_idx")]

    def __str__(self) -> str:
        return f"{self.part.number} × {self.quantity}"


class PartReturnStatus(models.TextChoices):
    SENT = "sent", _("On the way back")
    RECEIVED = "received", _("Received")


class PartReturn(models.Model):
    """退料单: unused parts going back from a van to a warehouse, and faulty parts taken out."""

    work_order = models.ForeignKey(
        "fieldservice.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="part_returns",
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="+"
    )
    van = models.ForeignKey(Warehouse, verbose_name=_("from van"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("to warehouse"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=PartReturnStatus.choices, default=PartReturnStatus.SENT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("parts return")
        verbose_name_plural = _("parts returns")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"TL{self.pk:06d}"


class PartReturnLine(models.Model):
    part_return = models.ForeignKey(PartReturn, verbose_name=_("return"), on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("returned unused part")
        verbose_name_plural = _("returned unused parts")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.part.number} × {self.quantity}"


class FaultyStatus(models.TextChoices):
    SENT = "sent", _("On the way back")
    RECEIVED = "received", _("Awaiting appraisal")
    APPRAISED = "appraised", _("Appraised")


class AppraisalResult(models.TextChoices):
    SUPPLIER_DEFECT = "supplier_defect", _("Supplier defect (claim)")
    WEAR = "wear", _("Normal wear")
    MISUSE = "misuse", _("Misuse or damage")
    NO_FAULT = "no_fault", _("No fault found")


class FaultyPartReturn(models.Model):
    """A faulty part taken out of a customer's unit, sent back for appraisal. Never sellable
    stock: it has no stock row and no ledger movement."""

    part_return = models.ForeignKey(PartReturn, verbose_name=_("return"), on_delete=models.CASCADE, related_name="faulty")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(_("serial number"), max_length=64, blank=True)
    condition = models.TextField(_("condition"), blank=True)
    product_unit = models.ForeignKey(
        "catalog.ProductUnit", verbose_name=_("product unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=FaultyStatus.choices, default=FaultyStatus.SENT)
    appraisal_result = models.CharField(_("appraisal result"), max_length=16, choices=AppraisalResult.choices, blank=True)
    appraisal_note = models.TextField(_("appraisal note"), blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appraised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appraised_at = models.DateTimeField(_("appraised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("faulty part")
        verbose_name_plural = _("faulty parts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.part.number} {self.serial}".strip()
