"""Outgoing webhooks: who wants which events (subscriptions), what happened (events), and each
event's delivery to each subscription with one log row per attempt."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventType(models.TextChoices):
    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    SLA_BREACHED = "sla.breached", _("SLA breached")
    WORKORDER_COMPLETED = "workorder.completed", _("Work order completed")
    CRISIS_OPENED = "crisis.opened", _("Crisis opened")
    CRISIS_LEVEL_CHANGED = "crisis.level_changed", _("Crisis level changed")
    PLAN_OFFERED = "plan.offered", _("Plan offered to the customer")
    PLAN_AGREED = "plan.agreed", _("Plan accepted by the customer")
    PLAN_DECLINED = "plan.declined", _("Plan declined by the customer")
    SURVEY_ANSWERED = "survey.answered", _("Survey answered")
    RETURN_STATUS_CHANGED = "return.status_changed", _("Return (RMA) status changed")
    REFUND_REQUESTED = "refund.requested", _("Refund requested")
    REFUND_STATUS_CHANGED = "refund.status_changed", _("Refund status changed")
    COMPENSATION_REQUESTED = "compensation.requested", _("Compensation requested")
    COMPENSATION_STATUS_CHANGED = "compensation.status_changed", _("Compensation status changed")
    APPOINTMENT_SCHEDULED = "appointment.scheduled", _("Appointment scheduled")
    APPOINTMENT_CHANGED = "appointment.changed", _("Appointment changed")
    CUSTOMER_UPDATED = "customer.updated", _("Customer contact data changed")
    NOTIFICATION_FAILED = "notification.failed", _("Customer notification undelivered")
    TICKET_SOLUTION_PROMISED = "ticket.solution_promised", _("Solution date promised to the customer")
    TICKET_AWAITING_ACCEPTANCE = "ticket.awaiting_acceptance", _("Result waiting for the quality acceptance")
    TICKET_RESULT_ACCEPTED = "ticket.result_accepted", _("Result accepted in the quality acceptance")
    TICKET_RETURNED_FOR_REWORK = "ticket.returned_for_rework", _("Result sent back for rework in the quality acceptance")
    # Sent only by "send test event", to one subscription; nobody subscribes to it.
    TEST = "webhook.test", _("Test event")


SUBSCRIBABLE_EVENTS = [c for c in EventType if c != EventType.TEST]


class Subscription(models.Model):
    """An integration's endpoint for some event types, signed with its own secret."""

    name = models.CharField(_("name"), max_length=100)
    target_url = models.URLField(_("target URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100)
    event_types = models.JSONField(_("event types"), default=list)
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only events of this region; empty for all regions."),
    )
    active = models.BooleanField(_("active"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("webhook", "owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One thing that happened, with the payload every subscriber receives (same id for all)."""

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    payload = models.JSONField(_("payload"))
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one subscription: retried until it succeeds once or attempts run out."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(delivered_at__isnull=False), name="webhook_delivered_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"


class Attempt(models.Model):
    """The log of one HTTP attempt: what came back, how long it took, what went wrong."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    error = models.TextField(_("error"), blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique"),
            # Never two successful attempts for one event and subscription.
            models.UniqueConstraint(fields=["delivery"], condition=Q(succeeded=True), name="webhook_one_success"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:40]}"
