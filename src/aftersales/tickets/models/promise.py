"""The date by which the customer is promised a solution (承诺解决时间), with every revision.

SPEC §2: "a solution within 48 h, or, for a complex problem, tell the customer within 48 h when it
will be solved". A ticket keeps every promise it was given; exactly one is current (the latest).
Written by ``tickets.process.promise``; the SLA's overdue check marks ``overdue_warned_at``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket


class SolutionPromise(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="solution_promises")
    # 1 for the first promise, 2 for its first revision …
    revision = models.PositiveSmallIntegerField(_("revision"))
    is_current = models.BooleanField(_("current promise"), default=True)
    promised_date = models.DateField(_("promised solution date"))
    # Optional: without a time the promise holds until the end of the day (Asia/Shanghai).
    promised_time = models.TimeField(_("promised time"), null=True, blank=True)
    # The moment the promise is broken: the time given, else the next midnight in Asia/Shanghai.
    deadline = models.DateTimeField(_("kept until"))
    # Shown to the customer as written (e.g. "the part must come from the factory").
    reason = models.TextField(_("reason"), blank=True, default="")
    # A revision that moves the date later than the promise it replaces (it needed a reason).
    later_than_before = models.BooleanField(_("later than the previous promise"), default=False)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    given_at = models.DateTimeField(_("given at"))
    # Set once when the deadline passed with the ticket not resolved (the assignee was warned).
    overdue_warned_at = models.DateTimeField(_("overdue warning sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("promised solution date")
        verbose_name_plural = _("promised solution dates")
        ordering = ("ticket", "revision")
        constraints = [
            models.UniqueConstraint(fields=("ticket", "revision"), name="solution_promise_revision_unique"),
            models.UniqueConstraint(fields=("ticket",), condition=Q(is_current=True), name="solution_promise_one_current"),
        ]
        indexes = [
            # The overdue check: current promises past their deadline and not yet warned.
            models.Index(
                fields=("deadline",),
                name="solution_promise_due_idx",
                condition=Q(is_current=True, overdue_warned_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} #{self.revision} {self.promised_date.isoformat()}"

    @property
    def is_revision(self) -> bool:
        return self.revision > 1

    def is_overdue(self, *, now: dt.datetime, ticket_open: bool) -> bool:
        """Broken: the deadline passed while the ticket is still not resolved."""
        return ticket_open and self.deadline <= now
