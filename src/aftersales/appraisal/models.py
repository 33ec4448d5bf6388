"""Models of the appraisal app (鉴定): a request from a ticket, its report, the customer's answer.

One appraisal is one examination of the faulty product by an appraiser. A re-appraisal the
customer asks for is a new appraisal linked to the first (``previous``), with the outside testing
body's report attached to it when one comes back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.tickets.choices import Cause, Nature, Responsibility, Severity

from .choices import FaultType


class AppraisalStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("Appraisal in progress")
    REPORTED = "reported", _("Report drafted")
    SIGNED = "signed", _("Report signed")
    ACCEPTED = "accepted", _("Accepted by the customer")
    REAPPRAISAL = "reappraisal", _("Re-appraisal requested")
    CANCELLED = "cancelled", _("Cancelled")


class AppraisalPlace(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    OUTLET = "outlet", _("At a service outlet")
    RETURNED = "returned", _("On goods received back")


class AppraisalSubject(models.TextChoices):
    """What is appraised: the customer's product, or a faulty part taken out of it and sent back
    (``parts.FaultyPartReturn``: requested when the parts return is received)."""

    PRODUCT = "product", _("The product")
    FAULTY_PART = "faulty_part", _("A faulty part sent back")


class CustomerDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted the result")
    REAPPRAISAL = "reappraisal", _("Asked for re-appraisal")


class FileKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    TEST_FILE = "test_file", _("Test file")
    EXTERNAL_REPORT = "external_report", _("Outside testing body's report")


class Appraisal(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="appraisals")
    status = models.CharField(_("status"), max_length=16, choices=AppraisalStatus.choices, default=AppraisalStatus.REQUESTED)
    place = models.CharField(_("where"), max_length=16, choices=AppraisalPlace.choices)
    subject = models.CharField(
        _("what is appraised"), max_length=16, choices=AppraisalSubject.choices, default=AppraisalSubject.PRODUCT
    )
    faulty_part = models.ForeignKey(
        "parts.FaultyPartReturn",
        verbose_name=_("faulty part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisals",
    )
    request_note = models.TextField(_("what to appraise"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appraiser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisals",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("re-appraisal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reappraisals",
    )
    # What was appraised, copied from the ticket when requested (the quality selectors group by them).
    product_model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("product model"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product_unit = models.ForeignKey(
        "catalog.ProductUnit", verbose_name=_("product unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.CharField(_("batch / lot"), max_length=64, blank=True, db_index=True)

    # The report.
    symptom = models.TextField(_("symptom"), blank=True)
    tests = models.JSONField(_("tests done"), default=list, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    fault_type = models.CharField(_("fault type"), max_length=16, choices=FaultType.choices, blank=True)
    nature = models.CharField(_("nature"), max_length=16, choices=Nature.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, blank=True)
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices, blank=True)
    component = models.ForeignKey(
        "parts.Part", verbose_name=_("component at fault"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    component_text = models.CharField(_("component at fault (text)"), max_length=128, blank=True)
    responsibility = models.CharField(_("responsibility"), max_length=16, choices=Responsibility.choices, blank=True)
    responsible_party = models.CharField(_("responsible department or outlet"), max_length=128, blank=True)
    # The register entry (parties app); ``responsible_party`` keeps its name as signed.
    responsible_party_ref = models.ForeignKey(
        "parties.ResponsibleParty",
        verbose_name=_("responsible party (register)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisals",
    )
    supplier = models.CharField(_("supplier"), max_length=128, blank=True, db_index=True)
    sanbao_applies = models.BooleanField(_("Three guarantees (sanbao) apply"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    # The customer's answer.
    customer_decision = models.CharField(_("customer's answer"), max_length=16, choices=CustomerDecision.choices, blank=True)
    customer_reason = models.TextField(_("customer's reason"), blank=True)
    customer_answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "appraiser"], name="appraisal_status_appr_idx"),
            models.Index(fields=["product_model", "signed_at"], name="appraisal_model_signed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | (~Q(fault_type="") & Q(sanbao_applies__isnull=False)),
                name="appraisal_signed_has_conclusion",
            ),
            models.CheckConstraint(
                condition=(Q(subject="faulty_part") & Q(faulty_part__isnull=False))
                | (~Q(subject="faulty_part") & Q(faulty_part__isnull=True)),
                name="appraisal_faulty_part_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"JD{self.pk or 0:06d}"

    @property
    def component_label(self) -> str:
        if self.component_id is not None:
            return str(self.component)
        return self.component_text


def appraisal_upload_to(instance: AppraisalFile, filename: str) -> str:
    return f"appraisals/{instance.appraisal_id}/{instance.sha256[:16]}{instance.extension}"


class AppraisalFile(models.Model):
    """A photo, a test file, or the outside testing body's report; the type read from the bytes."""

    appraisal = models.ForeignKey(Appraisal, verbose_name=_("appraisal"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=16, choices=FileKind.choices)
    file = models.FileField(_("file"), upload_to=appraisal_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(max_length=8, editable=False)
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
        verbose_name = _("appraisal file")
        verbose_name_plural = _("appraisal files")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name
