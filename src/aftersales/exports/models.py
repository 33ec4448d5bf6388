"""An Excel export requested by a user: its kind and filters, its progress, its file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_upload_to(instance: Export, filename: str) -> str:
    # Under the private media (served only through the owner's download view), never guessable
    # from the URL alone: the id and a random name.
    return f"exports/{instance.created_at:%Y/%m}/{instance.pk}-{filename}"


class Export(models.Model):
    """One .xlsx export: written by a background job from the kind's rows for ``user`` (their
    scope, masking and language at the time it runs), downloadable by ``user`` alone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set while a job writes the file, refreshed with the progress: a run whose heartbeat is
    # older than ``STALE_AFTER`` (a worker killed mid-file) is started again from the first row.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="exports_user_created"),
            models.Index(fields=["status", "heartbeat_at"], name="exports_status_beat"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="exports_unique_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def progress_percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def running(self) -> bool:
        return self.status in {ExportStatus.QUEUED, ExportStatus.RUNNING}
