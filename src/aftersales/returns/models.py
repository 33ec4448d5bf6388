"""Returns and exchanges (RMA, 退换货): the authorisation of one return or exchange measure of
an agreed plan, the goods' way back, their receipt and inspection at a warehouse and, for an
exchange, the replacement shipped from stock through the parts ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RmaKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")


class RmaStatus(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised")
    AWAITING_PICKUP = "awaiting_pickup", _("Awaiting pickup or drop-off")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed")
    REPLACEMENT_SHIPPED = "replacement_shipped", _("Replacement shipped")
    DELIVERED = "delivered", _("Replacement delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class HandoverMethod(models.TextChoices):
    CARRIER = "carrier", _("Pickup by carrier")
    DROP_OFF = "drop_off", _("Drop-off at a service outlet")


class UnitCondition(models.TextChoices):
    LIKE_NEW = "like_new", _("Like new")
    USED = "used", _("Signs of use")
    DAMAGED = "damaged", _("Damaged")


class Disposition(models.TextChoices):
    """What becomes of the unit that came back (its status in the catalogue)."""

    RETURNED = "returned", _("Returned to stock of returns")
    REFURBISHED = "refurbished", _("To be refurbished")
    SCRAPPED = "scrapped", _("Scrapped")


class ReplacementProduct(models.Model):
    """A whole product kept in stock for exchanges: the product model and the stock item
    (``parts.Part``) under which the warehouses count it in the parts ledger."""

    product_model = models.OneToOneField(
        "catalog.ProductModel", verbose_name=_("product model"), on_delete=models.PROTECT, related_name="replacement_item"
    )
    part = models.OneToOneField(
        "parts.Part", verbose_name=_("stock item"), on_delete=models.PROTECT, related_name="replacement_for"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("replacement product")
        verbose_name_plural = _("replacement products")
        ordering = ["product_model"]

    def __str__(self) -> str:
        return f"{self.product_model} → {self.part.number}"


class RmaNumberSequence(models.Model):
    day = models.DateField(_("day"), unique=True)
    last_value = models.PositiveIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("RMA number sequence")
        verbose_name_plural = _("RMA number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"


OPEN_STATUSES = frozenset(
    {
        RmaStatus.AUTHORISED,
        RmaStatus.AWAITING_PICKUP,
        RmaStatus.IN_TRANSIT,
        RmaStatus.RECEIVED,
        RmaStatus.INSPECTED,
        RmaStatus.INSPECTION_FAILED,
        RmaStatus.REPLACEMENT_SHIPPED,
        RmaStatus.DELIVERED,
    }
)


class ReturnAuthorization(models.Model):
    """One return or exchange (退换货授权, RMA) of a measure of the ticket's agreed plan."""

    number = models.CharField(_("RMA number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RmaKind.choices)
    status = models.CharField(_("status"), max_length=24, choices=RmaStatus.choices, default=RmaStatus.AUTHORISED)
    version = models.PositiveIntegerField(_("version"), default=1)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="rmas")
    measure = models.ForeignKey("tickets.PlanMeasure", verbose_name=_("measure"), on_delete=models.PROTECT, related_name="rmas")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("catalog.ProductUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="rmas")
    warehouse = models.ForeignKey(
        "parts.Warehouse", verbose_name=_("receiving warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    # Exchange: the stock item reserved at authorisation in ``warehouse``.
    replacement_part = models.ForeignKey(
        "parts.Part", verbose_name=_("replacement stock item"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reserved = models.BooleanField(_("replacement reserved"), default=False)
    # The goods' way back.
    handover_method = models.CharField(_("handover"), max_length=16, choices=HandoverMethod.choices, blank=True)
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    outlet = models.CharField(_("service outlet"), max_length=128, blank=True)
    # Receipt and inspection.
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspected_serial = models.CharField(_("serial number found"), max_length=64, blank=True)
    serial_matches = models.BooleanField(_("serial matches"), null=True, blank=True)
    accessories_complete = models.BooleanField(_("accessories complete"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=16, choices=UnitCondition.choices, blank=True)
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices, blank=True)
    inspection_notes = models.TextField(_("inspection notes"), blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    failure_reason = models.TextField(_("why the inspection failed"), blank=True)
    # Exchange: the replacement.
    replacement_unit = models.ForeignKey(
        "catalog.ProductUnit",
        verbose_name=_("replacement unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    shipping_carrier = models.CharField(_("replacement carrier"), max_length=64, blank=True)
    shipping_tracking = models.CharField(_("replacement tracking number"), max_length=64, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("authorised by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("return authorisation")
        verbose_name_plural = _("return authorisations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live RMA per measure: a retried authorisation finds the first one.
            models.UniqueConstraint(
                fields=["measure"], condition=~Q(status="cancelled"), name="returns_one_open_rma_per_measure"
            ),
            models.CheckConstraint(
                condition=Q(kind="return") | Q(replacement_part__isnull=False), name="returns_exchange_has_replacement"
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "status"], name="returns_wh_status_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_exchange(self) -> bool:
        return self.kind == RmaKind.EXCHANGE

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RmaPhoto(models.Model):
    """A photo taken at inspection (the type read from the bytes)."""

    rma = models.ForeignKey(ReturnAuthorization, verbose_name=_("RMA"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to="returns/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
