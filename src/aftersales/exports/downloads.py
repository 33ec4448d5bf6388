"""The export's file as an HTTP response, for the page and the API (the caller checked the owner)."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import override

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.core.web import private_no_store

from .models import Export, ExportStatus
from .registry import KINDS
from .running import filename_for
from .services import export_downloaded
from .writing import user_language

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_ready(export: Export) -> bool:
    return export.status == ExportStatus.DONE and bool(export.file)


def export_title(export: Export) -> str:
    kind = KINDS.get(export.kind)
    return str(kind.title) if kind else export.kind


def download_response(export: Export, *, user: User) -> FileResponse:
    """``export``'s file as an attachment named for its title in ``user``'s language (Django
    writes a non-ASCII name as RFC 5987 ``filename*=utf-8''…``), never cached, never sniffed;
    the download is audited. ``NotFound`` while it is not ready or after its file was purged."""
    if not export_ready(export):
        raise NotFound("export file", code="export_not_ready")
    try:
        fileobj = export.file.open("rb")
    except FileNotFoundError:
        raise NotFound("export file", code="export_file_gone") from None
    export_downloaded(export=export, user=user)
    with override(user_language(user)):
        name = filename_for(export, export_title(export))
    response = FileResponse(fileobj, as_attachment=True, filename=name, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)
