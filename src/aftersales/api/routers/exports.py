"""API v1: Excel exports of the lists and reports (issue 17).

``GET /exports/kinds`` lists what the caller may export; ``POST /exports`` (``Idempotency-Key``)
requests one with the list page's query-string filters; ``GET /exports/{id}`` polls its status
and progress; ``GET /exports/{id}/file`` downloads the .xlsx once it is done. The rows are the
ones the caller's user would see on the page (scope and masking); an export is readable by the
user who requested it alone. Scope ``exports:write``."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import override
from ninja import Path, Router, Schema
from pydantic import Field

from aftersales.exports import selectors, services
from aftersales.exports.downloads import XLSX, download_response, export_title
from aftersales.exports.models import Export
from aftersales.exports.registry import kinds_for_user
from aftersales.exports.writing import user_language

from ..idempotency import idempotent
from ..models import Scope
from .common import MAX_ID, problems, staff_caller
from .common import idempotency_header as _idem

router = Router(tags=["exports"])

ExportId = Annotated[int, Path(ge=1, le=MAX_ID)]


class ColumnOut(Schema):
    header: str
    type: str = Field(description="text, date, datetime, number or money.")


class KindOut(Schema):
    kind: str
    title: str
    columns: list[ColumnOut]


class ExportIn(Schema):
    kind: str = Field(max_length=40, description="One of GET /exports/kinds.")
    filters: dict[str, str] = Field(
        default_factory=dict, description='The list page\'s query-string filters, e.g. {"status": "all", "priority": "1"}.'
    )


class ExportOut(Schema):
    id: int
    kind: str
    title: str
    filters: dict[str, str]
    status: str = Field(description="queued, running, done or failed.")
    rows_total: int | None
    rows_done: int
    progress_percent: int
    size: int
    created_at: datetime
    finished_at: datetime | None
    file_url: str | None = Field(description="Where to download the .xlsx once done.")


def _out(export: Export) -> ExportOut:
    return ExportOut(
        id=export.pk,
        kind=export.kind,
        title=export_title(export),
        filters=export.filters or {},
        status=export.status,
        rows_total=export.rows_total,
        rows_done=export.rows_done,
        progress_percent=export.progress_percent,
        size=export.size,
        created_at=export.created_at,
        finished_at=export.finished_at,
        file_url=f"/api/v1/exports/{export.pk}/file" if export.status == "done" else None,
    )


@router.get("/exports/kinds", response={200: list[KindOut], **problems(403)}, summary="What the caller may export")
def export_kinds(request: HttpRequest) -> Any:
    caller = staff_caller(request, Scope.EXPORTS_WRITE)
    with override(user_language(caller.user)):
        return [
            KindOut(
                kind=k.key, title=str(k.title), columns=[ColumnOut(header=str(c.header), type=str(c.type)) for c in k.columns]
            )
            for k in kinds_for_user(caller.user)
        ]


@router.post("/exports", response={202: ExportOut, **problems(403, 404, 409)}, summary="Request an Excel export")
@idempotent
def create_export(request: HttpRequest, payload: ExportIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.EXPORTS_WRITE)
    export = services.export_request(user=caller.user, kind=payload.kind, filters=payload.filters)
    return 202, _out(export)


@router.get("/exports/{export_id}", response={200: ExportOut, **problems(403, 404)}, summary="An export: status and progress")
def get_export(request: HttpRequest, export_id: ExportId) -> Any:
    caller = staff_caller(request, Scope.EXPORTS_WRITE)
    return _out(selectors.export_get_for_owner(user=caller.user, export_id=export_id))


@router.get(
    "/exports/{export_id}/file",
    response={200: None, **problems(403, 404)},
    summary="Download the export's .xlsx (once its status is done)",
    openapi_extra={"responses": {200: {"description": "The workbook", "content": {XLSX: {}}}}},
)
def get_export_file(request: HttpRequest, export_id: ExportId) -> Any:
    caller = staff_caller(request, Scope.EXPORTS_WRITE)
    export = selectors.export_get_for_owner(user=caller.user, export_id=export_id)
    return download_response(export, user=caller.user)
