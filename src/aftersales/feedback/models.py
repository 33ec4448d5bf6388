"""Satisfaction surveys (满意度评价): one per resolution, answered through a signed link, asking
the questions of the survey settings in force when it was sent (``SurveySettings``, versioned)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the customer")
    SUBMITTED = "submitted", _("Answered")
    EXPIRED = "expired", _("Expired")


RATING_FIELDS = ("overall", "speed", "attitude", "professionalism", "result")
# What a survey can ask besides the 1–5 aspects: "was it solved?" and the 0–10 recommendation (NPS).
SOLVED = "solved"
NPS = "nps"
# What a survey sent before the settings existed asked (``Survey.questions`` empty).
LEGACY_QUESTIONS = (SOLVED, *RATING_FIELDS)


class SendDelay(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately when resolved")
    HOURS = "hours", _("A number of hours after the resolution")
    NEXT_WORKING_DAY = "next_working_day", _("The next working day at a set time")


class SurveySettings(models.Model):
    """One version of the satisfaction survey's settings. Saving makes a new version (rows are
    never changed); the highest version is in force, and each survey keeps the version and the
    questions it was sent with. Without any row the built-in defaults apply
    (``selectors.survey_settings_current``)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    aspects = models.JSONField(
        _("aspects asked"), default=list, blank=True, help_text=_("The 1–5 aspects asked, in the order shown.")
    )
    ask_solved = models.BooleanField(_("ask whether the problem is solved"), default=True)
    ask_nps = models.BooleanField(_("ask how likely the customer is to recommend us (0–10)"), default=True)
    comment_prompt_zh = models.CharField(_("comment prompt (Chinese)"), max_length=200, blank=True)
    comment_prompt_en = models.CharField(_("comment prompt (English)"), max_length=200, blank=True)
    delay = models.CharField(_("when to send"), max_length=20, choices=SendDelay.choices, default=SendDelay.IMMEDIATELY)
    delay_hours = models.PositiveSmallIntegerField(_("hours after the resolution"), default=0)
    send_time = models.TimeField(_("time of day"), default=dt.time(10, 0))
    calendar = models.ForeignKey(
        "sla.Calendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminder_days = models.PositiveSmallIntegerField(_("reminder after (days)"), null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=30)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_days__gte=1), name="survey_settings_valid_days_positive"),
        ]

    def __str__(self) -> str:
        return f"survey settings v{self.version}"


class Survey(models.Model):
    """A satisfaction survey sent when a ticket is resolved; the token is the customer's key."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="surveys")
    token = models.CharField(_("token"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.PENDING)
    round = models.PositiveSmallIntegerField(_("round"), default=0, help_text=_("The ticket's escalation level when sent."))
    settings_version = models.ForeignKey(
        SurveySettings,
        verbose_name=_("settings version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    questions = models.JSONField(
        _("questions asked"),
        default=list,
        blank=True,
        help_text=_("In the order shown; empty: the questions of before the settings."),
    )
    overall = models.PositiveSmallIntegerField(_("overall satisfaction"), null=True, blank=True)
    speed = models.PositiveSmallIntegerField(_("speed"), null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("attitude"), null=True, blank=True)
    professionalism = models.PositiveSmallIntegerField(_("professionalism"), null=True, blank=True)
    result = models.PositiveSmallIntegerField(_("result"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("likelihood to recommend (0–10)"), null=True, blank=True)
    # When the invitation goes out: the planned time until it is sent, then the time it was sent.
    sent_at = models.DateTimeField(_("sent at"))
    notified_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    remind_at = models.DateTimeField(_("reminder due at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    # The next moment the survey's job has something to do (send, remind, expire); null: nothing.
    next_due_at = models.DateTimeField(_("next step due at"), null=True, blank=True)
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
            models.CheckConstraint(condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10), name="survey_nps_0_to_10"),
        ]
        indexes = [
            models.Index(fields=["next_due_at"], condition=models.Q(status="pending"), name="survey_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} survey {self.round}"

    @property
    def asked(self) -> tuple[str, ...]:
        """The questions this survey asks, in the order shown (solved, aspects, NPS)."""
        return tuple(self.questions) if self.questions else LEGACY_QUESTIONS
