"""Maintained aggregates for the supervisor dashboard (no full scan per request)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketCount(models.Model):
    """How many tickets have this status, category and region — exact to the last commit.

    Written in the same transaction as every ticket insert, status change and category change
    (``analytics.counts``), and by the bulk path. ``category_key`` / ``region_key`` are the ids,
    0 for none (a NULL would defeat the unique key that the upsert needs). ``slot`` spreads the
    rows of one key so that concurrent intakes rarely wait on the same row: the count of a key is
    the sum over its slots. ``n`` may be negative in one slot (a ticket counted in slot 3 and
    moved on in slot 5); only the sums mean anything.
    """

    status = models.CharField(_("status"), max_length=24)
    category_key = models.PositiveIntegerField(_("category"), default=0)
    region_key = models.PositiveIntegerField(_("region"), default=0)
    slot = models.PositiveSmallIntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket count")
        verbose_name_plural = _("ticket counts")
        constraints = [
            models.UniqueConstraint(fields=["status", "category_key", "region_key", "slot"], name="ticket_count_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.status}/{self.category_key}/{self.region_key}#{self.slot}: {self.n}"
