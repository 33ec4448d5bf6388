"""Background jobs of imports (django-tasks). Each takes the job's id and is idempotent: a job
that is not in the pass's status, or is being run elsewhere (fresh heartbeat), is left alone."""

from __future__ import annotations

from django_tasks import task

from . import running


@task()
def preview_import(job_id: int) -> bool:
    return running.run_preview(job_id)


@task()
def commit_import(job_id: int) -> bool:
    return running.run_commit(job_id)


@task()
def resume_stalled_imports() -> int:
    """Periodic: enqueue again the imports whose pass stopped (a worker killed mid-file).
    Returns how many were enqueued."""
    stalled = running.stalled_imports()
    for job_id, status in stalled:
        (commit_import if status == running.S.COMMITTING else preview_import).enqueue(job_id)
    return len(stalled)


@task()
def purge_old_import_files() -> int:
    """Daily: delete uploaded import files past ``IMPORT_KEEP_DAYS`` (``services.import_purge_old_files``)."""
    # Imported here: services imports this module for the pass jobs (a real cycle).
    from .services import import_purge_old_files

    return import_purge_old_files()
