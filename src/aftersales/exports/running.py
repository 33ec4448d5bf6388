"""Running an export (called by its background job, ``tasks.py``): claim it through a conditional
UPDATE, write the workbook to a temporary file with the progress stored every
``PROGRESS_EVERY`` rows, then store the file and mark it done — once. A job run twice (a retry,
the sweep) finds the export done, or running with a fresh heartbeat, and leaves it alone; a run
whose worker died (stale heartbeat) is claimed again and starts from the first row (an .xlsx
cannot be appended to)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import tempfile
from enum import StrEnum

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from aftersales.audit.services import audit_record
from aftersales.core import clock

from .audit_actions import ExportAudit
from .models import Export, ExportStatus
from .writing import write_xlsx

logger = logging.getLogger("aftersales.exports")
S = ExportStatus
# Attempts before an export that keeps failing is marked failed (each one from the first row).
MAX_ATTEMPTS = 3


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "EXPORT_STALE_MINUTES", 10)))


def keep_days() -> int:
    return int(getattr(settings, "EXPORT_KEEP_DAYS", 7))


def _claim(export_id: int) -> Export | None:
    """The export, now ours to write: queued, or running with a stale heartbeat (its worker died)."""
    now = clock.now()
    claimed = (
        Export.objects.filter(pk=export_id)
        .filter(
            Q(status=S.QUEUED)
            | Q(status=S.RUNNING, heartbeat_at__lt=now - stale_after())
            | Q(status=S.RUNNING, heartbeat_at__isnull=True)
        )
        .update(status=S.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1, rows_done=0, error="")
    )
    return Export.objects.select_related("user").get(pk=export_id) if claimed else None


def _ours(export: Export) -> Q:
    # Still the run that claimed it (a later claim raised the attempts).
    return Q(pk=export.pk, status=S.RUNNING, attempts=export.attempts)


def filename_for(export: Export, title: str) -> str:
    """The name the browser saves it under: the kind's title and the creation time (local)."""
    return f"{title}-{timezone.localtime(export.created_at):%Y%m%d-%H%M}.xlsx"


class Outcome(StrEnum):
    DONE = "done"  # this run wrote it
    SKIPPED = "skipped"  # done already, or being written by a live run
    RETRY = "retry"  # failed; queued again for another attempt
    FAILED = "failed"  # failed for the last time


def run_export(export_id: int) -> Outcome:
    """Write the export's file (see the module's docstring for the guarantees)."""
    export = _claim(export_id)
    if export is None:
        return Outcome.SKIPPED

    def progress(rows: int) -> None:
        Export.objects.filter(_ours(export)).update(rows_done=rows, heartbeat_at=clock.now())

    def on_total(total: int | None) -> None:
        Export.objects.filter(_ours(export)).update(rows_total=total, heartbeat_at=clock.now())

    try:
        with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
            rows = write_xlsx(
                kind=export.kind, user=export.user, filters=export.filters, target=tmp, progress=progress, on_total=on_total
            )
            size = tmp.tell()
            tmp.seek(0)
            name = f"{export.kind}-{secrets.token_hex(8)}.xlsx"
            export.file.save(name, File(tmp, name=name), save=False)
    except Exception as exc:  # a job records its failure, never vanishes
        logger.exception("export %s failed", export_id)
        return _failed(export, f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        updated = Export.objects.filter(_ours(export)).update(
            status=S.DONE,
            rows_done=rows,
            rows_total=rows,
            file=export.file.name,
            size=size,
            finished_at=clock.now(),
            heartbeat_at=None,
        )
        if not updated:  # another run took it over meanwhile: keep theirs
            transaction.on_commit(lambda: export.file.storage.delete(export.file.name))
            return Outcome.SKIPPED
        export.refresh_from_db()
        audit_record(action=ExportAudit.COMPLETED, obj=export, actor=export.user, changes={"kind": export.kind, "rows": rows})
    return Outcome.DONE


def _failed(export: Export, failure: str) -> Outcome:
    """Queued again for another attempt (the job enqueues it), or failed after ``MAX_ATTEMPTS``."""
    with transaction.atomic():
        locked = Export.objects.select_for_update().filter(_ours(export)).first()
        if locked is None:
            return Outcome.SKIPPED
        if locked.attempts < MAX_ATTEMPTS:
            locked.status = S.QUEUED
            locked.heartbeat_at = None
            locked.error = failure[:2000]
            locked.save(update_fields=["status", "heartbeat_at", "error"])
            return Outcome.RETRY
        locked.status = S.FAILED
        locked.error = failure[:2000]
        locked.finished_at = clock.now()
        locked.heartbeat_at = None
        locked.save(update_fields=["status", "error", "finished_at", "heartbeat_at"])
        audit_record(
            action=ExportAudit.FAILED, obj=locked, actor=locked.user, changes={"kind": locked.kind, "error": failure[:200]}
        )
    return Outcome.FAILED


def stalled_exports() -> list[int]:
    """Exports a job should be running but none is: queued for longer than ``stale_after`` (the
    enqueue lost) or running with a stale heartbeat (the worker died)."""
    cutoff = clock.now() - stale_after()
    return list(
        Export.objects.filter(
            Q(status=S.QUEUED, created_at__lt=cutoff, heartbeat_at__isnull=True) | Q(status=S.RUNNING, heartbeat_at__lt=cutoff)
        ).values_list("pk", flat=True)[:500]
    )


def purge_old_exports() -> int:
    """Delete the exports (file and row) finished more than ``EXPORT_KEEP_DAYS`` ago; returns
    how many."""
    cutoff = clock.now() - dt.timedelta(days=keep_days())
    old = Export.objects.filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff - stale_after()))
    purged = 0
    for export in old.only("pk", "file").iterator(chunk_size=500):
        if export.file:
            export.file.storage.delete(export.file.name)
        Export.objects.filter(pk=export.pk).delete()
        purged += 1
    return purged
