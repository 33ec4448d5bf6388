from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarrantyBasis(models.TextChoices):
    PURCHASE = "purchase", _("From purchase date")
    PRODUCTION = "production", _("From production date")


class WarrantyPolicy(models.Model):
    """How long a product model is covered, from which date, and what is covered."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    months = models.PositiveSmallIntegerField(_("months"))
    basis = models.CharField(_("counted from"), max_length=16, choices=WarrantyBasis.choices, default=WarrantyBasis.PURCHASE)
    covers_parts = models.BooleanField(_("covers parts"), default=True)
    covers_labour = models.BooleanField(_("covers labour"), default=True)
    fallback_to_production = models.BooleanField(
        _("fall back to production date"),
        default=True,
        help_text=_("When the purchase date is unknown, count from the production date plus the grace months."),
    )
    production_grace_months = models.PositiveSmallIntegerField(
        _("grace months after production"), default=3, help_text=_("Typical time between production and sale.")
    )

    class Meta:
        verbose_name = _("warranty policy")
        verbose_name_plural = _("warranty policies")

    def __str__(self) -> str:
        return self.name


class ProductCategory(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProductModel(models.Model):
    category = models.ForeignKey(ProductCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="models")
    code = models.CharField(_("model number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    warranty_policy = models.ForeignKey(
        WarrantyPolicy, verbose_name=_("warranty policy"), null=True, blank=True, on_delete=models.PROTECT
    )
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} {self.code}"


class SalesChannel(models.TextChoices):
    ONLINE = "online", _("Online shop")
    STORE = "store", _("Retail store")
    DEALER = "dealer", _("Dealer")
    PROJECT = "project", _("Project / B2B")
    OTHER = "other", _("Other")


class UnitStatus(models.TextChoices):
    """Where a unit stands after sale (set by the returns app when a unit comes back)."""

    IN_SERVICE = "in_service", _("In service")
    RETURNED = "returned", _("Returned")
    SCRAPPED = "scrapped", _("Scrapped")
    REFURBISHED = "refurbished", _("Refurbished")


class ProductUnit(models.Model):
    """One physical product, identified by its serial number."""

    serial_number = models.CharField(_("serial number"), max_length=64, unique=True)
    model = models.ForeignKey(ProductModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="units")
    batch = models.CharField(_("batch / lot"), max_length=64, blank=True, db_index=True)
    factory = models.CharField(_("factory"), max_length=64, blank=True)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    sales_channel = models.CharField(_("sales channel"), max_length=16, choices=SalesChannel.choices, blank=True)
    store = models.CharField(_("store / dealer"), max_length=128, blank=True)
    purchase_proof = models.FileField(_("purchase proof"), upload_to="proofs/%Y/%m/", blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="units"
    )
    # Returns and exchanges (the returns app): what became of a unit that came back, and the
    # unit a replacement stands in for (its warranty counts from the exchange date, kept as its
    # purchase date).
    status = models.CharField(
        _("unit status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.IN_SERVICE, db_default="in_service"
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self", verbose_name=_("replaces unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("product unit")
        verbose_name_plural = _("product units")

    def __str__(self) -> str:
        return self.serial_number


class ShipmentVolume(models.Model):
    """Units of one model and batch shipped (sold into the market) in one month, optionally per
    region: the denominator of the fault rate per batch (quality). Imported from the company's
    sales/shipment figures (imports); the natural key is (model, batch, month, region)."""

    model = models.ForeignKey(ProductModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="shipments")
    batch = models.CharField(_("batch / lot"), max_length=64, blank=True, db_index=True)
    month = models.DateField(_("month"), help_text=_("The first day of the month the units were shipped."))
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    units = models.PositiveIntegerField(_("units shipped"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shipment volume")
        verbose_name_plural = _("shipment volumes")
        constraints = [
            models.UniqueConstraint(
                fields=["model", "batch", "month", "region"],
                condition=models.Q(region__isnull=False),
                name="catalog_shipment_key_region",
            ),
            models.UniqueConstraint(
                fields=["model", "batch", "month"], condition=models.Q(region__isnull=True), name="catalog_shipment_key_all"
            ),
        ]
        indexes = [models.Index(fields=["model", "batch"], name="catalog_shipment_model_batch")]

    def __str__(self) -> str:
        return f"{self.model} {self.batch} {self.month:%Y-%m}: {self.units}"


class BatchSource(models.TextChoices):
    """Where a production batch's facts came from. The register (an import or the admin) wins: the
    facts inferred from the serial units fill only a batch the register does not hold, and never
    overwrite a registered one."""

    REGISTER = "register", _("Production register")
    UNITS = "units", _("Inferred from the serial units")


class ProductionBatch(models.Model):
    """One production batch of a model: where and when it was made, and which suppliers made its key
    components (``BatchComponent``). The quality pages' fault rate per factory, supplier and
    production month count the units shipped (``ShipmentVolume``) of the batches it places; the
    natural key is (model, batch)."""

    model = models.ForeignKey(ProductModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="production_batches")
    batch = models.CharField(_("batch / lot"), max_length=64)
    factory = models.CharField(_("factory"), max_length=64, blank=True)
    production_month = models.DateField(
        _("production month"), null=True, blank=True, help_text=_("The first day of the month the batch was made.")
    )
    source = models.CharField(_("source"), max_length=16, choices=BatchSource.choices, default=BatchSource.REGISTER)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("production batch")
        verbose_name_plural = _("production batches")
        constraints = [models.UniqueConstraint(fields=["model", "batch"], name="catalog_production_batch_key")]
        indexes = [models.Index(fields=["factory"], name="catalog_pbatch_factory")]

    def __str__(self) -> str:
        return f"{self.model.code if self.model_id else ''} {self.batch}".strip()


class BatchComponent(models.Model):
    """A key component of a production batch and its supplier. The component is named as the fault
    records name the component at fault (the appraisal's part "number name" or its text, or the part
    used): a fault counts for the supplier when its component is this one (``component_matches``)."""

    production_batch = models.ForeignKey(
        ProductionBatch, verbose_name=_("production batch"), on_delete=models.CASCADE, related_name="components"
    )
    component = models.CharField(_("component"), max_length=128)
    supplier = models.CharField(_("supplier"), max_length=128)

    class Meta:
        verbose_name = _("batch component")
        verbose_name_plural = _("batch components")
        constraints = [models.UniqueConstraint(fields=["production_batch", "component"], name="catalog_batch_component_key")]
        indexes = [models.Index(fields=["supplier"], name="catalog_bcomp_supplier")]

    def __str__(self) -> str:
        return f"{self.component}: {self.supplier}"


def component_matches(fault_component: str, component: str) -> bool:
    """Whether a fault's component (``quality.FaultRecord.component``: "number name" of a part, or
    a text) is the register's ``component`` (a part number, a part name or the whole label): equal,
    or the label's number or name, ignoring case and surrounding spaces."""
    fault = (fault_component or "").strip().casefold()
    wanted = (component or "").strip().casefold()
    if not fault or not wanted:
        return False
    return fault == wanted or fault.startswith(wanted + " ") or fault.endswith(" " + wanted)
