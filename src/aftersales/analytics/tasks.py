"""Background jobs of analytics (django-tasks).

``refresh_analytics`` brings the facts and rollups up to date; run it every 5 minutes
(core/schedule.py). ``rebuild_analytics`` recomputes everything; run it nightly. Both are
idempotent; the full recomputation commits in chunks and a run that stopped part-way is resumed
by the next one (``services/full.py``).
"""

from __future__ import annotations

from django_tasks import task

from .services import analytics_refresh


@task(queue_name="default")
def refresh_analytics() -> int:
    """Refresh what changed since the last run; returns how many tickets were recomputed."""
    return analytics_refresh().tickets


@task(queue_name="default")
def rebuild_analytics() -> int:
    """Recompute every ticket's facts and every rollup."""
    return analytics_refresh(full=True).tickets
