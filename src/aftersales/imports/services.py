"""Writes of imports: upload a file (checked at once for its type), commit a previewed import,
retry a failed one, discard one. Each is one transaction with its audit row; the passes over
the file run as background jobs (``tasks.py``), or at once for a small file
(``IMPORT_INLINE_BYTES``, 512 KiB), so a page or an API client sees the preview straight away."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.core.i18n import ACTOR_SYSTEM, rendered
from aftersales.core.jobs import enqueue_with_transaction

from . import running
from .audit_actions import ImportAudit
from .messages import message
from .models import ImportJob, ImportKind, ImportStatus
from .permissions import may_import
from .reading import SNIFF_BYTES, FileRefused, detect_format
from .states import IMPORT_STATES
from .tasks import commit_import, preview_import

S = ImportStatus


def inline_bytes() -> int:
    return int(getattr(settings, "IMPORT_INLINE_BYTES", 512 * 1024))


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 300 * 1024 * 1024))


def keep_days() -> int:
    return int(getattr(settings, "IMPORT_KEEP_DAYS", 30))


def _inline(job: ImportJob, run_inline: bool | None) -> bool:
    return job.size <= inline_bytes() if run_inline is None else run_inline


def _check_may(actor: User, kind: str) -> None:
    if not may_import(actor, kind):
        raise PermissionDenied(_("You may not import this kind of data."), code="import_forbidden")


def _enqueue(job: ImportJob, status: str) -> None:
    task = commit_import if status == S.COMMITTING else preview_import
    enqueue_with_transaction(task, lambda: task.enqueue(job.pk))


def _run(job: ImportJob, status: str) -> None:
    (running.run_commit if status == S.COMMITTING else running.run_preview)(job.pk)
    job.refresh_from_db()


def import_upload(*, actor: User, kind: str, fileobj: IO[bytes], name: str, run_inline: bool | None = None) -> ImportJob:
    """Store an uploaded .xlsx or .csv for an import of ``kind`` and start its preview."""
    if kind not in ImportKind.values:
        raise ValidationFailed({"kind": [_("Choose what the file holds.")]}, code="import_kind_invalid")
    _check_may(actor, kind)
    digest, size = hashlib.sha256(), 0
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    for block in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(block)
        size += len(block)
    fileobj.seek(0)
    if size == 0:
        raise ValidationFailed({"file": [rendered(message("empty"))]}, code="import_empty")
    if size > max_bytes():
        raise ValidationFailed(
            {"file": [_("The file is larger than %(size)s MB.") % {"size": max_bytes() // (1024 * 1024)}]},
            code="import_too_large",
        )
    try:
        detect_format(head, name)
    except FileRefused as exc:
        raise ValidationFailed({"file": [rendered(message(exc.code))]}, code=f"import_{exc.code}") from None
    safe_name = (name or "import").replace("\\", "/").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        job = ImportJob(kind=kind, original_name=safe_name, size=size, sha256=digest.hexdigest(), created_by=actor)
        job.file.save(safe_name, File(fileobj), save=False)
        job.save()
        audit_record(
            action=ImportAudit.UPLOADED, obj=job, actor=actor, changes={"kind": kind, "size": size, "sha256": job.sha256}
        )
        inline = _inline(job, run_inline)
        if not inline:
            _enqueue(job, S.PREVIEWING)
    if inline:
        _run(job, S.PREVIEWING)
    return job


def _nothing_reason(job: ImportJob) -> str | Promise:
    """Why the checked file has nothing to import ("" when it has): no row is valid, or every
    valid row is already as the file says."""
    if job.new_rows or job.changed_rows:
        return ""
    if not job.unchanged_rows:
        return _("No row of the file can be imported: correct the rows with errors and upload the file again.")
    return _("Nothing to import: every valid row is already as the file says.")


def nothing_to_import(job: ImportJob) -> str | Promise:
    """What the preview page says instead of offering the import ("" when the file has rows to
    import, or is not previewed yet)."""
    return _nothing_reason(job) if job.status == S.PREVIEWED else ""


def import_commit(*, job: ImportJob, actor: User, run_inline: bool | None = None) -> ImportJob:
    """Write the previewed file's valid rows (rows with errors are skipped). Importing the same
    file again changes nothing: every row is matched on its natural key. A file with nothing to
    import (every row has errors or is already stored as it is) is refused: the page offers no
    Import button then, and a request posted anyway (or through the API) gets
    ``import_nothing_to_import``."""
    _check_may(actor, job.kind)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        IMPORT_STATES.check(locked.status, S.COMMITTING)
        reason = _nothing_reason(locked)
        if reason:
            raise ValidationFailed({"file": [reason]}, code="import_nothing_to_import")
        locked.status = S.COMMITTING
        locked.committed_by = actor
        locked.rows_done = locked.written_new = locked.written_changed = 0
        locked.heartbeat_at = None
        locked.save(update_fields=["status", "committed_by", "rows_done", "written_new", "written_changed", "heartbeat_at"])
        audit_record(
            action=ImportAudit.COMMIT_REQUESTED, obj=locked, actor=actor, changes={"kind": locked.kind, "rows": locked.total_rows}
        )
        inline = _inline(locked, run_inline)
        if not inline:
            _enqueue(locked, S.COMMITTING)
    if inline:
        _run(locked, S.COMMITTING)
    return locked


def import_retry(*, job: ImportJob, actor: User, run_inline: bool | None = None) -> ImportJob:
    """Run a failed pass again: a commit resumes from its checkpoint. A file that cannot be read
    is not retried (upload a corrected file)."""
    _check_may(actor, job.kind)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.file_error:
            raise ValidationFailed(
                {"file": [_("The file cannot be read; upload a corrected file.")]}, code="import_file_unreadable"
            )
        target = S.COMMITTING if locked.committed_by_id else S.PREVIEWING
        IMPORT_STATES.check(locked.status, target)
        locked.status = target
        locked.heartbeat_at = None
        locked.last_failure = ""
        locked.save(update_fields=["status", "heartbeat_at", "last_failure"])
        audit_record(
            action=ImportAudit.RETRIED, obj=locked, actor=actor, changes={"status": target, "rows_done": locked.rows_done}
        )
        inline = _inline(locked, run_inline)
        if not inline:
            _enqueue(locked, target)
    if inline:
        _run(locked, target)
    return locked


def import_discard(*, job: ImportJob, actor: User) -> ImportJob:
    """Give up a previewed or failed import; its file is deleted."""
    _check_may(actor, job.kind)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        IMPORT_STATES.check(locked.status, S.DISCARDED)
        locked.status = S.DISCARDED
        locked.save(update_fields=["status"])
        audit_record(action=ImportAudit.DISCARDED, obj=locked, actor=actor, changes={"kind": locked.kind})
        stored = locked.file
        transaction.on_commit(lambda: stored.delete(save=False))
    return locked


def import_purge_old_files(*, now: dt.datetime | None = None) -> int:
    """Delete the uploaded files of imports older than ``IMPORT_KEEP_DAYS`` (30): the sheets hold
    customers' phones and addresses, and once an import is done its rows live in their own
    tables. The job's figures, its stored errors and its audit trail stay. An import still waiting
    for its commit (previewed) or a retry (failed) that old is discarded with its file; a pass
    that is running is left alone. Returns the number of files deleted."""
    cutoff = (now or clock.now()) - dt.timedelta(days=keep_days())
    purged = 0
    candidates = (
        ImportJob.objects.filter(created_at__lt=cutoff)
        .exclude(file="")
        .exclude(status__in=[S.PREVIEWING, S.COMMITTING])
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().filter(pk=pk).first()
            if locked is None or not locked.file or locked.status in {S.PREVIEWING, S.COMMITTING}:
                continue
            before = locked.status
            if locked.status in {S.PREVIEWED, S.FAILED}:
                IMPORT_STATES.check(locked.status, S.DISCARDED)
                locked.status = S.DISCARDED
            stored_name, storage = locked.file.name, locked.file.storage
            locked.file = ""
            locked.save(update_fields=["status", "file"])
            audit_record(
                action=ImportAudit.FILE_PURGED,
                obj=locked,
                actor_label=ACTOR_SYSTEM,
                changes={"file": [stored_name, ""], "status": [before, locked.status], "keep_days": keep_days()},
            )
            transaction.on_commit(lambda name=stored_name, storage=storage: storage.delete(name))  # type: ignore[misc]
            purged += 1
    return purged
