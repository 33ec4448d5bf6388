"""Background jobs of the quality app (django-tasks). Idempotent: a second run changes nothing."""

from __future__ import annotations

from django_tasks import task

from .overview import warm_overview
from .rollup import fault_rollup_refresh


@task()
def refresh_fault_rollup() -> int:
    """Periodic (every 10 minutes): the fault rollups brought up to date with the tickets,
    appraisals and work-order parts changed since the last run. Returns the records written."""
    written = fault_rollup_refresh()
    warm_overview()  # the unfiltered overview, ready for the first reader
    return written
