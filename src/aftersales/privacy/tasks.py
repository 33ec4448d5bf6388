"""Background jobs of the privacy app (django-tasks). Jobs take ids and call services.

* ``prepare_privacy_export`` builds a customer's copy once (a second run, or a stale one, finds
  it built and does nothing); a failed attempt is queued again with backoff.
* ``resume_privacy_exports`` is the periodic safety net for a copy whose job was lost or failed
  too often (every ten minutes, ``core/schedule.py``).
* ``apply_retention_periods`` (daily) erases what the retention periods no longer allow us to keep.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from aftersales.core.outage import DATABASE_DOWN

from .services import privacy_apply_retention, privacy_export_build, privacy_export_failed, privacy_exports_stalled

logger = logging.getLogger("aftersales.privacy")


@task()
def prepare_privacy_export(request_id: int) -> str:
    """Build one queued copy: "built", "skipped" (built already, withdrawn) or "retry"."""
    try:
        return privacy_export_build(request_id=request_id)
    except DATABASE_DOWN:
        return "retry"  # nothing can be recorded now; the periodic sweep queues it again
    except Exception:  # counted on the request and queued again with backoff
        logger.exception("The copy of personal data request %s could not be prepared", request_id)
        privacy_export_failed(request_id=request_id)
        return "retry"


@task()
def resume_privacy_exports() -> int:
    """Periodic: queue again the copies still not built ten minutes after they were asked for."""
    return len(privacy_exports_stalled())


@task()
def apply_retention_periods() -> dict[str, Any]:
    return privacy_apply_retention()
