"""Background jobs of scheduled reports (django-tasks).

``send_due_reports`` is periodic (every 5 minutes, core/schedule.py): it sends each due period's
report once and retries the failed ones whose backoff has passed. Running it twice at the same
moment (two schedulers, a slow worker) sends nothing twice: see ``services.send_due_reports``."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def send_due_reports() -> dict[str, int]:
    result = services.send_due_reports()
    return {"claimed": result.claimed, "sent": result.sent, "retrying": result.retrying, "failed": result.failed}
