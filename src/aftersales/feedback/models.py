"""Satisfaction surveys (满意度评价): one per resolution, answered through a signed link."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the customer")
    SUBMITTED = "submitted", _("Answered")
    EXPIRED = "expired", _("Expired")


RATING_FIELDS = ("overall", "speed", "attitude", "professionalism", "result")


class Survey(models.Model):
    """A satisfaction survey sent when a ticket is resolved; the token is the customer's key."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="surveys")
    token = models.CharField(_("token"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.PENDING)
    round = models.PositiveSmallIntegerField(_("round"), default=0, help_text=_("The ticket's escalation level when sent."))
    overall = models.PositiveSmallIntegerField(_("overall satisfaction"), null=True, blank=True)
    speed = models.PositiveSmallIntegerField(_("speed"), null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("attitude"), null=True, blank=True)
    professionalism = models.PositiveSmallIntegerField(_("professionalism"), null=True, blank=True)
    result = models.PositiveSmallIntegerField(_("result"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(status="pending"), name="survey_one_pending_per_ticket"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True}) | models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"survey_{name}_1_to_5",
                )
                for name in RATING_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} survey {self.round}"
