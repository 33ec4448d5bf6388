"""Pages of returns and exchanges: the warehouse keeper's list (expected / received / done), the
ticket page's panel (loaded after the page), the authorisation from a measure of the ticket's
agreed plan, and the RMA's page with its step forms
(htmx: a step answers with the refreshed body). Thin: parse, call a service or selector, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, private_no_store, render_htmx, request_user
from aftersales.tickets.selectors import ticket_get_for_user

from . import selectors, services
from .forms import AuthoriseForm
from .models import ReturnAuthorization, RmaKind
from .permissions import can_authorise
from .states import FINAL_STATUSES
from .steps import STEPS, available_steps
from .templatetags.returns_tags import panel_context

VIEWS = ("expected", "received", "done")


@staff_required
def worklist(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "expected")
    if view not in VIEWS:
        view = "expected"
    rows = selectors.warehouse_worklist(user=request_user(request), view=view)
    return render_htmx(request, "returns/worklist.html", {"rows": rows, "view": view, "views": VIEWS})


def _get(request: HttpRequest, number: str) -> ReturnAuthorization:
    try:
        return selectors.rma_get_for_user(user=request_user(request), number=number)
    except NotFound as exc:
        raise Http404 from exc


def _context(
    user: User, rma: ReturnAuthorization, forms: dict[str, Any] | None = None, error: str = "", flash: str = ""
) -> dict[str, Any]:
    steps = available_steps(user=user, rma=rma)
    given = forms or {}
    return {
        "rma": rma,
        "photos": list(rma.photos.all()),
        "steps": [{"step": s, "form": given.get(s.name) or s.form(initial={"version": rma.version})} for s in steps],
        "error": error,
        "flash": flash,
        "final": rma.status in FINAL_STATUSES,
        "is_exchange": rma.kind == RmaKind.EXCHANGE,
    }


@staff_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    rma = _get(request, number)
    return render_htmx(request, "returns/detail.html", _context(request_user(request), rma))


@staff_required  # type: ignore[arg-type]
def photo(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """An inspection photo, for staff who may see the RMA (read through the file storage: the
    folder or the bucket; never a link into the storage itself); 404 for everybody else."""
    stored = _get(request, number).photos.filter(pk=pk).first()
    if stored is None:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, filename=stored.original_name, content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


@staff_required
@require_POST
def step(request: HttpRequest, number: str, name: str) -> HttpResponse:
    declared = STEPS.get(name)
    if declared is None:
        raise Http404
    user = request_user(request)
    rma = _get(request, number)
    form = declared.form(request.POST)
    status = 200
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        with refusals(form=form) as refused:
            declared.perform(rma, user, data, request.FILES.getlist("photos"), version)
        if not refused:
            done = _("%(number)s: %(step)s — done.") % {"number": rma.number, "step": declared.label}
            if is_fragment_request(request):
                return render_htmx(request, "returns/_body.html", _context(user, _get(request, number), flash=done))
            messages.success(request, done)
            return redirect("returns:detail", number=rma.number)
        status = refused.status
    context = _context(user, _get(request, number), forms={name: form})
    template = "returns/_body.html" if is_fragment_request(request) else "returns/detail.html"
    return render_htmx(request, template, context, status=status)


@staff_required
@domain_errors
def ticket_panel(request: HttpRequest, ticket_number: str) -> HttpResponse:
    """The ticket page's returns panel: htmx loads it after the page (the page itself runs no
    query for it); without JavaScript its link opens it as a page of its own."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=ticket_number)
    context = panel_context(user, ticket)
    template = "returns/_ticket_returns.html" if is_fragment_request(request) else "returns/ticket_panel.html"
    return private_no_store(render_htmx(request, template, context))


@staff_required
@domain_errors
def authorise(request: HttpRequest, ticket_number: str) -> HttpResponse:
    """Authorise the return or exchange of a measure (``?measure=``) of the ticket's agreed plan."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=ticket_number)
    open_measures = {m.pk: m for m in selectors.measures_open_for_rma(ticket=ticket)}
    try:
        measure = open_measures.get(int(request.GET.get("measure") or request.POST.get("measure") or 0))
    except ValueError:
        measure = None
    if measure is None or not can_authorise(user):
        raise Http404
    form = AuthoriseForm(request.POST or None, warehouses=selectors.receiving_warehouses(user=user))
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            rma = services.rma_authorise(
                measure=measure, actor=user, warehouse=form.cleaned_data["warehouse"], reason=form.cleaned_data["reason"]
            )
        if not refused:
            messages.success(request, _("Return %(number)s authorised.") % {"number": rma.number})
            return redirect("returns:detail", number=rma.number)
        status = refused.status
    return render_htmx(request, "returns/authorise.html", {"ticket": ticket, "measure": measure, "form": form}, status=status)
