"""The export pages: my exports (status, progress polled by htmx while one runs, download),
one export, requesting an export from a list page, and the download (owner only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, private_no_store, render_htmx, request_user

from . import selectors, services
from .downloads import download_response, export_ready, export_title
from .models import Export
from .registry import KINDS

MAX_QUERY = 2000


def _title(export: Export) -> str:
    return export_title(export)


def _rows(exports: list[Export]) -> list[tuple[Export, str]]:
    return [(e, _title(e)) for e in exports]


@staff_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    exports = list(selectors.exports_for_user(user=request_user(request)))
    context = {"rows": _rows(exports), "running": any(e.running for e in exports)}
    template = "exports/partials/export_rows.html" if is_fragment_request(request) else "exports/export_list.html"
    return private_no_store(render_htmx(request, template, context))


@staff_required
@require_GET
@domain_errors
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_get_for_owner(user=request_user(request), export_id=pk)
    context = {"export": export, "title": _title(export), "back": _back_url(export)}
    template = "exports/partials/export_progress.html" if is_fragment_request(request) else "exports/export_detail.html"
    return private_no_store(render_htmx(request, template, context))


def _page_url(kind_key: str) -> str:
    """The list page a kind exports (its "Export to Excel" button's page), "" for none."""
    kind = KINDS.get(kind_key)
    if kind is None or not kind.page:
        return ""
    try:
        return reverse(kind.page)
    except NoReverseMatch:
        return ""


def _back_url(export: Export) -> str:
    url = _page_url(export.kind)
    if not url:
        return ""
    query = QueryDict(mutable=True)
    for key, value in (export.filters or {}).items():
        query[key] = value
    return f"{url}?{query.urlencode()}" if query else url


@staff_required
@require_POST
@domain_errors
def export_new(request: HttpRequest) -> HttpResponse:
    """From a list page's "Export to Excel" button: ``kind`` and ``query`` (the list's query
    string); creates the export (its job runs in the background) and shows it. A refusal of the
    filters (``ValidationFailed``: a statement without its responsibility, a figure the kind does
    not list) goes back to the list page with the query, its messages shown there."""
    kind, query = request.POST.get("kind", ""), request.POST.get("query", "")[:MAX_QUERY]
    with refusals(request=request, propagate=(NotFound, PermissionDenied)) as refused:
        export = services.export_request(user=request_user(request), kind=kind, filters=QueryDict(query))
    if refused:
        page = _page_url(kind)
        if not page:
            return redirect("exports:list")
        back = QueryDict(query, mutable=True)
        return redirect(f"{page}?{back.urlencode()}" if back else page)
    return redirect("exports:detail", export.pk)


@login_required  # the owner check is the permission: only staff have exports
@require_GET
@domain_errors
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    user = request_user(request)
    export = selectors.export_get_for_owner(user=user, export_id=pk)
    if not export_ready(export):
        raise Http404
    return download_response(export, user=user)
