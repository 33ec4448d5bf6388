"""Scheduled reports: a user's subscription to an export kind with its filters, schedule and
recipients, and one delivery row per subscription and period.

The delivery row's unique key (subscription, period) is what makes "exactly once per period"
true whatever the number of schedulers: only one INSERT of it can ever succeed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def default_send_time() -> dt.time:
    """08:00. A callable, not a fixed ``dt.time``: Django's check fields.W161 warns about a fixed
    time whenever it runs within ten seconds of that time of day (UTC), which would fail
    ``manage.py check --fail-level WARNING`` at 08:00:00 by chance."""
    return dt.time(8, 0)


class ReportSubscription(models.Model):
    """Send export ``kind`` (as ``owner`` sees it, with ``filters``) to ``recipients`` once per
    day, week or month, at ``send_time`` (Asia/Shanghai) on ``weekday`` / ``day_of_month``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("report"), max_length=64)
    # The list page's query string as {parameter: value}: the export applies it as the page does.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.DAILY)
    send_time = models.TimeField(_("send time"), default=default_send_time)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of month"), null=True, blank=True, help_text=_("Past the month's last day: its last day.")
    )
    recipients = models.JSONField(_("recipients"), default=list)
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES, default="zh-hans")
    active = models.BooleanField(_("active"), default=True)
    # Periods due before this moment are never sent (created, resumed or rescheduled after them).
    schedule_from = models.DateTimeField(_("scheduled from"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(frequency="weekly") | Q(weekday__isnull=False, weekday__lte=6), name="report_weekly_has_weekday"
            ),
            models.CheckConstraint(
                condition=~Q(frequency="monthly") | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="report_monthly_has_day",
            ),
        ]
        indexes = [models.Index(fields=["active", "frequency"], name="report_sub_active_idx")]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReportDelivery(models.Model):
    """One period's report for one subscription: claimed once, retried with backoff, sent once."""

    subscription = models.ForeignKey(
        ReportSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    period_start = models.DateField(_("period"))
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the next attempt may start; while an attempt runs, the end of its claim.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period_start"], name="report_delivery_once_per_period"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="report_sent_has_time"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="report_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.subscription} {self.period_start}"
