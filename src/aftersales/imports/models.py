"""An import of master data (customers with their addresses, product models, warranty policies,
serial units, shipment volumes, spare parts) from an .xlsx or .csv file: the uploaded file, its
preview figures, the columns it ignored, the commit's progress and the rows refused (issue 18)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    MODELS = "models", _("Product models")
    UNITS = "units", _("Serial units")
    SHIPMENTS = "shipments", _("Shipment volumes")
    POLICIES = "policies", _("Warranty policies")
    PARTS = "parts", _("Spare parts")
    BATCHES = "batches", _("Production batches")


class ImportStatus(models.TextChoices):
    PREVIEWING = "previewing", _("Checking the file")
    PREVIEWED = "previewed", _("Ready to import")
    COMMITTING = "committing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class ImportJob(models.Model):
    """One uploaded file and what became of it. The file is read twice: the preview (validate
    every row, count new / changed / unchanged / refused rows) and the commit (write the valid
    rows in chunks). ``rows_done`` is the checkpoint: a retried commit re-reads the file but
    writes only from there, and writing a row twice changes nothing (natural keys)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEWING)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("file format"), max_length=8, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    # Figures of the preview (the whole file) and of the commit (written so far).
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    new_rows = models.PositiveIntegerField(_("new rows"), default=0)
    changed_rows = models.PositiveIntegerField(_("changed rows"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    written_new = models.PositiveIntegerField(_("rows created"), default=0)
    written_changed = models.PositiveIntegerField(_("rows updated"), default=0)
    # The first rows as read (for the preview table) and the first errors (row, column, code,
    # parameters; rendered in the reader's language). Both capped; the counts are exact.
    preview = models.JSONField(_("first rows"), default=list, blank=True)
    # The header cells that name no column of the kind: shown on the preview, never imported.
    ignored_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    file_error = models.JSONField(_("file error"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_failure = models.TextField(_("last failure"), blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="imports_job_status_beat")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.rows_done / self.total_rows))

    @property
    def running(self) -> bool:
        return self.status in {ImportStatus.PREVIEWING, ImportStatus.COMMITTING}
