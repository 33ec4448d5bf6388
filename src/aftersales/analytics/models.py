"""Job-computed tables of analytics (issue 17): facts per ticket and per job, and the rollups the
pages read, so no page scans tickets per request.

* ``TicketFact``: one row per ticket — who handled it, its business-time durations on the SLA
  calendar, SLA outcomes, reopening, survey ratings, complaints, its after-sales cost and the
  party responsible for it. The drill-downs (the tickets behind a figure) and the chargeback
  statements read it through its indexes.
* ``JobFact``: one row per work order — the technician, on-time arrival, first-time fix, labour
  hours and parts used.
* ``StaffDay``: the KPI rollup per day × person (agent or technician) × team × region.
* ``StaffMonth``: the same per month (the sum of the month's staff days): a KPI period reads its
  whole months from it and its edge days from ``StaffDay``.
* ``MonthTotal``, ``MonthChannel``, ``MonthModel``: the management dashboard's rollups, one per
  query family (the monthly series and tickets per category; tickets per channel; top faults and
  cost per model), each per month × its own dimension, at four levels of region × category
  (``LEVEL_*``) so a query never sums over regions × categories.
* ``BacklogCell``: the open tickets by status × age band × SLA state × region × category,
  recounted by each refresh.
* ``RefreshState``: where the periodic refresh (``services.analytics_refresh``) left off.

The ``*_key`` columns hold ids without foreign keys (0 = none): a deleted team or model does not
cascade into history, and the rollups group on plain integers.
"""

from __future__ import annotations

from django.db import models
from django.db.models import BigIntegerField, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}


class StaffKind(models.TextChoices):
    AGENT = "agent", _("Agent")
    TECHNICIAN = "technician", _("Technician")


class TicketFact(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    number = models.CharField(_("number"), max_length=32)
    day = models.DateField(_("registered on"))
    resolved_day = models.DateField(_("resolved on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=24)
    channel = models.CharField(_("channel"), max_length=16)
    assignee_key = models.PositiveBigIntegerField(default=0)
    team_key = models.PositiveBigIntegerField(default=0)
    region_key = models.PositiveBigIntegerField(default=0)
    category_key = models.PositiveBigIntegerField(default=0)
    model_key = models.PositiveBigIntegerField(default=0)
    # Business seconds on the clock's calendar, paused time excluded; None while not reached.
    fr_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    res_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    # SLA outcome per metric: True met in time, False breached, None not decided yet.
    fr_met = models.BooleanField(null=True, blank=True)
    solution_met = models.BooleanField(null=True, blank=True)
    res_met = models.BooleanField(null=True, blank=True)
    reopened = models.BooleanField(default=False)
    overall = models.PositiveSmallIntegerField(null=True, blank=True)
    speed = models.PositiveSmallIntegerField(null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(null=True, blank=True)
    professionalism = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.PositiveSmallIntegerField(null=True, blank=True)
    complaints = models.PositiveSmallIntegerField(default=0)
    cost_parts = models.DecimalField(_("parts"), **MONEY)  # type: ignore[arg-type]
    cost_labour = models.DecimalField(_("labour"), **MONEY)  # type: ignore[arg-type]
    cost_travel = models.DecimalField(_("travel"), **MONEY)  # type: ignore[arg-type]
    cost_refund = models.DecimalField(_("refunds"), **MONEY)  # type: ignore[arg-type]
    cost_compensation = models.DecimalField(_("compensation"), **MONEY)  # type: ignore[arg-type]
    cost_total = models.DecimalField(_("total cost"), **MONEY)  # type: ignore[arg-type]
    responsibility = models.CharField(_("responsibility"), max_length=16, blank=True)
    responsible_party = models.CharField(_("responsible party"), max_length=128, blank=True)
    # The register entry's id (parties app; 0 = none: a text-only or no party).
    # Signed, unlike the older keys: a CHECK on ADD COLUMN would scan the big table (0 = none).
    party_key = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("ticket fact")
        verbose_name_plural = _("ticket facts")
        indexes = [
            models.Index(fields=["assignee_key", "day"], name="an_fact_assignee_day_idx"),
            models.Index(fields=["team_key", "day"], name="an_fact_team_day_idx"),
            models.Index(fields=["region_key", "day"], name="an_fact_region_day_idx"),
            models.Index(fields=["day"], name="an_fact_day_idx"),
            models.Index(fields=["responsibility", "resolved_day"], name="an_fact_resp_day_idx"),
            models.Index(fields=["party_key", "resolved_day"], name="an_fact_party_day_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class JobFact(models.Model):
    work_order = models.OneToOneField(
        "fieldservice.WorkOrder", verbose_name=_("work order"), primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    number = models.CharField(_("number"), max_length=32)
    ticket_key = models.PositiveBigIntegerField(default=0)
    ticket_number = models.CharField(_("ticket"), max_length=32)
    day = models.DateField(_("created on"))
    technician_key = models.PositiveBigIntegerField(default=0)
    team_key = models.PositiveBigIntegerField(default=0)
    region_key = models.PositiveBigIntegerField(default=0)
    done = models.BooleanField(default=False)
    on_time = models.BooleanField(null=True, blank=True)
    first_time_fix = models.BooleanField(null=True, blank=True)
    labour_hours = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    parts_quantity = models.DecimalField(max_digits=11, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("job fact")
        verbose_name_plural = _("job facts")
        indexes = [
            models.Index(fields=["technician_key", "day"], name="an_job_tech_day_idx"),
            models.Index(fields=["day"], name="an_job_day_idx"),
            models.Index(fields=["ticket_key"], name="an_job_ticket_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class StaffFigures(models.Model):
    """The summable KPI figures of one person (agent or technician) × team × region, for a day
    (``StaffDay``) or a month (``StaffMonth``): counters add up, histograms merge by adding."""

    kind = models.CharField(max_length=16, choices=StaffKind.choices)
    user_key = models.PositiveBigIntegerField(default=0)
    team_key = models.PositiveBigIntegerField(default=0)
    region_key = models.PositiveBigIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    fr_n = models.PositiveIntegerField(default=0)
    fr_met = models.PositiveIntegerField(default=0)
    solution_n = models.PositiveIntegerField(default=0)
    solution_met = models.PositiveIntegerField(default=0)
    res_n = models.PositiveIntegerField(default=0)
    res_met = models.PositiveIntegerField(default=0)
    # Business minutes → how many tickets took that long ({"37": 2, …}): exact medians by merging.
    fr_minutes = models.JSONField(default=dict)
    res_minutes = models.JSONField(default=dict)
    # Per rating dimension: [sum, count].
    ratings = models.JSONField(default=dict)
    surveys = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    jobs = models.PositiveIntegerField(default=0)
    jobs_done = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    on_time_n = models.PositiveIntegerField(default=0)
    ftf = models.PositiveIntegerField(default=0)
    ftf_n = models.PositiveIntegerField(default=0)
    labour_hours = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    parts_quantity = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        abstract = True


# What a group of ``StaffFigures`` rows sums column by column (the counters, then the amounts):
# a month from its days (``services.staff_months``), a KPI row from its days and months.
STAFF_SUMMED = tuple(
    f.name for f in StaffFigures._meta.local_fields if isinstance(f, (models.PositiveIntegerField, models.DecimalField))
)
# ``StaffFigures.ratings`` is {rating: [total, n]}; its sums per group, by the database.
STAFF_RATINGS = ("overall", "speed", "attitude", "professionalism", "result")
STAFF_RATING_SUMS = {
    f"r_{name}_{part}": Sum(Cast(KT(f"ratings__{name}__{index}"), BigIntegerField()))
    for name in STAFF_RATINGS
    for index, part in enumerate(("total", "n"))
}


class StaffDay(StaffFigures):
    """One person's figures for one day (tickets by their registration day, jobs by their
    creation day), split by the ticket's team and region so every scope sums rows."""

    day = models.DateField()

    class Meta:
        verbose_name = _("staff day")
        verbose_name_plural = _("staff days")
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "user_key", "team_key", "region_key"], name="an_staff_day_key")
        ]
        indexes = [
            models.Index(fields=["user_key", "day"], name="an_staff_user_day_idx"),
            models.Index(fields=["region_key", "day"], name="an_staff_region_day_idx"),
            models.Index(fields=["team_key", "day"], name="an_staff_team_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.user_key}"


class StaffMonth(StaffFigures):
    """The sum of a month's ``StaffDay`` rows per person × team × region (the histograms merged):
    a KPI period reads its whole months here and only its edge days from ``StaffDay``, so a
    year reads ~12 rows per person instead of ~250. Rebuilt with the staff days it sums
    (``services.staff_months``), in the same transaction."""

    month = models.DateField()  # the first day of the month

    class Meta:
        verbose_name = _("staff month")
        verbose_name_plural = _("staff months")
        constraints = [
            models.UniqueConstraint(fields=["month", "kind", "user_key", "team_key", "region_key"], name="an_staff_month_key")
        ]
        indexes = [
            models.Index(fields=["user_key", "month"], name="an_smonth_user_idx"),
            models.Index(fields=["region_key", "month"], name="an_smonth_region_idx"),
            models.Index(fields=["team_key", "month"], name="an_smonth_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.kind} {self.user_key}"


# Which of region and category a month rollup row keeps; the other is summed over and its key is
# 0. Every dashboard query reads one level, so it reads months × its own dimension rows (channels,
# categories, models), never regions × categories.
LEVEL_CELL = 0  # per region × category
LEVEL_REGION = 1  # per region, every category
LEVEL_CATEGORY = 2  # per category, every region
LEVEL_ALL = 3  # every region and category


class MonthRollup(models.Model):
    month = models.DateField()  # the first day of the month
    level = models.PositiveSmallIntegerField(default=LEVEL_CELL)
    region_key = models.PositiveBigIntegerField(default=0)
    category_key = models.PositiveBigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.month} {self.level} {self.region_key} {self.category_key}"


class MonthTotal(MonthRollup):
    """Per month (× region × category at each level): intake, resolved, surveys, ratings, NPS
    counts and cost components — the monthly series and the tickets per category."""

    intake = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    surveys = models.PositiveIntegerField(default=0)
    overall_sum = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    costed = models.PositiveIntegerField(default=0)
    cost_parts = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_labour = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_travel = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_refund = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_compensation = models.DecimalField(**MONEY)  # type: ignore[arg-type]

    class Meta:
        verbose_name = _("month total")
        verbose_name_plural = _("month totals")
        constraints = [
            models.UniqueConstraint(fields=["month", "level", "region_key", "category_key"], name="an_month_total_key")
        ]
        indexes = [models.Index(fields=["level", "region_key", "category_key", "month"], name="an_total_level_idx")]


class MonthChannel(MonthRollup):
    """Per month × channel (× region × category at each level): intake."""

    channel = models.CharField(max_length=16, blank=True)
    intake = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("month by channel")
        verbose_name_plural = _("months by channel")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "level", "region_key", "category_key", "channel"], name="an_month_channel_key"
            )
        ]
        indexes = [models.Index(fields=["level", "region_key", "category_key", "month"], name="an_channel_level_idx")]


class MonthModel(MonthRollup):
    """Per month × product model (× region × category at each level): intake and cost
    components — the top faults and the cost per model."""

    model_key = models.PositiveBigIntegerField(default=0)
    intake = models.PositiveIntegerField(default=0)
    cost_parts = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_labour = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_travel = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_refund = models.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_compensation = models.DecimalField(**MONEY)  # type: ignore[arg-type]

    class Meta:
        verbose_name = _("month by product model")
        verbose_name_plural = _("months by product model")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "level", "region_key", "category_key", "model_key"], name="an_month_model_key"
            )
        ]
        indexes = [models.Index(fields=["level", "region_key", "category_key", "month"], name="an_model_level_idx")]


class BacklogCell(models.Model):
    status = models.CharField(max_length=24)
    age_band = models.PositiveSmallIntegerField()  # index into services.AGE_BANDS
    sla_state = models.CharField(max_length=8, blank=True)
    region_key = models.PositiveBigIntegerField(default=0)
    category_key = models.PositiveBigIntegerField(default=0)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("backlog cell")
        verbose_name_plural = _("backlog cells")
        constraints = [
            models.UniqueConstraint(
                fields=["status", "age_band", "sla_state", "region_key", "category_key"], name="an_backlog_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.age_band}"


class RefreshPhase(models.TextChoices):
    IDLE = "", _("idle")
    FACTS = "facts", _("facts")
    DAYS = "days", _("staff days")
    MONTHS = "months", _("months")


class RefreshState(models.Model):
    name = models.CharField(max_length=32, unique=True)
    last_event_id = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # The batched full refresh (``services.full``): where it is, so a crash resumes there.
    full_phase = models.CharField(max_length=8, choices=RefreshPhase.choices, blank=True, default="")
    full_started_at = models.DateTimeField(null=True, blank=True)
    full_event_id = models.PositiveBigIntegerField(default=0)
    full_ticket_id = models.PositiveBigIntegerField(default=0)  # the last ticket whose facts are done
    full_day = models.DateField(null=True, blank=True)  # the last day (or month) rebuilt
    # Move (by one) only in a transaction that changed a rollup the pages read, so a refresh that
    # changed nothing keeps every cached page warm: ``data_version`` on any (staff days and
    # months, the dashboard's months, the backlog; the dashboard's cache key), ``staff_version``
    # on the staff rollups only (the KPI page's cache key: the backlog's age bands move with the
    # clock, the KPI figures do not).
    data_version = models.PositiveBigIntegerField(default=0)
    staff_version = models.PositiveBigIntegerField(default=0)
    # ``StaffMonth`` holds the sum of every month's staff days (set by the first refresh after
    # the table was added, which builds it); until then the KPI page reads staff days only.
    staff_months_ready = models.BooleanField(default=False)
    # The moment the backlog (``BacklogCell``) was last counted as of (to the second): its age
    # bands are registration times before it, which the dashboard's links pass to the ticket list.
    backlog_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("analytics refresh")
        verbose_name_plural = _("analytics refreshes")

    def __str__(self) -> str:
        return self.name
