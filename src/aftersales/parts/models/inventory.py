"""The catalogue, warehouses, stock levels and the append-only movement ledger."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import Deferred, deferred, rendered


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
        return self.display_name

    @property
    def is_van(self) -> bool:
        return self.kind == WarehouseKind.VAN

    @property
    def display_name(self) -> str:
        """The name to show, in the reader's language: a van stores its technician's name only
        and is "刘强的车载库" / "Van of 刘强"; any other warehouse is its name."""
        return rendered(self.name_text)

    @property
    def name_text(self) -> Deferred:
        """The name as deferred text, for records that name the warehouse (timeline entries)."""
        if self.is_van:
            return deferred(_("Van of %(name)s"), name=self.name)
        return deferred("%(name)s", name=self.name)


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
