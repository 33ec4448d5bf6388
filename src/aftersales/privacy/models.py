"""A customer's request about their personal data (PIPL): a copy of it, its erasure, or the
correction of what is wrong in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestKind(models.TextChoices):
    EXPORT = "export", _("Copy of personal data")
    ERASURE = "erasure", _("Erasure of personal data")
    CORRECTION = "correction", _("Correction of personal data")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("privacy request status", "Received")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    # The customer withdrew it before it was answered.
    CANCELLED = "cancelled", _("Withdrawn")


class RequestChannel(models.TextChoices):
    PORTAL = "portal", _("Customer portal")
    STAFF = "staff", _("Recorded by staff")
    RETENTION = "retention", _("Retention period ended")
    APP = "app", _("Customer's app (API)")


class CorrectableField(models.TextChoices):
    """What a correction request may name (PIPL art. 46), each with the value the customer gives."""

    NAME = "name", pgettext_lazy("person", "Name")
    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("Email address")
    ADDRESS = "address", _("Address")
    OTHER = "other", _("Something else")


def export_upload_to(instance: PrivacyRequest, filename: str) -> str:
    return f"privacy/{instance.created_at:%Y/%m}/{filename}"


class PrivacyRequest(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="privacy_requests"
    )
    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    channel = models.CharField(_("received through"), max_length=16, choices=RequestChannel.choices)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received at"), db_index=True)
    due_at = models.DateTimeField(_("answer due by"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    # A correction request: {CorrectableField: the right value}; emptied when the data is erased.
    corrections = models.JSONField(_("corrections asked for"), default=dict, blank=True)
    export_file = models.FileField(_("copy"), upload_to=export_upload_to, max_length=200, blank=True)
    export_expires_at = models.DateTimeField(_("copy available until"), null=True, blank=True)
    # The copy is built by a background job (``tasks.prepare_privacy_export``): queued at, and
    # its failed attempts (retried with backoff, then by the periodic sweep).
    export_queued_at = models.DateTimeField(_("copy queued at"), null=True, blank=True)
    export_attempts = models.PositiveSmallIntegerField(_("attempts to prepare the copy"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""), name="privacy_refusal_has_reason"
            ),
            # One open erasure request per customer: a second one is the same request.
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(kind="erasure", status="received"),
                name="privacy_one_open_erasure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def export_preparing(self) -> bool:
        """A copy queued for its background job and not ready yet ("being prepared")."""
        return self.kind == RequestKind.EXPORT and self.status == RequestStatus.RECEIVED and self.export_queued_at is not None
