"""The import pages: the list of imports with the upload form and the templates, one import's
preview (figures, first rows, errors), its progress (polled by htmx while a pass runs), commit,
retry, discard, and the error report as CSV. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.core.i18n import join_list
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, render_htmx, request_user

from . import files, selectors, services
from .forms import UploadForm
from .kinds import KINDS
from .models import ImportKind
from .permissions import importable_kinds

PAGE_SIZE = 50
SHOWN_ERRORS = 200


def _kinds(request: HttpRequest) -> list[str]:
    kinds = importable_kinds(request_user(request))
    if not kinds:
        raise DjangoPermissionDenied
    return kinds


@staff_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kinds = _kinds(request)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with refusals(form=form) as refused:
            job = services.import_upload(actor=user, kind=form.cleaned_data["kind"], fileobj=upload, name=upload.name)
        if not refused:
            return redirect("imports:detail", job.pk)
    context = {
        "form": form,
        "jobs": selectors.imports_visible_to(user)[:PAGE_SIZE],
        "templates": [(k, ImportKind(k).label) for k in kinds],
    }
    return render(request, "imports/list.html", context, status=200 if request.method == "GET" or not form.errors else 422)


@staff_required
@domain_errors
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    job = selectors.import_get_for_user(user=user, job_id=pk)
    spec = KINDS[job.kind]()
    context = {
        "job": job,
        "columns": spec.columns,
        "column_names": join_list(c.header() for c in spec.columns),
        "errors": selectors.import_errors(job)[:SHOWN_ERRORS],
        "preview": [(r["row"], r["status"], [r["cells"].get(c.key, "") for c in spec.columns]) for r in job.preview],
        "file_error": selectors.import_file_error(job),
        "nothing_to_import": services.nothing_to_import(job),
    }
    fragment = is_fragment_request(request)
    response = render_htmx(request, "imports/partials/progress.html" if fragment else "imports/detail.html", context)
    if fragment and not job.running:
        response["HX-Refresh"] = "true"  # the pass ended: show the figures
    return response


def _step(request: HttpRequest, pk: int, run: object, done: str) -> HttpResponse:
    user = request_user(request)
    job = selectors.import_get_for_user(user=user, job_id=pk)
    with refusals(request=request) as refused:
        run(job=job, actor=user)  # type: ignore[operator]
    if not refused:
        messages.success(request, done)
    return redirect("imports:detail", job.pk)


@staff_required
@require_POST
@domain_errors
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.import_commit, _("Import started."))


@staff_required
@require_POST
@domain_errors
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.import_retry, _("Import started again."))


@staff_required
@require_POST
@domain_errors
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.import_discard, _("Import discarded."))


@staff_required
@domain_errors
def error_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_get_for_user(user=request_user(request), job_id=pk)
    body = files.error_report_csv(job, headers=(_("Row"), _("Column"), _("Error code"), _("Reason")))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


@staff_required
def template_file(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in _kinds(request) or fmt not in {"csv", "xlsx"}:
        raise Http404
    if fmt == "csv":
        response = HttpResponse(files.template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            files.template_xlsx(kind), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="import-{kind}.{fmt}"'
    return response
