"""Background jobs of exports (django-tasks). Each is idempotent: an export that is done, or
being written by a live run, is left alone (``running``)."""

from __future__ import annotations

from django_tasks import task

from . import running


@task()
def export_run(export_id: int) -> str:
    """Write one export's file; a failed attempt is enqueued again (up to ``MAX_ATTEMPTS``)."""
    outcome = running.run_export(export_id)
    if outcome == running.Outcome.RETRY:
        export_run.enqueue(export_id)
    return str(outcome)


@task()
def resume_stalled_exports() -> int:
    """Periodic: enqueue again the exports whose job was lost or whose worker died."""
    stalled = running.stalled_exports()
    for export_id in stalled:
        export_run.enqueue(export_id)
    return len(stalled)


@task()
def purge_old_exports() -> int:
    """Daily: delete the exports finished more than ``EXPORT_KEEP_DAYS`` (7) days ago, file and row."""
    return running.purge_old_exports()
