"""Retention of inbound mail (PIPL): after ``MAILIN_KEEP_DAYS`` (default 90) a received message's
raw bytes, addresses, subject and text are emptied, held mail included (a held message nobody
decided on is closed as ignored). The row stays with its Message-ID and hash, so the same
message delivered again is still recognised and not turned into a second ticket; the ticket's
copy of the message (its timeline entry and attachments) stays with the ticket.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core import clock
from aftersales.core.i18n import deferred

from . import config, parsing
from .models import InboundMessage, InboundStatus

logger = logging.getLogger("aftersales.mailin")
BATCH = 500


def mailin_purge_old_messages(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Empty every message received more than ``MAILIN_KEEP_DAYS`` ago and not yet purged, in
    batches (one transaction each). Returns the counts; running it again changes nothing."""
    now = now or clock.now()
    days = config.keep_days()
    cutoff = now - dt.timedelta(days=days)
    due = InboundMessage.objects.filter(received_at__lt=cutoff, purged_at__isnull=True)
    purged = closed = 0
    while True:
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        reason = deferred(_("Content deleted after %(days)d days (retention period for received mail)."), days=days)
        with transaction.atomic():
            batch = InboundMessage.objects.filter(pk__in=ids, purged_at__isnull=True)
            undecided = Q(status__in=[InboundStatus.HELD, InboundStatus.NEW])
            # A reason may quote the sender's address: replaced wherever there was one (and given
            # to the undecided ones, which an ignored message needs).
            batch.filter(undecided | ~Q(reason="")).update(reason=parsing.english(reason)[:2000], reason_text=reason)
            # Held mail nobody decided on: closed, so the held queue does not list empty messages.
            closed += batch.filter(undecided).update(status=InboundStatus.IGNORED, processed_at=now)
            purged += batch.update(
                raw=b"",
                mail_from="",
                sender="",
                mail_to="",
                subject="",
                body_text="",
                body_html="",
                attachment_names=[],
                purged_at=now,
            )
    if purged:
        logger.info("purged %d inbound messages older than %d days (%d held ones closed)", purged, days, closed)
    return {"purged": purged, "held_closed": closed, "keep_days": days}
