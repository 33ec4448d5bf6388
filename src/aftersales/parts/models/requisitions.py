"""Requisitions (领料单): parts for a work order, and the rules that say who approves them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .inventory import Part, Warehouse, WarehouseKind


class ApproverRole(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    WAREHOUSE = "warehouse", pgettext_lazy("role", "Warehouse")


class RequisitionApprovalRule(models.Model):
    """When a requisition needs a decision before stock is promised. A rule matches when every
    condition it sets holds (value at or above the threshold, from that kind of warehouse)."""

    name = models.CharField(_("name"), max_length=64)
    min_total = models.DecimalField(
        _("from total value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Total cost at or above which approval is needed."),
    )
    warehouse_kind = models.CharField(_("warehouse kind"), max_length=16, choices=WarehouseKind.choices, blank=True)
    approver_role = models.CharField(_("approver role"), max_length=16, choices=ApproverRole.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("requisition approval rule")
        verbose_name_plural = _("requisition approval rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RequisitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


class Requisition(models.Model):
    """领料单: parts for a work order, from a warehouse into the technician's van."""

    work_order = models.ForeignKey(
        "fieldservice.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT, related_name="requisitions"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("from warehouse"), on_delete=models.PROTECT, related_name="+")
    van = models.ForeignKey(Warehouse, verbose_name=_("to van"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=RequisitionStatus.choices, default=RequisitionStatus.DRAFT)
    urgent = models.BooleanField(_("urgent"), default=False, help_text=_("The work order's ticket is urgent."))
    total_cost = models.DecimalField(_("total cost"), max_digits=12, decimal_places=2, default=0)
    approver_role = models.CharField(_("approver role"), max_length=16, choices=ApproverRole.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="requisition_status_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"LL{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        """Not yet issued, rejected or cancelled: it can still be cancelled."""
        return self.status in (RequisitionStatus.DRAFT, RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED)


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(Requisition, verbose_name=_("requisition"), on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "part"], name="requisition_line_one_per_part"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="requisition_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.part.number} × {self.quantity}"
