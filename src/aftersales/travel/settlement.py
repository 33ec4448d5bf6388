"""When a paid advance is overdue for settlement (借款逾期未冲销) — the rule, in one place.

``TRAVEL_ADVANCE_SETTLE_DAYS`` (N, calendar days, 30 by default; 0 turns the rule off): a cash
advance paid on local day D is to be settled by a posted reimbursement by D + N
(``settle_due_on``); still paid (not settled) after that day, it is overdue. Paid on 1 March with
N = 30: to settle by 31 March, overdue from 1 April (31 days after it was paid).

The setting is read here only, and checked when first used: a value that is not a whole number
of days, 0 or more, is an ``ImproperlyConfigured`` naming it. Days are the configured zone's
(``core.clock``), as every business day of the product is.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from aftersales.core import clock

DEFAULT_SETTLE_DAYS = 30


def settle_days() -> int:
    """N, from ``settings.TRAVEL_ADVANCE_SETTLE_DAYS`` (30 when unset; 0: no advance is ever
    overdue and nobody is reminded)."""
    raw = getattr(settings, "TRAVEL_ADVANCE_SETTLE_DAYS", DEFAULT_SETTLE_DAYS)
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        value = int(raw.strip())
    if value is None or value < 0:
        raise ImproperlyConfigured(
            f"TRAVEL_ADVANCE_SETTLE_DAYS={raw!r}: give a whole number of calendar days, 0 or more "
            "(how long a paid cash advance may stay unsettled; 0 turns the reminders off)."
        )
    return value


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight of a local ``day`` (the configured zone), aware."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def settle_due_on(paid_at: dt.datetime, *, days: int) -> dt.date:
    """The last day to settle an advance paid at ``paid_at``: its local day + ``days``."""
    return clock.local_date(paid_at) + dt.timedelta(days=days)


def days_since_paid(paid_at: dt.datetime, *, today: dt.date) -> int:
    return (today - clock.local_date(paid_at)).days


def overdue_if_paid_before(*, today: dt.date, days: int) -> dt.datetime | None:
    """The instant before which a payment makes a still-paid advance overdue ``today`` (its day +
    ``days`` is before today: paid before the start of the local day ``today − days``); None when
    the rule is off (``days`` 0). A timestamp, so the databases compare it as it is."""
    if days <= 0:
        return None
    return start_of_day(today - dt.timedelta(days=days))


def remind_again_if_reminded_before(*, today: dt.date, days: int) -> dt.datetime:
    """The instant before which the last reminder makes the next one due ``today``: reminded on a
    local day at least ``days`` before today (every ``days`` days while it stays unsettled)."""
    return start_of_day(today - dt.timedelta(days=days - 1))
