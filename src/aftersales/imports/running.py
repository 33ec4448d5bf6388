"""Running an import's two passes for a job (called by its background jobs, ``tasks.py``, or at
once for a small file). A pass claims the job through its heartbeat (a conditional UPDATE), so
a job enqueued twice — a retry, the sweep of stalled imports — runs once at a time; a crash
leaves the checkpoint (``rows_done``) from which the commit resumes."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from aftersales.audit.services import audit_record
from aftersales.core import clock

from .audit_actions import ImportAudit
from .messages import message
from .models import ImportJob, ImportStatus
from .pipeline import Figures, Pass
from .reading import FileRefused
from .states import IMPORT_STATES

logger = logging.getLogger("aftersales.imports")
S = ImportStatus


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "IMPORT_STALE_MINUTES", 10)))


def _claim(job_id: int, status: str) -> ImportJob | None:
    now = clock.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id, status=status)
        .filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - stale_after()))
        .update(heartbeat_at=now, attempts=F("attempts") + 1, started_at=now)
    )
    return ImportJob.objects.select_related("committed_by").get(pk=job_id) if claimed else None


def _fail(job_id: int, status: str, *, file_error: dict | None = None, failure: str = "") -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != status:
            return
        IMPORT_STATES.check(job.status, S.FAILED)
        job.status = S.FAILED
        job.file_error = file_error or {}
        job.last_failure = failure[:2000]
        job.finished_at = clock.now()
        job.heartbeat_at = None
        job.save(update_fields=["status", "file_error", "last_failure", "finished_at", "heartbeat_at"])
        audit_record(
            action=ImportAudit.FAILED,
            obj=job,
            actor=job.committed_by or job.created_by,
            changes={"code": (file_error or {}).get("code", "failure"), "rows_done": job.rows_done},
        )


def _passing(job_id: int, status: str, run: Pass, job: ImportJob) -> Figures | None:
    try:
        with job.file.open("rb") as fileobj:
            return run.run(fileobj, job.original_name)
    except FileRefused as exc:
        _fail(job_id, status, file_error={"code": exc.code, "text": message(exc.code, **exc.params)})
    except Exception as exc:  # a job must record its failure, never vanish; retried from the page or the sweep
        logger.exception("import %s failed", job_id)
        _fail(job_id, status, failure=f"{type(exc).__name__}: {exc}")
    return None


def run_preview(job_id: int) -> bool:
    """Read and check the whole file; keep the figures, the first rows and the first errors."""
    job = _claim(job_id, S.PREVIEWING)
    if job is None:
        return False

    def progress(f: Figures) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=f.rows, total_rows=f.total, heartbeat_at=clock.now())

    figures = _passing(job_id, S.PREVIEWING, Pass(kind=job.kind, write=False, on_chunk=progress), job)
    if figures is None:
        return False
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job_id)
        if locked.status != S.PREVIEWING:
            return False
        IMPORT_STATES.check(locked.status, S.PREVIEWED)
        _keep(locked, figures)
        locked.status = S.PREVIEWED
        locked.file_format = figures.format
        locked.rows_done = 0
        locked.heartbeat_at = None
        locked.save()
    return True


def _keep(job: ImportJob, f: Figures) -> None:
    job.total_rows = f.rows
    job.new_rows, job.changed_rows, job.unchanged_rows = f.new, f.changed, f.unchanged
    job.error_rows, job.error_count = f.error_rows, f.error_count
    job.errors, job.preview = f.errors, f.preview
    job.ignored_columns = f.ignored


def run_commit(job_id: int) -> bool:
    """Write the file's valid rows, chunk by chunk, from the checkpoint on."""
    job = _claim(job_id, S.COMMITTING)
    if job is None:
        return False

    def progress(f: Figures) -> None:  # inside the chunk's transaction: the checkpoint moves with the rows
        ImportJob.objects.filter(pk=job_id).update(
            rows_done=f.rows, written_new=f.written_new, written_changed=f.written_changed, heartbeat_at=clock.now()
        )

    run = Pass(
        kind=job.kind,
        write=True,
        actor=job.committed_by,
        job_id=job_id,
        start_after=job.rows_done,
        figures=Figures(written_new=job.written_new, written_changed=job.written_changed),
        on_chunk=progress,
    )
    figures = _passing(job_id, S.COMMITTING, run, job)
    if figures is None:
        return False
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job_id)
        if locked.status != S.COMMITTING:
            return False
        IMPORT_STATES.check(locked.status, S.DONE)
        locked.status = S.DONE
        locked.rows_done = locked.total_rows = figures.rows
        locked.error_rows, locked.error_count, locked.errors = figures.error_rows, figures.error_count, figures.errors
        locked.written_new, locked.written_changed = figures.written_new, figures.written_changed
        locked.finished_at = clock.now()
        locked.heartbeat_at = None
        locked.save()
        audit_record(
            action=ImportAudit.COMPLETED,
            obj=locked,
            actor=locked.committed_by,
            changes={
                "kind": locked.kind,
                "rows": figures.rows,
                "created": figures.written_new,
                "updated": figures.written_changed,
                "rows_with_errors": figures.error_rows,
            },
        )
    return True


def stalled_imports() -> list[tuple[int, str]]:
    """(id, status) of the imports in a pass whose heartbeat stopped (or never started)."""
    cutoff = clock.now() - stale_after()
    return list(
        ImportJob.objects.filter(status__in=[S.PREVIEWING, S.COMMITTING])
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", "status")
    )
