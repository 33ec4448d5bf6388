"""The monthly drafting run (``tasks.draft_monthly_settlements``): safe to run any number of
times — a month already drafted (or drafted and cancelled) is left alone."""

from __future__ import annotations

import datetime as dt
import logging

from aftersales.accounts.models import ServiceOutlet
from aftersales.core import clock
from aftersales.core.errors import DomainError

from ..models import Settlement
from .drafting import previous_month, settlement_draft

logger = logging.getLogger("aftersales.outlets")


def draft_last_month(*, today: dt.date | None = None) -> int:
    start, end = previous_month(today or clock.local_today())
    done = set(Settlement.objects.filter(period_start=start, period_end=end).values_list("outlet_id", flat=True))
    drafted = 0
    for outlet in ServiceOutlet.objects.filter(active=True).exclude(pk__in=done).order_by("pk"):
        try:
            result = settlement_draft(outlet=outlet, actor=None, period_start=start, period_end=end, skip_empty=True)
        except DomainError as exc:  # e.g. a statement drafted by hand for part of the month
            logger.warning("outlet %s: no statement for %s: %s", outlet.code, start, exc.code)
            continue
        drafted += int(result.created)
    if drafted:
        logger.info("drafted %s settlement statements for %s", drafted, start)
    return drafted
