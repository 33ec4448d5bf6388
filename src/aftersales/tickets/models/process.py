"""The process beside a ticket: plans and their measures, approval rules and requests, the customer's agreement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.uploads import upload_path

from ..choices import CompanyFault, DemandReasonableness, LongTermRelationship, RepurchaseLikelihood, WordOfMouthRisk
from ..plan_assessment import Guidance, plan_assessment_guidance
from .ticket import Ticket


class MeasureKind(models.TextChoices):
    REMOTE_SUPPORT = "remote_support", _("Remote support")
    ONSITE_REPAIR = "onsite_repair", _("On-site repair")
    INSTALLATION = "installation", _("Installation")
    INSPECTION = "inspection", _("Inspection")
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    DEPOT_REPAIR = "depot_repair", _("Depot repair")
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    CONSULTATION = "consultation", _("Consultation")


class MeasureStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting customer agreement")
    AGREED = "agreed", _("Agreed by the customer")
    REFUSED = "refused", _("Refused by the approver")
    DECLINED = "declined", _("Declined by the customer")
    SUPERSEDED = "superseded", _("Superseded")


class TicketPlan(models.Model):
    """A solution plan (处理方案). A ticket keeps every plan; exactly one is current."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(_("plan number"))
    status = models.CharField(_("status"), max_length=24, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    is_current = models.BooleanField(_("current plan"), default=True)
    diagnosis = models.TextField(_("diagnosis"))
    cost_budget = models.DecimalField(_("cost budget"), max_digits=12, decimal_places=2, default=0)
    expected_completion_at = models.DateTimeField(_("expected completion"), null=True, blank=True)
    requires_signed_agreement = models.BooleanField(_("signed agreement required"), default=False)
    # The assessment (方案评估, SPEC §2.5; ``tickets.plan_assessment``): what the agent weighed before
    # choosing the remedy. Internal: the customer never sees it (portal, their case file, messages).
    customer_expectation = models.TextField(_("what the customer expects"), blank=True, default="", db_default="")
    long_term_relationship = models.CharField(
        _("long-term relationship"),
        max_length=16,
        choices=LongTermRelationship.choices,
        default=LongTermRelationship.UNKNOWN,
        db_default=LongTermRelationship.UNKNOWN,
    )
    repurchase_likelihood = models.CharField(
        _("chance of buying again"),
        max_length=16,
        choices=RepurchaseLikelihood.choices,
        default=RepurchaseLikelihood.UNKNOWN,
        db_default=RepurchaseLikelihood.UNKNOWN,
    )
    word_of_mouth_risk = models.CharField(
        _("word-of-mouth risk"),
        max_length=16,
        choices=WordOfMouthRisk.choices,
        default=WordOfMouthRisk.UNKNOWN,
        db_default=WordOfMouthRisk.UNKNOWN,
    )
    demand_reasonableness = models.CharField(
        _("is the demand reasonable"),
        max_length=16,
        choices=DemandReasonableness.choices,
        default=DemandReasonableness.UNKNOWN,
        db_default=DemandReasonableness.UNKNOWN,
    )
    company_fault = models.CharField(
        _("company's fault"),
        max_length=16,
        choices=CompanyFault.choices,
        default=CompanyFault.UNKNOWN,
        db_default=CompanyFault.UNKNOWN,
    )
    assessment_note = models.TextField(_("assessment note"), blank=True, default="", db_default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("solution plan")
        verbose_name_plural = _("solution plans")
        ordering = ["ticket", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "number"], name="ticket_plan_number_unique"),
            models.UniqueConstraint(fields=["ticket"], condition=models.Q(is_current=True), name="ticket_plan_one_current"),
            models.CheckConstraint(condition=models.Q(cost_budget__gte=0), name="ticket_plan_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} #{self.number}"

    @property
    def assessment_guidance(self) -> tuple[Guidance, ...]:
        """The seed's advice for this plan's assessment (``plan_assessment_guidance``)."""
        return plan_assessment_guidance(
            long_term_relationship=self.long_term_relationship,
            repurchase_likelihood=self.repurchase_likelihood,
            word_of_mouth_risk=self.word_of_mouth_risk,
            demand_reasonableness=self.demand_reasonableness,
            company_fault=self.company_fault,
        )


class PlanMeasure(models.Model):
    """One measure of a plan: what is done, by whom, by when, at what cost; and how far it got."""

    plan = models.ForeignKey(TicketPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("measure"), max_length=24, choices=MeasureKind.choices)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("plan measure", "owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    # What the customer pays for this measure (out of warranty, a chargeable service); 0 = free.
    # ``amount`` is the department's cost or, for a refund or compensation, what the customer gets.
    customer_charge = models.DecimalField(_("customer pays"), max_digits=12, decimal_places=2, default=0, db_default=0)
    status = models.CharField(_("status"), max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PENDING)
    progress_note = models.TextField(_("progress"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="plan_measure_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(customer_charge__gte=0), name="plan_measure_charge_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind}"


class ApprovalRule(models.Model):
    """When a plan needs a leader's approval: a measure of ``measure_kind`` (or any measure, when
    empty) with an amount of at least ``min_amount``, or — with no kind — a total budget of at
    least ``min_amount``. Configured by the administrator."""

    name = models.CharField(_("name"), max_length=100)
    measure_kind = models.CharField(_("measure"), max_length=24, choices=MeasureKind.choices, blank=True)
    min_amount = models.DecimalField(_("minimum amount"), max_digits=12, decimal_places=2, default=0)
    approver_role = models.CharField(
        _("approver role"),
        max_length=32,
        choices=[("supervisor", _("Supervisor")), ("administrator", _("Administrator"))],
        default="supervisor",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["measure_kind", "min_amount"]

    def __str__(self) -> str:
        return self.name


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ApprovalRequest(models.Model):
    plan = models.ForeignKey(TicketPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="approvals")
    rule = models.ForeignKey(
        ApprovalRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approver_role = models.CharField(_("approver role"), max_length=32, default="supervisor")
    reason = models.TextField(_("why approval is needed"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(status="pending"), name="approval_request_one_pending_per_plan"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.status}"


class AgreementDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class AgreementMethod(models.TextChoices):
    PORTAL = "portal", _("In the customer portal")
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    SIGNED_DOCUMENT = "signed_document", _("Signed agreement")


def agreement_upload_to(instance: CustomerAgreement, filename: str) -> str:
    return upload_path(f"agreements/{instance.plan_id}", instance, filename)


class CustomerAgreement(models.Model):
    """The customer's answer to a plan (客户确认): who recorded it, how and when."""

    plan = models.ForeignKey(TicketPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="agreements")
    decision = models.CharField(_("decision"), max_length=16, choices=AgreementDecision.choices)
    method = models.CharField(_("how"), max_length=24, choices=AgreementMethod.choices)
    agreed_at = models.DateTimeField(_("when the customer answered"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    note = models.TextField(_("note"), blank=True)
    document = models.FileField(_("signed agreement"), upload_to=agreement_upload_to, max_length=200, blank=True)
    document_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("customer agreement")
        verbose_name_plural = _("customer agreements")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.decision}"
