"""Run real services at a moment in the past, so demo history is genuine history.

The demo tickets are registered through ``ticket_intake`` and moved through ``ticket_transition``
and friends. Those services take the time from ``aftersales.core.clock``, which reads
``django.utils.timezone.now``; ``auto_now`` fields (audit rows, notifications) read it too. Setting
``created_at`` back afterwards with ``.update()`` would leave today's date in every ticket number
(``SH<today>-…``), SLA due times counted from today and audit rows that disagree with the timeline.
Instead, while a step of the demo story runs, ``timezone.now`` answers the story's moment: the
number, the due times, the timeline event and the audit row all agree, exactly as if an agent had
done it then. This is used only by the single-threaded ``demo_data`` command, never by a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone


@contextmanager
def simulated_now(moment: dt.datetime) -> Iterator[None]:
    """Within the block, ``timezone.now()`` (hence ``clock.now()``) returns ``moment``."""
    if timezone.is_naive(moment):
        raise ValueError("simulated_now needs an aware datetime")
    if moment > timezone.now():
        raise ValueError("demo history cannot be in the future")
    original = timezone.now
    timezone.now = lambda: moment  # the module attribute every caller looks up at call time
    try:
        yield
    finally:
        timezone.now = original
