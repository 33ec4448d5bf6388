"""Spare parts and stock (备件库存): catalogue, warehouses, stock, the movement ledger and the
documents that move stock — requisitions (领料单), returns (退料单), transfers — and the parts used
on a work order.

Stock rows change only through ``parts.services`` (which writes a ``StockMovement`` in the same
transaction under ordered row locks); the database refuses negative or over-reserved stock.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Part(models.Model):
    """One spare part of the catalogue (备件): what it costs us and what an out-of-warranty
    customer pays for it (the price list), and how long the part itself is warranted."""

    number = models.CharField(_("part number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=128)
    compatible_models = models.ManyToManyField(
        "catalog.ProductModel", verbose_name=_("compatible product models"), blank=True, related_name="spare_parts"
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2, help_text=_("Out-of-warranty price list (CNY).")
    )
    warranty_months = models.PositiveSmallIntegerField(
        _("part warranty (months)"), default=3, help_text=_("How long a replaced part stays free after installation.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="part_cost_not_negative"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="part_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class WarehouseKind(models.TextChoices):
    CENTRAL = "central", _("Central warehouse")
    REGIONAL = "regional", _("Regional warehouse")
    VAN = "van", _("Technician's van")


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=WarehouseKind.choices)
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for a van: whose van it is."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["kind", "code"]
        constraints = [
            # A van belongs to exactly one technician; other warehouses to nobody.
            models.CheckConstraint(
                condition=(Q(kind=WarehouseKind.VAN) & Q(technician__isnull=False))
                | (~Q(kind=WarehouseKind.VAN) & Q(technician__isnull=True)),
                name="warehouse_van_has_technician",
            ),
            models.UniqueConstraint(fields=["technician"], condition=Q(kind=WarehouseKind.VAN), name="warehouse_one_van_each"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_van(self) -> bool:
        return self.kind == WarehouseKind.VAN


class Stock(models.Model):
    """What one warehouse holds of one part. ``reserved`` is promised to approved requisitions;
    ``emergency_reserve`` is kept for urgent work only."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="stocks")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="stocks")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    min_level = models.PositiveIntegerField(_("minimum level"), default=0, help_text=_("Alert when available stock drops below."))
    emergency_reserve = models.PositiveIntegerField(
        _("emergency reserve"), default=0, help_text=_("Quantity only urgent work orders may draw.")
    )
    low_alerted = models.BooleanField(_("low-stock alert sent"), default=False, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["warehouse", "part"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "part"], name="stock_one_row_per_warehouse_part"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.part.number}: {self.on_hand}"

    @property
    def available(self) -> int:
        """On hand and not promised to anybody (urgent work may draw all of it)."""
        return self.on_hand - self.reserved

    @property
    def available_normal(self) -> int:
        """What non-urgent work may draw: the emergency reserve stays untouched."""
        return max(self.on_hand - self.reserved - self.emergency_reserve, 0)

    @property
    def is_low(self) -> bool:
        return self.available < self.min_level

    @property
    def shortfall(self) -> int:
        return max(self.min_level - self.available, 0)


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    CONSUMPTION = "consumption", _("Consumption")
    RETURN_UNUSED = "return_unused", _("Return of unused parts")
    ADJUSTMENT = "adjustment", _("Adjustment")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The stock ledger is append-only: movements are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The stock ledger is append-only: movements are never deleted.")


class StockMovement(models.Model):
    """One line of the append-only stock ledger. For every stock row, ``on_hand`` equals the sum
    of its movements' quantities; a correction is a new ``adjustment`` movement."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements")
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive into the warehouse, negative out of it."))
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    balance_after = models.IntegerField(_("on hand after"))
    reference = models.CharField(_("document"), max_length=40, blank=True, db_index=True)
    work_order = models.ForeignKey(
        "fieldservice.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_movements",
    )
    product_unit = models.ForeignKey(
        "catalog.ProductUnit", verbose_name=_("product unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    serial = models.CharField(_("serial number"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero")]
        indexes = [models.Index(fields=["warehouse", "part", "created_at"], name="movement_ledger_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.part.number} @ {self.warehouse}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The stock ledger is append-only: movements are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The stock ledger is append-only: movements are never deleted.")


class ApproverRole(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    WAREHOUSE = "warehouse", _("Warehouse")


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


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")


class Transfer(models.Model):
    """调拨单: stock moved between two warehouses (out at once; in on receipt)."""

    from_warehouse = models.ForeignKey(Warehouse, verbose_name=_("from warehouse"), on_delete=models.PROTECT, related_name="+")
    to_warehouse = models.ForeignKey(Warehouse, verbose_name=_("to warehouse"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.IN_TRANSIT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_warehouse=F("to_warehouse")), name="transfer_between_two_warehouses")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"DB{self.pk:06d}"


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.part.number} × {self.quantity}"
