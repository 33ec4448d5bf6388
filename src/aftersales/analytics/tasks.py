"""Background jobs of analytics (django-tasks).

``refresh_analytics`` brings the facts and rollups up to date; run it every 5 minutes
(core/schedule.py); after a run that changed the rollups, and on the first run of a new day, it
renders the default KPI tables and dashboard into the cache (``warm.py``). ``rebuild_analytics`` recomputes everything; run it
nightly. Both are
idempotent; the full recomputation commits in chunks and a run that stopped part-way is resumed
by the next one (``services/full.py``).
"""

from __future__ import annotations

from django_tasks import task

from .services import analytics_refresh
from .warm import warm_after_refresh


@task(queue_name="default")
def refresh_analytics() -> int:
    """Refresh what changed since the last run, then, if it changed the rollups, render the
    default views ahead (``warm.py``); returns how many tickets were recomputed."""
    result = analytics_refresh()
    warm_after_refresh(changed=result.changed, staff_changed=result.staff_changed)
    return result.tickets


@task(queue_name="default")
def rebuild_analytics() -> int:
    """Recompute every ticket's facts and every rollup (then warm the default views likewise)."""
    result = analytics_refresh(full=True)
    warm_after_refresh(changed=result.changed, staff_changed=result.staff_changed)
    return result.tickets
