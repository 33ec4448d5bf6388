"""Service-level policies, business calendars and the per-ticket SLA clocks.

Deadlines are columns (``warn_at``, ``due_at``, ``escalate_at``) so lists and the sweep can
filter and sort on them; they are computed by the pure functions of ``calendar.py``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import CustomerTier
from aftersales.tickets.choices import Priority

from .calendar import parse_hours
from .seeded import SEEDED_CALENDARS, SEEDED_POLICIES, seeded_label

OFFICE_HOURS = {str(weekday): [["09:00", "18:00"]] for weekday in range(5)}

# A row the product seeds itself has a code (``seeded.py``); a row the administrator adds has none.
SEED_CODE_HELP = _("Set for the rows the product seeds. While the name is unchanged, pages show it in the reader's language.")


def default_working_hours() -> dict[str, list[list[str]]]:
    return {key: [list(interval) for interval in value] for key, value in OFFICE_HOURS.items()}


class Calendar(models.Model):
    """A business calendar: working hours per weekday, public holidays, the administrator's days."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    code = models.SlugField(_("code"), max_length=32, blank=True, default="", editable=False, help_text=SEED_CODE_HELP)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    working_hours = models.JSONField(
        _("working hours"),
        default=default_working_hours,
        blank=True,
        help_text=_('Per weekday (0 = Monday … 6 = Sunday) a list of intervals, e.g. {"0": [["09:00", "18:00"]]}.'),
    )
    uses_chinese_holidays = models.BooleanField(
        _("Chinese public holidays"),
        default=True,
        help_text=_(
            "Take public holidays and make-up workdays from the chinesecalendar package. For a year it does not "
            "know yet, only the statutory holidays count as days off until the year's schedule is entered on the "
            "calendars page."
        ),
    )
    is_24x7 = models.BooleanField(_("24×7"), default=False, help_text=_("Every hour of every day counts."))
    # A new value whenever one of the calendar's days is saved or deleted (``calendar_cache``): the
    # cached days are kept under it, so every process reads them again after a change.
    days_version = models.UUIDField(_("version of the days"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="sla_calendar_code_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name as pages show it: a seeded calendar's in the reader's language while unchanged."""
        return seeded_label(SEEDED_CALENDARS, code=self.code, name=self.name)

    def clean(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"timezone": _("Enter a valid time zone, e.g. Asia/Shanghai.")}) from exc
        try:
            hours = parse_hours(self.working_hours or {})
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValidationError({"working_hours": _('Enter intervals per weekday, e.g. {"0": [["09:00", "18:00"]]}.')}) from exc
        if not hours and not self.is_24x7:
            raise ValidationError({"working_hours": _("A calendar needs working hours on at least one weekday.")})


class CalendarDay(models.Model):
    """The administrator's word on one date: a holiday or a make-up workday. Wins over the package."""

    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    is_workday = models.BooleanField(_("workday"), help_text=_("Ticked: a make-up workday. Unticked: a day off."))
    name = models.CharField(_("name"), max_length=64, blank=True)
    # Entered with a year's official schedule (replaced when the year is entered again); empty
    # for a day the administrator entered on its own (a company closure, a local holiday).
    schedule = models.ForeignKey(
        "CalendarYear", verbose_name=_("schedule"), null=True, blank=True, on_delete=models.SET_NULL, related_name="days"
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ScheduleSource(models.TextChoices):
    NOTICE = "notice", _("the State Council's notice, pasted")
    API = "api", _("the API")


class CalendarYear(models.Model):
    """A year's official schedule (days off and make-up workdays) entered for a calendar: the
    record that the year is known, who entered it, from what, and the text as pasted. Its days are
    ``CalendarDay`` rows; ``sla/services/calendars.py`` writes both together."""

    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=ScheduleSource.choices)
    notice = models.TextField(_("notice"), blank=True)
    days_off = models.PositiveSmallIntegerField(_("days off"), default=0)
    workdays = models.PositiveSmallIntegerField(_("make-up workdays"), default=0)
    entered_by = models.ForeignKey(
        "accounts.User", verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["calendar", "-year"]
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="sla_calendar_year_unique")]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year}"


class ScheduleReminder(models.Model):
    """When the administrators were last told that a calendar in use lacks a year's official
    schedule (``services/calendars.py``: claimed with a conditional update, so one worker sends)."""

    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    reminded_at = models.DateTimeField(_("reminded at"))

    class Meta:
        verbose_name = _("schedule reminder")
        verbose_name_plural = _("schedule reminders")
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="sla_schedule_reminder_unique")]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year}"


class SlaPolicy(models.Model):
    """Targets for one priority and customer tier (either may be empty: any).

    The most specific active policy applies: priority and tier, then priority, then tier, then a
    default; ``position`` breaks ties.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    code = models.SlugField(_("code"), max_length=32, blank=True, default="", editable=False, help_text=SEED_CODE_HELP)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, null=True, blank=True)
    customer_tier = models.CharField(_("customer tier"), max_length=16, choices=CustomerTier.choices, blank=True)
    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="policies")
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), validators=[MinValueValidator(1)], help_text=_("Working minutes on the calendar.")
    )
    solution_minutes = models.PositiveIntegerField(
        _("solution commitment (minutes)"),
        validators=[MinValueValidator(1)],
        help_text=_("A plan, or an expected completion time told to the customer."),
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"), validators=[MinValueValidator(1)])
    warning_share = models.DecimalField(
        _("warning at share of target"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
    )
    escalate_after_minutes = models.PositiveIntegerField(
        _("escalate after breach (minutes)"), default=240, help_text=_("Working minutes after the breach.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(warning_share__gt=0, warning_share__lt=1), name="sla_policy_warning_share_range"),
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="sla_policy_code_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name as pages show it: a seeded policy's in the reader's language while unchanged."""
        return seeded_label(SEEDED_POLICIES, code=self.code, name=self.name)

    @property
    def specificity(self) -> int:
        return (2 if self.priority is not None else 0) + (1 if self.customer_tier else 0)


class SlaMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    SOLUTION = "solution", _("Solution commitment")
    RESOLUTION = "resolution", _("Resolution")


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    STOPPED = "stopped", _("Stopped")


class SlaClock(models.Model):
    """One ticket's clock for one metric.

    ``status`` says whether it ticks; ``breached_at`` whether it missed its target (a clock met
    after its breach keeps both). ``due_at`` = ``started_at`` + target + paused working time, on
    the calendar; ``warn_at`` and ``escalate_at`` likewise.
    """

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_clocks")
    metric = models.CharField(_("metric"), max_length=16, choices=SlaMetric.choices)
    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ClockStatus.choices, default=ClockStatus.RUNNING)
    target_minutes = models.PositiveIntegerField(_("target (minutes)"))
    warning_share = models.DecimalField(_("warning at share of target"), max_digits=3, decimal_places=2)
    escalate_after_minutes = models.PositiveIntegerField(_("escalate after breach (minutes)"))
    started_at = models.DateTimeField(_("started at"))
    warn_at = models.DateTimeField(_("warning at"))
    due_at = models.DateTimeField(_("due at"))
    escalate_at = models.DateTimeField(_("escalation at"))
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(_("paused working time (seconds)"), default=0)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    next_check_at = models.DateTimeField(
        _("next check at"), null=True, blank=True, help_text=_("When the scheduled job for this clock is due.")
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["ticket", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_clock_one_per_metric"),
            models.CheckConstraint(
                condition=Q(status="paused", paused_at__isnull=False) | (~Q(status="paused") & Q(paused_at__isnull=True)),
                name="sla_clock_paused_at_iff_paused",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "warn_at"], name="sla_clock_status_warn_idx"),
            models.Index(fields=["status", "due_at"], name="sla_clock_status_due_idx"),
            models.Index(fields=["status", "escalate_at"], name="sla_clock_status_esc_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric}"

    @property
    def paused_minutes(self) -> int:
        return self.paused_seconds // 60

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None
