"""Every change to the revisits: scheduling (the periodic job) and the calls."""

from .calls import CallInput, max_attempts, revisit_cancel, revisit_record_call
from .scheduling import ScheduleResult, revisit_create, revisits_schedule

__all__ = [
    "CallInput",
    "ScheduleResult",
    "max_attempts",
    "revisit_cancel",
    "revisit_create",
    "revisit_record_call",
    "revisits_schedule",
]
