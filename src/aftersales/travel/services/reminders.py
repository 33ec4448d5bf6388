"""Reminders of cash advances overdue for settlement (借款逾期未冲销提醒): the technician who holds
the money and finance in scope hear of each paid advance past its ``settle_due_on``
(``settlement``) — first when it becomes overdue, then again every ``TRAVEL_ADVANCE_SETTLE_DAYS``
days while it stays unsettled.

Idempotent and safe with several workers: each advance is claimed with one conditional
``UPDATE`` of ``settle_reminded_at`` (still paid, still overdue, not reminded in this period) in
its own transaction; only the run whose update changed the row writes the audit row and the
messages, in that same transaction. A second run the same day finds nothing to claim; two
workers at once claim each advance once (PostgreSQL re-checks the condition after the first
one's commit). The document's ``version`` is not raised: a reminder changes nothing a reader
decides on.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from aftersales.audit.services import audit_record
from aftersales.core import clock

from .. import notify, settlement
from ..audit_actions import TravelAudit
from ..models import AdvanceStatus, CashAdvance


def _overdue(*, paid_before: dt.datetime, reminded_before: dt.datetime) -> Q:
    return Q(status=AdvanceStatus.PAID, paid_at__lt=paid_before) & (
        Q(settle_reminded_at__isnull=True) | Q(settle_reminded_at__lt=reminded_before)
    )


@transaction.atomic
def _remind(pk: int, *, condition: Q, now: dt.datetime, today: dt.date, days: int) -> bool:
    claimed = CashAdvance.objects.filter(condition, pk=pk).update(settle_reminded_at=now)
    if not claimed:  # settled meanwhile, or another worker reminded it
        return False
    advance = CashAdvance.objects.select_related("technician").get(pk=pk)
    assert advance.paid_at is not None  # the condition: paid before a moment
    since = settlement.days_since_paid(advance.paid_at, today=today)
    due = settlement.settle_due_on(advance.paid_at, days=days)
    audit_record(
        action=TravelAudit.ADVANCE_OVERDUE_REMINDED,
        obj=advance,
        actor=None,
        changes={"amount": str(advance.amount), "settle_due_on": due.isoformat(), "days_since_paid": since},
    )
    notify.advance_overdue(advance, days_since_paid=since, due_on=due)
    return True


def advances_remind_overdue() -> int:
    """Remind of every paid advance overdue for settlement that was not reminded in the last
    ``TRAVEL_ADVANCE_SETTLE_DAYS`` days (nothing when the setting is 0). Returns how many advances
    were reminded of."""
    days = settlement.settle_days()
    today = clock.local_today()
    paid_before = settlement.overdue_if_paid_before(today=today, days=days)
    if paid_before is None:
        return 0
    condition = _overdue(
        paid_before=paid_before, reminded_before=settlement.remind_again_if_reminded_before(today=today, days=days)
    )
    now = clock.now()
    candidates = list(CashAdvance.objects.filter(condition).order_by("pk").values_list("pk", flat=True))
    return sum(_remind(pk, condition=condition, now=now, today=today, days=days) for pk in candidates)
