"""Field service (上门服务): work orders (派工单) from a ticket's plan measures, technicians,
dispatch, on-site execution, completion acceptance (完工验收单), cost and charge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import rendered
from aftersales.core.uploads import upload_path


class WorkOrderKind(models.TextChoices):
    # Same values as tickets.MeasureKind for the measures that send someone out (or in).
    ONSITE_REPAIR = "onsite_repair", _("On-site repair")
    INSTALLATION = "installation", _("Installation")
    INSPECTION = "inspection", _("Inspection")
    DEPOT_REPAIR = "depot_repair", _("Depot repair")
    REMOTE_SUPPORT = "remote_support", _("Remote session")


class WorkOrderStatus(models.TextChoices):
    TO_DISPATCH = "to_dispatch", _("To dispatch")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted by the technician")
    ON_THE_WAY = "on_the_way", _("On the way")
    ON_SITE = "on_site", _("On site")
    DONE = "done", _("Work done")
    CUSTOMER_ACCEPTED = "customer_accepted", _("Accepted by the customer")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")
    # The customer said no to the quote: no work until staff cancel the job or the customer
    # confirms a new quote (``states.TRANSITIONS``).
    QUOTE_DECLINED = "quote_declined", _("Quote declined")


class QuoteAnswerVia(models.TextChoices):
    """Where the customer answered a quote."""

    ON_SITE = "on_site", _("on site, recorded by the technician")
    PORTAL = "portal", _("through the quote's link")
    APP = "app", _("in the app")


class Skill(models.Model):
    """A technician skill (e.g. 制冷维修, 电气安装), required by work orders."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TechnicianProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="technician_profile"
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="technicians")
    regions = models.ManyToManyField("accounts.Region", verbose_name=_("regions"), blank=True, related_name="+")
    daily_capacity = models.PositiveSmallIntegerField(_("jobs per day"), default=4)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("technician profile")
        verbose_name_plural = _("technician profiles")
        constraints = [models.CheckConstraint(condition=models.Q(daily_capacity__gte=1), name="fs_tech_capacity_positive")]

    def __str__(self) -> str:
        return str(self.user)


class WorkOrder(models.Model):
    """A work order (派工单): one visit or job for one measure of a ticket's agreed plan."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="work_orders")
    measure = models.ForeignKey(
        "tickets.PlanMeasure",
        verbose_name=_("measure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=WorkOrderKind.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=WorkOrderStatus.choices, default=WorkOrderStatus.TO_DISPATCH, db_index=True
    )
    description = models.TextField(_("job description"), blank=True)
    required_skills = models.ManyToManyField(Skill, verbose_name=_("required skills"), blank=True, related_name="+")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    # Frozen at dispatch: the outlet whose team the dispatched technician belonged to then (null:
    # not an outlet's job). Moving the technician to another team later leaves settled work alone.
    outlet = models.ForeignKey(
        "accounts.ServiceOutlet",
        verbose_name=_("service outlet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("service region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=128, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    site_requirements = models.TextField(_("site-entry requirements"), blank=True)
    appointment_start = models.DateTimeField(_("appointment from"), null=True, blank=True)
    appointment_end = models.DateTimeField(_("appointment until"), null=True, blank=True)

    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_lat = models.DecimalField(_("check-in latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_lng = models.DecimalField(_("check-in longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_out_lat = models.DecimalField(_("check-out latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_lng = models.DecimalField(_("check-out longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    labour_hours = models.DecimalField(_("labour hours"), max_digits=5, decimal_places=2, default=0)
    travel_km = models.DecimalField(_("travel distance (km)"), max_digits=7, decimal_places=1, default=0)
    status_reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rescheduled, cancelled or failed."))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    customer_accepted_at = models.DateTimeField(_("accepted by the customer at"), null=True, blank=True)

    # Charge: decided from the unit's warranty; a chargeable job needs the customer's confirmation.
    chargeable = models.BooleanField(_("chargeable"), default=False)
    quote_lines = models.JSONField(_("quote"), default=list, blank=True)
    quote_total = models.DecimalField(_("quoted amount"), max_digits=12, decimal_places=2, default=0)
    quote_sent_at = models.DateTimeField(_("quote sent at"), null=True, blank=True)
    quote_confirmed_at = models.DateTimeField(_("quote confirmed at"), null=True, blank=True)
    quote_confirmed_via = models.CharField(_("quote confirmed via"), max_length=16, blank=True)
    # The customer's "no" to the quote sent (emptied by a new quote; the timeline keeps each one).
    quote_declined_at = models.DateTimeField(_("quote declined at"), null=True, blank=True)
    quote_declined_via = models.CharField(_("quote declined via"), max_length=16, choices=QuoteAnswerVia.choices, blank=True)
    quote_declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quote declined by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The technician who recorded it on site, or the customer's account in the app; empty for the link."),
    )
    quote_decline_reason = models.TextField(_("why the quote was declined"), blank=True)
    cost_parts = models.DecimalField(_("parts cost"), max_digits=12, decimal_places=2, default=0)
    cost_labour = models.DecimalField(_("labour cost"), max_digits=12, decimal_places=2, default=0)
    cost_travel = models.DecimalField(_("travel cost"), max_digits=12, decimal_places=2, default=0)
    cost_total = models.DecimalField(_("total cost"), max_digits=12, decimal_places=2, default=0)
    charge_total = models.DecimalField(_("customer charge"), max_digits=12, decimal_places=2, default=0)
    costed_at = models.DateTimeField(_("costed at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; guards concurrent edits.")
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        permissions = [("dispatch_workorder", _("Can dispatch work orders"))]
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["technician", "status", "appointment_start"], name="fs_wo_tech_status_idx"),
            models.Index(fields=["region", "status", "appointment_start"], name="fs_wo_region_status_idx"),
            models.Index(fields=["ticket", "status"], name="fs_wo_ticket_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(appointment_end__isnull=True)
                | models.Q(appointment_start__isnull=True)
                | models.Q(appointment_end__gt=models.F("appointment_start")),
                name="fs_wo_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(status="to_dispatch") | models.Q(status="cancelled") | models.Q(technician__isnull=False),
                name="fs_wo_technician_when_dispatched",
            ),
            models.CheckConstraint(condition=models.Q(labour_hours__gte=0), name="fs_wo_labour_not_negative"),
            models.CheckConstraint(condition=models.Q(travel_km__gte=0), name="fs_wo_travel_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


def work_order_file_upload_to(instance: models.Model, filename: str) -> str:
    """A generated name: nothing of the uploader's file name reaches the file system."""
    return upload_path(f"fieldservice/{instance.work_order_id}", instance, filename)  # type: ignore[attr-defined]


class WorkOrderFileKind(models.TextChoices):
    PERMIT = "permit", _("Site-entry permit")
    BEFORE = "before", _("Photo before")
    AFTER = "after", _("Photo after")


class WorkOrderFile(models.Model):
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=16, choices=WorkOrderFileKind.choices)
    file = models.FileField(_("file"), upload_to=work_order_file_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("work order file")
        verbose_name_plural = _("work order files")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class AcceptanceMethod(models.TextChoices):
    SIGNATURE = "signature", _("Signature on screen")
    CODE = "code", _("One-time code")


class CompletionAcceptance(models.Model):
    """The completion acceptance form (完工验收单): the customer's acceptance of the finished job."""

    work_order = models.OneToOneField(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="acceptance"
    )
    method = models.CharField(_("method"), max_length=16, choices=AcceptanceMethod.choices)
    signer_name = models.CharField(_("signed by"), max_length=128, blank=True)
    signature = models.FileField(_("signature"), upload_to=work_order_file_upload_to, max_length=200, blank=True)
    signature_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    comment = models.TextField(_("customer's comment"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.JSONField(_("form contents"), default=dict, blank=True)

    class Meta:
        verbose_name = _("completion acceptance form")
        verbose_name_plural = _("completion acceptance forms")

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.method}"


class AcceptanceCode(models.Model):
    """A one-time acceptance code sent to the customer; only its hash is stored."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="acceptance_codes"
    )
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("acceptance code")
        verbose_name_plural = _("acceptance codes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.created_at:%Y-%m-%d %H:%M}"


class ChargePolicy(models.Model):
    """Labour and travel rates (configurable in the admin). The active row with the latest
    ``valid_from`` applies."""

    name = models.CharField(_("name"), max_length=64)
    labour_cost_per_hour = models.DecimalField(_("labour cost per hour"), max_digits=12, decimal_places=2, default=0)
    labour_price_per_hour = models.DecimalField(
        _("labour price per hour (out of warranty)"), max_digits=12, decimal_places=2, default=0
    )
    charge_labour_out_of_warranty = models.BooleanField(_("charge labour out of warranty"), default=True)
    charge_travel_out_of_warranty = models.BooleanField(_("charge travel out of warranty"), default=True)
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("charge policy")
        verbose_name_plural = _("charge policies")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(labour_cost_per_hour__gte=0, labour_price_per_hour__gte=0), name="fs_policy_rates_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TravelMode(models.TextChoices):
    FLAT = "flat", _("Flat amount per visit")
    PER_KM = "per_km", _("Per kilometre")


class TravelRate(models.Model):
    """Travel cost and price per region (a row without region is the default)."""

    region = models.OneToOneField(
        "accounts.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=16, choices=TravelMode.choices, default=TravelMode.FLAT)
    cost = models.DecimalField(_("cost (flat or per km)"), max_digits=12, decimal_places=2, default=0)
    price = models.DecimalField(_("price to the customer (flat or per km)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("travel rate")
        verbose_name_plural = _("travel rates")
        constraints = [
            models.UniqueConstraint(fields=["mode"], condition=models.Q(region__isnull=True), name="fs_travel_one_default"),
            models.CheckConstraint(condition=models.Q(cost__gte=0, price__gte=0), name="fs_travel_rates_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region or '—'} {self.mode}"


class ChargeLineKind(models.TextChoices):
    PART = "part", _("Part")
    LABOUR = "labour", _("Labour")
    TRAVEL = "travel", _("Travel")


class WorkOrderChargeLine(models.Model):
    """One line of the completed job's cost and customer charge, with why it is free or charged."""

    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="charge_lines")
    kind = models.CharField(_("kind"), max_length=16, choices=ChargeLineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    part_ref = models.PositiveBigIntegerField(_("part id"), null=True, blank=True)
    serial = models.CharField(_("serial number"), max_length=64, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)
    cost_amount = models.DecimalField(_("cost"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    charge_amount = models.DecimalField(_("charge"), max_digits=12, decimal_places=2)
    free = models.BooleanField(_("free of charge"))
    reason = models.CharField(_("why"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # ``description`` and ``reason`` as deferred texts (``core.i18n``): {"description": …, "reason": …}.
    # The plain columns keep them as the person who triggered the costing read them; lines costed
    # before the texts have only those.
    texts = models.JSONField(_("texts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("charge line")
        verbose_name_plural = _("charge lines")
        ordering = ["work_order", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cost_amount__gte=0, charge_amount__gte=0), name="fs_line_not_negative"),
            models.CheckConstraint(condition=models.Q(free=False) | models.Q(charge_amount=0), name="fs_line_free_means_zero"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def shown_description(self) -> str:
        return charge_text(self, "description")

    @property
    def shown_reason(self) -> str:
        return charge_text(self, "reason")


def charge_text(line: WorkOrderChargeLine | Mapping[str, Any], name: str) -> str:
    """A charge line's ``description`` or ``reason`` in the reader's language: from its deferred
    text where it has one, else its plain text. ``line`` is a ``WorkOrderChargeLine`` or one of the
    dictionaries a work order keeps (``quote_lines``, the acceptance form's ``summary["lines"]``)."""
    if isinstance(line, Mapping):
        texts, plain = line.get("texts"), line.get(name, "")
    else:
        texts, plain = line.texts, getattr(line, name, "")
    text = texts.get(name) if isinstance(texts, dict) else None
    return rendered(text, str(plain or ""))


def acceptance_kind(summary: Mapping[str, Any]) -> str:
    """The service of a frozen acceptance form (``summary``) in the reader's language."""
    try:
        return str(WorkOrderKind(summary.get("kind_code", "")).label)
    except ValueError:
        return str(summary.get("kind", ""))  # a form frozen before the code was kept


class ExpenseKind(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    TOLL_PARKING = "toll_parking", _("Tolls and parking")
    LODGING = "lodging", _("Lodging")
    MEALS = "meals", _("Meals")
    OTHER = "other", _("Other")


class ExpenseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def expense_upload_to(instance: ExpenseClaim, filename: str) -> str:
    return upload_path(f"fieldservice/{instance.work_order_id}/expenses", instance, filename)


class ExpenseClaim(models.Model):
    """A technician's travel expense claim against a work order."""

    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="expenses")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExpenseKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    receipt = models.FileField(_("receipt"), upload_to=expense_upload_to, max_length=200, blank=True)
    receipt_content_type = models.CharField(max_length=100, blank=True)
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ExpenseStatus.choices, default=ExpenseStatus.SUBMITTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="fs_expense_amount_positive")]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind} {self.amount}"


class WorkOrderNumberSequence(models.Model):
    """Last work order number handed out per local day."""

    day = models.DateField(unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("work order number sequence")
        verbose_name_plural = _("work order number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"
