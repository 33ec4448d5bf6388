"""Triage's rows: the suggestion for a ticket (one per ticket) and every acceptance or correction.

``TriageResult`` keeps what the engine suggested (value + confidence per field, the reasons it
can show, the model version), the likely duplicates found, whether the system made the ticket
urgent, and how the run went (status, error, timings). ``TriageFeedback`` is one row per
"Accept" or "Correct" of a field: what was suggested, what the person chose, who and when — the
confirmed examples the retraining reads (``selectors.confirmed_examples``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.tickets.models import Ticket


class TriageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class TriageField(models.TextChoices):
    CATEGORY = "category", _("Category")
    REQUEST_TYPE = "request_type", _("Request type")
    URGENCY = "urgency", _("Urgency")
    SAFETY = "safety", _("Safety hazard")


class TriageResult(models.Model):
    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=TriageStatus.choices, default=TriageStatus.PENDING)
    category = models.CharField(_("suggested category"), max_length=32, blank=True)
    category_confidence = models.FloatField(_("category confidence"), null=True, blank=True)
    request_type = models.CharField(_("suggested request type"), max_length=16, blank=True)
    request_type_confidence = models.FloatField(_("request type confidence"), null=True, blank=True)
    urgency = models.CharField(_("suggested urgency"), max_length=16, blank=True)
    urgency_confidence = models.FloatField(_("urgency confidence"), null=True, blank=True)
    safety = models.CharField(_("suggested safety flag"), max_length=1, blank=True)
    safety_confidence = models.FloatField(_("safety confidence"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    model_version = models.CharField(_("model version"), max_length=64, blank=True)
    # [{"ticket_id": 12, "number": "...", "score": 0.61, "reasons": ["same_phone", ...]}, ...]
    duplicates = models.JSONField(_("likely duplicates"), default=list, blank=True)
    escalated = models.BooleanField(_("made urgent by the system"), default=False)
    escalated_from = models.PositiveSmallIntegerField(_("priority before the system's decision"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    engine_ms = models.PositiveIntegerField(_("engine time (ms)"), null=True, blank=True)
    duplicates_ms = models.PositiveIntegerField(_("duplicate search time (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("triage result")
        verbose_name_plural = _("triage results")
        indexes = [models.Index(fields=["status", "created_at"], name="triage_result_status_idx")]

    def __str__(self) -> str:
        return f"triage {self.ticket_id} {self.status}"

    def suggested(self, field: str) -> str:
        return str(getattr(self, field) or "")

    def confidence(self, field: str) -> float | None:
        value = getattr(self, f"{field}_confidence")
        return None if value is None else float(value)


class TriageFeedback(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+")
    field = models.CharField(_("field"), max_length=16, choices=TriageField.choices)
    suggested = models.CharField(_("suggested"), max_length=32, blank=True)
    chosen = models.CharField(_("chosen"), max_length=32)
    accepted = models.BooleanField(_("accepted"))
    model_version = models.CharField(_("model version"), max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("triage feedback")
        verbose_name_plural = _("triage feedback")
        ordering = ["ticket", "at", "id"]
        indexes = [models.Index(fields=["ticket", "field", "at"], name="triage_feedback_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.field}: {self.suggested} → {self.chosen}"
