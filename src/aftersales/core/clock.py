"""The one place that tells the time.

Services that reason about time (numbering, SLA, warranty) take ``now`` from here so tests can
freeze or move it, and so every datetime is aware.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current aware datetime (UTC-based, as Django stores it)."""
    return timezone.now()


def local_now() -> dt.datetime:
    """The current time in the configured zone (settings.TIME_ZONE, Asia/Shanghai by default).

    The configured zone, not whichever zone a request may have activated for display: the
    business day (ticket numbers, SLA days, warranty dates) must not depend on who is signed in.
    """
    return timezone.localtime(timezone.now(), timezone.get_default_timezone())


def local_today() -> dt.date:
    return local_now().date()


def local_date(value: dt.datetime) -> dt.date:
    """The business day (in the configured zone) of an aware datetime."""
    return timezone.localtime(value, timezone.get_default_timezone()).date()
