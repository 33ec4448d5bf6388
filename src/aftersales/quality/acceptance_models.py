"""The quality manager's acceptance of results (质量验收, docs/quality.md): the rule that says
which resolved tickets wait for it, and one record per wait with the decision and its checklist."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AcceptanceMode(models.TextChoices):
    NONE = "none", _("No ticket needs acceptance")
    MATCHING = "matching", _("Tickets that meet a condition below")
    ALL = "all", _("Every ticket")


class AcceptanceRule(models.Model):
    """The one acceptance rule (a single row; without one the defaults apply): which resolved
    tickets wait for the quality manager's acceptance before they are archived. Edited in
    /admin/ by administrators."""

    SINGLETON_PK = 1

    mode = models.CharField(_("tickets that need acceptance"), max_length=16, choices=AcceptanceMode.choices, default="matching")
    urgent = models.BooleanField(_("urgent priority"), default=True)
    serious = models.BooleanField(_("serious severity"), default=True)
    safety = models.BooleanField(_("safety hazard"), default=True)
    money_measures = models.BooleanField(
        _("refund, exchange or compensation"),
        default=True,
        help_text=_("A measure of the current plan is a refund, an exchange or a compensation."),
    )
    reopened = models.BooleanField(
        _("reopened ticket"), default=True, help_text=_("The ticket went through secondary processing at least once.")
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("acceptance rule")
        verbose_name_plural = _("acceptance rule")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="quality_acceptance_rule_single")]

    def __str__(self) -> str:
        return str(AcceptanceMode(self.mode).label)


class AcceptanceDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for acceptance")
    ACCEPTED = "accepted", pgettext_lazy("acceptance", "Accepted")
    RETURNED = "returned", _("Sent back for rework")
    WITHDRAWN = "withdrawn", _("Reopened by the customer")


class AcceptanceVia(models.TextChoices):
    """How the ticket would have closed (``tickets.process.acceptance.AcceptanceVia``)."""

    CUSTOMER = "customer", _("The customer confirmed")
    SURVEY = "survey", _("The survey said solved")
    STAFF = "staff", _("Closed by an agent")
    AUTO = "auto", _("Closed automatically")


class ResultAcceptance(models.Model):
    """One wait for the quality manager's acceptance: why and how it started, and the decision
    with the checklist as it stood then (``acceptance_checklist``) and the comment."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="result_acceptances"
    )
    requested_at = models.DateTimeField(_("waiting since"))
    requested_via = models.CharField(_("sent for acceptance when"), max_length=16, choices=AcceptanceVia.choices)
    reasons = models.JSONField(_("why it needs acceptance"), default=list, blank=True)
    decision = models.CharField(
        pgettext_lazy("acceptance", "decision"),
        max_length=16,
        choices=AcceptanceDecision.choices,
        default=AcceptanceDecision.PENDING,
    )
    decided_at = models.DateTimeField(pgettext_lazy("acceptance", "decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("acceptance", "decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("result acceptance")
        verbose_name_plural = _("result acceptances")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(decision="pending"), name="quality_one_pending_acceptance"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.decision}"
