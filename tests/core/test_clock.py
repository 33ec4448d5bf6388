"""The clock: aware datetimes, local day in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aftersales.core import clock
from tests.clock import freeze_time


@freeze_time("2026-11-22T16:30:00Z")
def test_now_is_aware_and_the_local_day_is_already_tomorrow_in_shanghai():
    assert timezone.is_aware(clock.now())
    assert clock.now() == dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC)
    assert clock.local_now().utcoffset() == dt.timedelta(hours=8)
    assert clock.local_today() == dt.date(2026, 11, 23)
    assert clock.local_date(clock.now()) == dt.date(2026, 11, 23)


@freeze_time("2026-11-22T16:30:00Z")
def test_local_day_is_the_configured_zone_even_when_a_request_activated_another():
    # A per-user time zone (activated for display) must not move the business day, or ticket
    # numbers and SLA days would depend on who happened to be signed in.
    with timezone.override("UTC"):
        assert clock.local_today() == dt.date(2026, 11, 23)
        assert clock.local_date(clock.now()) == dt.date(2026, 11, 23)
