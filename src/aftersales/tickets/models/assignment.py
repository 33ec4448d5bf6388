"""Assignment: rules that place new tickets, staff skills, availability and absences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..choices import Channel, RequestType
from .ticket import TicketCategory


class AssignmentMethod(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class AssignmentRule(models.Model):
    """Who gets a new ticket. The active rules are tried in order; the first whose conditions
    all match (an empty condition matches anything) and whose team has somebody available
    picks one of them, by turns or by the fewest open tickets. docs/assignment.md."""

    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Lower is tried first."))
    # Conditions on the ticket.
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Tickets of this region or of a region within it; empty: any region."),
    )
    category = models.ForeignKey(
        TicketCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: any category, also a ticket not classified yet."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    request_type = models.CharField(_("request type"), max_length=16, choices=RequestType.choices, blank=True)
    # Who gets it.
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    members_of_ticket_region = models.BooleanField(
        _("only members of the ticket's region"),
        default=False,
        help_text=_("For a team that spans regions: only members whose region is the ticket's."),
    )
    method = models.CharField(_("method"), max_length=16, choices=AssignmentMethod.choices, default=AssignmentMethod.ROUND_ROBIN)
    # The round-robin cursor: the member who got the rule's last ticket (updated under the
    # rule's row lock, so two assignments at once never both read the same cursor).
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_assigned_at = models.DateTimeField(_("last assigned at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class StaffSkill(models.Model):
    """A complaint category and/or a product line a staff member handles. When members of a
    rule's team declare skills, a ticket goes to those skilled for it first, then to the
    members who declared none."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="assignment_skills"
    )
    category = models.ForeignKey(
        TicketCategory, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    product_category = models.ForeignKey(
        "catalog.ProductCategory",
        verbose_name=_("product category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("staff skill")
        verbose_name_plural = _("staff skills")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=False) | Q(product_category__isnull=False), name="staff_skill_names_something"
            ),
            # One row per user and skill (NULLs are distinct in a plain unique key: one per shape).
            models.UniqueConstraint(
                fields=["user", "category"], condition=Q(product_category__isnull=True), name="staff_skill_category_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "product_category"], condition=Q(category__isnull=True), name="staff_skill_product_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "category", "product_category"],
                condition=Q(category__isnull=False, product_category__isnull=False),
                name="staff_skill_both_unique",
            ),
        ]

    def __str__(self) -> str:
        return " · ".join(str(part) for part in (self.user, self.category, self.product_category) if part)


class StaffAvailability(models.Model):
    """Whether a staff member takes new tickets from the assignment rules, and how many open
    tickets at most. Without a row: yes, without a limit. Manual assignment ignores it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="availability"
    )
    accepts_new_tickets = models.BooleanField(_("accepts new tickets"), default=True)
    max_open_tickets = models.PositiveSmallIntegerField(
        _("open tickets at most"), null=True, blank=True, help_text=_("Empty: no limit.")
    )

    class Meta:
        verbose_name = _("staff availability")
        verbose_name_plural = _("staff availability")

    def __str__(self) -> str:
        return str(self.user)


class StaffAbsence(models.Model):
    """Leave, training, sickness: while it lasts the assignment rules pass the person over."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="absences"
    )
    starts_at = models.DateTimeField(_("absent from"))
    ends_at = models.DateTimeField(_("absent until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("staff absence")
        verbose_name_plural = _("staff absences")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "ends_at"], name="staff_absence_user_end_idx")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="staff_absence_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"
