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
    """The current time in the configured zone (Asia/Shanghai by default)."""
    return timezone.localtime(timezone.now())


def local_today() -> dt.date:
    return local_now().date()


def local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()
