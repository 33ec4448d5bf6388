"""Quality and improvement: the fault rollups the statistics read, and improvement actions (CAPA/PDCA).

``FaultRecord`` is one row per fault ticket, denormalised from the ticket, its product unit, its
standing appraisal conclusion and its work orders' parts (model, batch, factory, production month,
months in service, cause, component, supplier). ``FaultCount`` sums them per week and every
dimension the pages filter or group on; every page and API read of figures comes from it, never
from the tickets. Both are maintained by the periodic job ``quality.tasks.refresh_fault_rollup``
(``rollup.py``): idempotent, incremental by the tickets' ``updated_at``.

A unit's first fault ticket carries ``first_of_unit``: summing it counts distinct faulty units, so
"faulty units ÷ units shipped" adds up over weeks, regions and causes without a DISTINCT.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

UNKNOWN_MONTHS = -1  # months in service when neither the purchase nor the production date is known


class FaultRecord(models.Model):
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+")
    unit = models.ForeignKey("catalog.ProductUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    model = models.ForeignKey("catalog.ProductModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_category = models.ForeignKey(
        "catalog.ProductCategory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey("accounts.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    batch = models.CharField(max_length=64, blank=True)
    factory = models.CharField(max_length=64, blank=True)
    production_month = models.DateField(null=True, blank=True)
    opened_on = models.DateField()
    week = models.DateField(help_text="Monday of the week the ticket was opened.")
    months_in_service = models.SmallIntegerField(default=UNKNOWN_MONTHS)
    cause = models.CharField(max_length=16, blank=True)
    component = models.CharField(max_length=128, blank=True)
    supplier = models.CharField(max_length=128, blank=True)
    first_of_unit = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["model", "batch", "opened_on"], name="quality_fr_model_batch"),
            models.Index(fields=["unit", "opened_on"], name="quality_fr_unit"),
            models.Index(fields=["week"], name="quality_fr_week"),
        ]

    def __str__(self) -> str:
        return f"fault {self.ticket_id} {self.batch}"


class FaultCount(models.Model):
    """Fault tickets and first faults of units per week and dimension (the read model)."""

    week = models.DateField()
    model = models.ForeignKey("catalog.ProductModel", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    product_category = models.ForeignKey(
        "catalog.ProductCategory", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey("accounts.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    batch = models.CharField(max_length=64, blank=True)
    factory = models.CharField(max_length=64, blank=True)
    production_month = models.DateField(null=True, blank=True)
    months_in_service = models.SmallIntegerField(default=UNKNOWN_MONTHS)
    cause = models.CharField(max_length=16, blank=True)
    component = models.CharField(max_length=128, blank=True)
    supplier = models.CharField(max_length=128, blank=True)
    tickets = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0, help_text="Distinct units whose first fault falls here.")
    unitless = models.PositiveIntegerField(default=0, help_text="Fault tickets without a registered unit.")

    class Meta:
        indexes = [
            models.Index(fields=["week", "model"], name="quality_fc_week_model"),
            models.Index(fields=["model", "batch"], name="quality_fc_model_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.batch}: {self.tickets}"


class SummaryGrain(models.TextChoices):
    WEEK = "week", "week"
    MONTH = "month", "month"
    ALL = "all", "all"


# The questions ``FaultSummary`` answers: one per figure of the overview. "total" (no value) is the
# fault tickets per region and model (totals, the p-chart, counts per model), "batch" the fault
# rates, the others the Pareto and the counts per dimension, "months_in_service" the time to failure.
SUMMARY_DIMENSIONS = (
    "total",
    "batch",
    "cause",
    "component",
    "supplier",
    "factory",
    "production_month",
    "months_in_service",
)


class FaultSummary(models.Model):
    """``FaultCount`` summed per question (``dimension``), per region and model — and once more over
    every region (``all_regions``, the rows of readers who see every region) — at three grains:
    a week (every question: the p-chart and the weeks at a period's edges), a month (the sums of
    its weeks, those whose Monday falls in it) and all time (``period`` empty). A figure for a
    period reads the months the period covers whole and the week rows at its edges (never
    ``FaultCount``); a figure for all time reads the "all" rows — a few rows per region, model and
    value, however many tickets there are. Maintained with ``FaultCount`` by the rollup job
    (``rollup._summarise``); the tests compare it with a direct computation from ``FaultRecord``."""

    grain = models.CharField(max_length=8, choices=SummaryGrain.choices)
    period = models.DateField(null=True, blank=True, help_text="Monday of the week, first of the month; empty for all time.")
    all_regions = models.BooleanField(
        default=False, help_text="Summed over every region (region empty): what readers without a region filter read."
    )
    region = models.ForeignKey("accounts.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    product_category = models.ForeignKey(
        "catalog.ProductCategory", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    model = models.ForeignKey("catalog.ProductModel", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=24)
    value = models.CharField(max_length=128, blank=True, help_text="The dimension's value as text (a date ISO, a number).")
    tickets = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    unitless = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["dimension", "grain", "all_regions", "period"], name="quality_fs_dim_grain"),
            models.Index(fields=["model", "dimension", "grain"], name="quality_fs_model_dim"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.period} {self.dimension}={self.value}: {self.tickets}"


class RollupState(models.Model):
    """The job's watermark: tickets updated after ``tickets_seen_until`` are read again."""

    name = models.CharField(max_length=32, unique=True)
    tickets_seen_until = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


# --- Improvement actions ----------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    PLAN = "plan", _("Plan")
    DO = "do", _("Do")
    CHECK = "check", _("Check")
    ACT = "act", _("Act")
    CLOSED = "closed", _("Closed")


class ActionOrigin(models.TextChoices):
    FAULT_CLUSTER = "fault_cluster", _("Fault cluster")
    CRISIS = "crisis", _("Crisis")
    TICKET = "ticket", _("Ticket")


class ChangeKind(models.TextChoices):
    DESIGN = "design", _("Design")
    SUPPLIER = "supplier", _("Supplier")
    PROCESS = "process", _("Process")
    TRAINING = "training", _("Training")


class EffectVerdict(models.TextChoices):
    """The measured effect of the change (``effect.py``); empty: not measured, or it cannot be."""

    FELL = "fell", _("The fault rate fell")
    NOT_FELL = "not_fell", _("The fault rate did not fall")
    TOO_EARLY = "too_early", _("Too early to say")


class ActionOutcome(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


FISHBONE = ("man", "machine", "material", "method", "measurement", "environment")


class ImprovementAction(models.Model):
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem statement"))
    origin = models.CharField(_("raised from"), max_length=16, choices=ActionOrigin.choices)
    origin_reference = models.CharField(_("origin reference"), max_length=64, blank=True)
    origin_ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("origin ticket"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("product model"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.CharField(_("batch / lot"), max_length=64, blank=True)
    component = models.CharField(_("component"), max_length=128, blank=True)
    # The scope beyond the model (production register values): a factory's batches, or the
    # batches whose component (``component`` when named) came from a supplier (``effect.py``).
    factory = models.CharField(_("factory"), max_length=64, blank=True)
    supplier = models.CharField(_("component supplier"), max_length=128, blank=True)
    # Root cause: five whys and the fishbone (Ishikawa) categories.
    why1 = models.TextField(_("why 1"), blank=True)
    why2 = models.TextField(_("why 2"), blank=True)
    why3 = models.TextField(_("why 3"), blank=True)
    why4 = models.TextField(_("why 4"), blank=True)
    why5 = models.TextField(_("why 5"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    fishbone_man = models.TextField(_("man"), blank=True)
    fishbone_machine = models.TextField(_("machine"), blank=True)
    fishbone_material = models.TextField(_("material"), blank=True)
    fishbone_method = models.TextField(_("method"), blank=True)
    fishbone_measurement = models.TextField(_("measurement"), blank=True)
    fishbone_environment = models.TextField(_("environment"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.PLAN)
    # The change made.
    change_kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices, blank=True)
    change_reason = models.TextField(_("reason for the change"), blank=True)
    change_content = models.TextField(_("what was changed"), blank=True)
    effective_date = models.DateField(_("effective from"), null=True, blank=True)
    first_batch = models.CharField(_("first batch affected"), max_length=64, blank=True)
    # The Check step, computed by the system (checks.py).
    check_before_units = models.PositiveIntegerField(_("units before"), null=True, blank=True)
    check_before_faulty = models.PositiveIntegerField(_("faulty units before"), null=True, blank=True)
    check_after_units = models.PositiveIntegerField(_("units after"), null=True, blank=True)
    check_after_faulty = models.PositiveIntegerField(_("faulty units after"), null=True, blank=True)
    check_p_value = models.FloatField(_("p-value"), null=True, blank=True)
    check_passed = models.BooleanField(_("check passed"), null=True, blank=True)
    check_detail = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    # The measured effect (effect.py): faults within the same months in the field, before/after.
    effect_window_months = models.PositiveSmallIntegerField(
        _("observation window (months in the field)"),
        null=True,
        blank=True,
        help_text=_("Empty: the default window."),
    )
    effect_verdict = models.CharField(_("measured effect"), max_length=16, choices=EffectVerdict.choices, blank=True)
    effect = models.JSONField(default=dict, blank=True)
    effect_measured_at = models.DateTimeField(_("effect measured at"), null=True, blank=True)
    # Closing.
    outcome = models.CharField(_("outcome"), max_length=16, choices=ActionOutcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"], name="quality_action_status_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def before_per_thousand(self) -> float | None:
        if not self.check_before_units:
            return None
        return 1000.0 * (self.check_before_faulty or 0) / self.check_before_units

    @property
    def after_per_thousand(self) -> float | None:
        if not self.check_after_units:
            return None
        return 1000.0 * (self.check_after_faulty or 0) / self.check_after_units

    @property
    def number(self) -> str:
        return f"IA{self.pk or 0:06d}"


# The quality manager's acceptance of results, in its own module (docs/quality.md).
from .acceptance_models import (  # noqa: E402, F401
    AcceptanceDecision,
    AcceptanceMode,
    AcceptanceRule,
    AcceptanceVia,
    ResultAcceptance,
)
