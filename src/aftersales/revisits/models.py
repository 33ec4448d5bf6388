"""Revisits (回访): the calls the company owes its customers.

* **Periodic** revisits keep the promise of seed 001: a key customer at least every six months,
  a long-term customer at least once a year (``RevisitPolicy``, one row per tier).
* **After-ticket** revisits ask how a finished job went, some days after a ticket is closed
  (``AfterTicketRule``, one row per request type: a repair, 7 days).

``tasks.schedule_revisits`` creates the due ``Revisit`` rows; the database makes it happen once
(one row per customer and period, one per ticket, one open periodic revisit per customer). Each
call an agent makes is a ``RevisitCall``; a complaint about a member of staff raised on a call is
a ``StaffComplaint`` (read by the staff performance figures).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import CustomerTier
from aftersales.feedback.models import RATING_FIELDS
from aftersales.tickets.choices import RequestType


class RevisitReason(models.TextChoices):
    PERIODIC = "periodic", _("Regular care call")
    AFTER_TICKET = "after_ticket", _("After a ticket")


class RevisitStatus(models.TextChoices):
    DUE = "due", _("To call")
    RETRY = "retry", _("Not reached, call again")
    ESCALATED = "escalated", _("Escalated")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (RevisitStatus.DUE, RevisitStatus.RETRY, RevisitStatus.ESCALATED)


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class RevisitPolicy(models.Model):
    """How often customers of one tier are called at least (the defaults come from seed 001)."""

    tier = models.CharField(_("customer tier"), max_length=16, choices=CustomerTier.choices, unique=True)
    interval_months = models.PositiveSmallIntegerField(_("at least every (months)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("revisit policy")
        verbose_name_plural = _("revisit policies")
        ordering = ["interval_months", "tier"]
        constraints = [models.CheckConstraint(condition=Q(interval_months__gte=1), name="revisit_policy_interval_positive")]

    def __str__(self) -> str:
        return f"{self.get_tier_display()}: {self.interval_months}"


class AfterTicketRule(models.Model):
    """A revisit some days after a ticket of this request type is closed."""

    request_type = models.CharField(_("request type"), max_length=16, choices=RequestType.choices, unique=True)
    days_after_close = models.PositiveSmallIntegerField(_("days after closing"), default=7)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("after-ticket revisit rule")
        verbose_name_plural = _("after-ticket revisit rules")
        ordering = ["request_type"]

    def __str__(self) -> str:
        return f"{self.get_request_type_display()}: {self.days_after_close}"


class Revisit(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="revisits"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=RevisitReason.choices)
    # The natural key: a periodic revisit's period is the day it falls due; an after-ticket
    # revisit's is its ticket.
    period = models.DateField(_("period"), null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.CASCADE, related_name="revisits"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=RevisitStatus.choices, default=RevisitStatus.DUE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisits",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(_("unreached attempts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices, blank=True)
    raised_ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("new ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("revisit")
        verbose_name_plural = _("revisits")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="revisit_status_due_idx"),
            models.Index(fields=["assignee", "status", "due_date"], name="revisit_assignee_idx"),
            models.Index(fields=["customer", "status"], name="revisit_customer_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "period"], condition=Q(reason="periodic"), name="revisit_one_per_customer_period"
            ),
            models.UniqueConstraint(fields=["ticket"], condition=Q(reason="after_ticket"), name="revisit_one_per_ticket"),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(reason="periodic", status__in=["due", "retry", "escalated"]),
                name="revisit_one_open_periodic_per_customer",
            ),
            models.CheckConstraint(
                condition=(Q(reason="periodic", period__isnull=False, ticket__isnull=True))
                | Q(reason="after_ticket", ticket__isnull=False),
                name="revisit_key_matches_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"RV{self.pk:06d}" if self.pk else "RV"

    @property
    def code(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RevisitCall(models.Model):
    """One call made for a revisit, as the agent recorded it."""

    revisit = models.ForeignKey(Revisit, verbose_name=_("revisit"), on_delete=models.CASCADE, related_name="calls")
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("called by"), on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField(_("called at"))
    overall = models.PositiveSmallIntegerField(_("overall satisfaction"), null=True, blank=True)
    speed = models.PositiveSmallIntegerField(_("speed"), null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("attitude"), null=True, blank=True)
    professionalism = models.PositiveSmallIntegerField(_("professionalism"), null=True, blank=True)
    result = models.PositiveSmallIntegerField(_("result"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("likelihood to recommend (0–10)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    new_problem = models.TextField(_("new problem"), blank=True)
    raised_ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("new ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("revisit call")
        verbose_name_plural = _("revisit calls")
        ordering = ["called_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__lte=10), name="revisit_call_nps_0_to_10"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"revisit_call_{name}_1_to_5",
                )
                for name in RATING_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.revisit} {self.called_at:%Y-%m-%d %H:%M}"


class StaffComplaint(models.Model):
    """A customer's complaint about a member of staff, raised on a revisit call."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="complaints"
    )
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+")
    revisit = models.ForeignKey(
        Revisit, verbose_name=_("revisit"), null=True, blank=True, on_delete=models.CASCADE, related_name="complaints"
    )
    call = models.ForeignKey(
        RevisitCall, verbose_name=_("call"), null=True, blank=True, on_delete=models.CASCADE, related_name="complaints"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("complaint"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("complaint about staff")
        verbose_name_plural = _("complaints about staff")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["staff", "created_at"], name="staff_complaint_staff_idx")]

    def __str__(self) -> str:
        return f"{self.staff} {self.created_at:%Y-%m-%d}"
