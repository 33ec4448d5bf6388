# ruff: noqa: B008 - django-ninja declares parameters with File()/Form()/Header() defaults
"""API v1: imports of customers, product models, serial units and shipment volumes (issue 18).

Upload a file (multipart, ``Idempotency-Key``) → read the preview (figures, first rows,
errors with row, column and reason in the caller's language) → commit → poll the job's status.
A small file is checked (and imported) at once; a large one in the background, its progress in
``rows_done`` / ``total_rows``. Scope ``imports:write``; administrators import every kind,
quality managers serial units and shipment volumes."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from aftersales.imports import selectors, services
from aftersales.imports.models import ImportJob, ImportKind

from ..idempotency import idempotent
from ..models import Scope
from .common import MAX_ID, MAX_PAGE_SIZE, problems, staff_caller
from .common import idempotency_header as _idem

router = Router(tags=["imports"])

JobId = Annotated[int, Path(ge=1, le=MAX_ID)]
Kind = StrEnum("Kind", {k: k for k in ImportKind.values})  # type: ignore[misc]


class RowErrorOut(Schema):
    row: int = Field(description="The row in the file, the header being row 1.")
    column: str = Field(description="The column's key (see docs/imports.md).")
    column_label: str = Field(description="The column's header in the caller's language.")
    code: str
    message: str


class PreviewRowOut(Schema):
    row: int
    status: str = Field(description="new, changed, unchanged or error.")
    cells: dict[str, str]


class ImportOut(Schema):
    id: int
    kind: str
    status: str = Field(description="previewing, previewed, committing, done, failed or discarded.")
    file_name: str
    file_format: str
    size: int
    sha256: str
    created_at: datetime
    total_rows: int | None
    rows_done: int = Field(description="Rows read so far by the running pass (the progress).")
    progress_percent: int
    new_rows: int
    changed_rows: int
    unchanged_rows: int
    error_rows: int
    error_count: int
    created: int = Field(description="Records created by the commit.")
    updated: int = Field(description="Records updated by the commit.")
    file_error: str = Field(description="Why the file cannot be read; empty when it can.")
    preview: list[PreviewRowOut]
    ignored_columns: list[str] = Field(description="Headers of the file that name no column of the kind: not imported.")
    errors: list[RowErrorOut] = Field(description="The first errors (at most 1,000 are kept; error_count counts all).")


class ImportPage(Schema):
    items: list[ImportOut]
    total: int


class Empty(Schema):
    pass


def _out(job: ImportJob, *, with_errors: bool = True) -> ImportOut:
    return ImportOut(
        id=job.pk,
        kind=job.kind,
        status=job.status,
        file_name=job.original_name,
        file_format=job.file_format,
        size=job.size,
        sha256=job.sha256,
        created_at=job.created_at,
        total_rows=job.total_rows,
        rows_done=job.rows_done,
        progress_percent=job.progress_percent,
        new_rows=job.new_rows,
        changed_rows=job.changed_rows,
        unchanged_rows=job.unchanged_rows,
        error_rows=job.error_rows,
        error_count=job.error_count,
        created=job.written_new,
        updated=job.written_changed,
        file_error=selectors.import_file_error(job),
        preview=[PreviewRowOut(row=r["row"], status=r["status"], cells=r["cells"]) for r in job.preview],
        ignored_columns=list(job.ignored_columns),
        errors=[
            RowErrorOut(row=e.row, column=e.column, column_label=e.column_label, code=e.code, message=e.text)
            for e in (selectors.import_errors(job) if with_errors else [])
        ],
    )


@router.post(
    "/imports",
    response={201: ImportOut, **problems(403, 409, 413)},
    summary="Upload an .xlsx or .csv file to import (multipart); the preview follows",
)
@idempotent
def upload_import(
    request: HttpRequest,
    kind: Kind = Form(..., description="customers, models, policies, units, shipments, batches or parts."),
    file: UploadedFile = File(..., description="An .xlsx workbook (first sheet) or a CSV (UTF-8 or GB18030/GBK)."),
    idempotency_key: str = _idem(),
) -> Any:
    caller = staff_caller(request, Scope.IMPORTS_WRITE)
    job = services.import_upload(actor=caller.user, kind=str(kind.value), fileobj=file, name=file.name or "")
    return 201, _out(job)


@router.get("/imports", response={200: ImportPage, **problems(403)}, summary="List imports (newest first)")
def list_imports(
    request: HttpRequest,
    limit: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=100_000),
) -> Any:
    caller = staff_caller(request, Scope.IMPORTS_WRITE)
    jobs = selectors.imports_visible_to(caller.user)
    return ImportPage(items=[_out(j, with_errors=False) for j in jobs[offset : offset + limit]], total=jobs.count())


@router.get(
    "/imports/{job_id}", response={200: ImportOut, **problems(403, 404)}, summary="An import: status, progress, preview, errors"
)
def get_import(request: HttpRequest, job_id: JobId) -> Any:
    caller = staff_caller(request, Scope.IMPORTS_WRITE)
    return _out(selectors.import_get_for_user(user=caller.user, job_id=job_id))


@router.post(
    "/imports/{job_id}/commit",
    response={202: ImportOut, **problems(403, 404, 409, 422)},
    summary="Import the previewed file's valid rows (rows with errors are skipped)",
)
@idempotent
def commit_import(request: HttpRequest, job_id: JobId, payload: Empty | None = None, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.IMPORTS_WRITE)
    job = selectors.import_get_for_user(user=caller.user, job_id=job_id)
    return 202, _out(services.import_commit(job=job, actor=caller.user))


@router.post(
    "/imports/{job_id}/retry", response={202: ImportOut, **problems(403, 404, 409)}, summary="Run a failed import's pass again"
)
@idempotent
def retry_import(request: HttpRequest, job_id: JobId, payload: Empty | None = None, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.IMPORTS_WRITE)
    job = selectors.import_get_for_user(user=caller.user, job_id=job_id)
    return 202, _out(services.import_retry(job=job, actor=caller.user))
