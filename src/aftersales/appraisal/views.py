"""The staff's appraisal pages: the appraiser's queue, an appraisal's page with its report form,
the report PDF and files, and the ticket panel (loaded after the ticket page) with its htmx actions. Thin: every change is a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, posted_version, private_no_store, render_htmx, request_user
from aftersales.parts.models import Part
from aftersales.tickets.selectors import ticket_get_for_user

from . import services
from .forms import AssignForm, CancelForm, FileForm, ReportForm, RequestForm
from .models import Appraisal, AppraisalFile
from .pdf import appraisal_pdf
from .permissions import is_handler, offered_actions
from .selectors import appraisal_get_for_user, appraiser_queue
from .templatetags.appraisal_tags import panel_context


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """The appraiser's queue: assigned to me and still open; unassigned requests in my scope."""
    user = request_user(request)
    response = render(request, "appraisal/queue.html", appraiser_queue(user=user))
    return private_no_store(response)


def _parts_for(appraisal: Appraisal) -> Any:
    parts = Part.objects.filter(active=True)
    if appraisal.product_model_id is not None:
        compatible = parts.filter(compatible_models=appraisal.product_model_id)
        if appraisal.component_id is not None:
            compatible = parts.filter(pk=appraisal.component_id) | compatible
        return compatible.distinct().order_by("number")
    return parts.order_by("number")[:200]


def _report_form(appraisal: Appraisal, data: Any = None) -> ReportForm:
    initial = {
        name: getattr(appraisal, name)
        for name in (
            "symptom",
            "findings",
            "fault_type",
            "nature",
            "severity",
            "cause",
            "component_text",
            "responsibility",
            "responsible_party",
            "supplier",
        )
    }
    initial["component"] = appraisal.component_id
    initial["sanbao_applies"] = "" if appraisal.sanbao_applies is None else ("yes" if appraisal.sanbao_applies else "no")
    return ReportForm(data, initial=initial, parts=_parts_for(appraisal), tests=appraisal.tests or [])


def _detail(request: HttpRequest, appraisal: Appraisal, **forms: Any) -> HttpResponse:
    user = request_user(request)
    context = {
        "appraisal": appraisal,
        "ticket": appraisal.ticket,
        "actions": offered_actions(user, appraisal),
        "files": list(appraisal.files.all()),
        "report_form": forms.get("report_form") or _report_form(appraisal),
        "assign_form": forms.get("assign_form") or AssignForm(initial={"appraiser": appraisal.appraiser_id}),
        "file_form": forms.get("file_form") or FileForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "reappraisals": list(appraisal.reappraisals.all()),
    }
    response = render(request, "appraisal/detail.html", context, status=forms.get("status", 200))
    return private_no_store(response)


@staff_required
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = appraisal_get_for_user(user=request_user(request), pk=pk)
    return _detail(request, appraisal)


@staff_required
@domain_errors
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    appraisal = appraisal_get_for_user(user=user, pk=pk)
    form = _report_form(appraisal, request.POST)
    if form.is_valid():
        with refusals(form=form) as refused:
            services.appraisal_record_report(
                appraisal=appraisal, actor=user, report=form.report(), expected_version=posted_version(request)
            )
        if not refused:
            messages.success(request, _("The report was saved."))
            return redirect(reverse("appraisal:detail", args=[pk]) + "#report")
        return _detail(request, appraisal_get_for_user(user=user, pk=pk), report_form=form, status=refused.status)
    return _detail(request, appraisal, report_form=form)


@staff_required
@domain_errors
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    appraisal = appraisal_get_for_user(user=user, pk=pk)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with refusals(form=form) as refused:
            services.appraisal_add_file(
                appraisal=appraisal, actor=user, kind=form.cleaned_data["kind"], fileobj=upload, name=upload.name or ""
            )
        if not refused:
            messages.success(request, _("The file was added."))
            return redirect(reverse("appraisal:detail", args=[pk]) + "#files")
        return _detail(request, appraisal, file_form=form, status=refused.status)
    return _detail(request, appraisal, file_form=form)


@staff_required
@domain_errors
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """assign, take, start, sign, cancel — from the appraisal's page or (htmx) the ticket panel."""
    user = request_user(request)
    appraisal = appraisal_get_for_user(user=user, pk=pk)
    version = posted_version(request)
    form: Any = None
    with refusals(request=request) as refused:
        if name == "take":
            services.appraisal_assign(appraisal=appraisal, actor=user, appraiser=user, expected_version=version)
        elif name == "assign":
            form = AssignForm(request.POST)
            if form.is_valid():
                services.appraisal_assign(
                    appraisal=appraisal, actor=user, appraiser=form.cleaned_data["appraiser"], expected_version=version
                )
            else:
                messages.error(request, _("Choose an appraiser."))
        elif name == "start":
            services.appraisal_start(appraisal=appraisal, actor=user, expected_version=version)
        elif name == "sign":
            services.appraisal_sign(appraisal=appraisal, actor=user, expected_version=version)
        elif name == "cancel":
            services.appraisal_cancel(
                appraisal=appraisal, actor=user, reason=request.POST.get("reason", ""), expected_version=version
            )
        else:
            raise Http404
    if not refused and (form is None or form.is_valid()):
        messages.success(request, _("Done."))
    if request.headers.get("HX-Request"):
        return _panel_response(request, appraisal.ticket.number)
    return redirect("appraisal:detail", pk=pk)


@staff_required
@domain_errors
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's appraisal panel: htmx loads it after the page (the page itself runs no
    query for it); without JavaScript its link opens it as a page of its own."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    context = panel_context(user, ticket)
    context["ticket"] = ticket
    template = "appraisal/_panel.html" if is_fragment_request(request) else "appraisal/ticket_panel.html"
    return private_no_store(render_htmx(request, template, context))


def _panel_response(request: HttpRequest, number: str, **extra: Any) -> HttpResponse:
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    context = panel_context(user, ticket)
    context.update(extra)
    stored = list(messages.get_messages(request))
    context["flash"] = [str(m) for m in stored]
    # After a successful POST: its message(s), for the page's status region (data-sr-status).
    context["sr_status"] = " ".join(str(m) for m in stored if m.level == messages.SUCCESS)
    html = render_to_string("appraisal/_panel.html", context, request=request)
    return HttpResponse(html)


@staff_required
@domain_errors
@require_POST
def request_new(request: HttpRequest, number: str) -> HttpResponse:
    """Request an appraisal from the ticket panel (htmx: the panel comes back)."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    if not is_handler(user):
        raise PermissionDenied(_("Only the ticket's handlers may request an appraisal."))
    form = RequestForm(request.POST)
    if form.is_valid():
        with refusals(form=form) as refused:
            services.appraisal_request(
                ticket=ticket,
                actor=user,
                place=form.cleaned_data["place"],
                note=form.cleaned_data["note"],
                appraiser=form.cleaned_data["appraiser"],
            )
        if not refused:
            messages.success(request, _("The appraisal was requested."))
            form = RequestForm()
    if request.headers.get("HX-Request"):
        return _panel_response(request, number, request_form=form)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(reverse("tickets:detail", args=[number]) + "#appraisals")


@staff_required
@domain_errors
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = appraisal_get_for_user(user=request_user(request), pk=pk)
    response = HttpResponse(appraisal_pdf(appraisal), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{appraisal.number}.pdf"'
    return private_no_store(response)


@staff_required
@domain_errors
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    stored = AppraisalFile.objects.select_related("appraisal").filter(pk=pk).first()
    if stored is None:
        raise NotFound("file not found")
    appraisal_get_for_user(user=request_user(request), pk=stored.appraisal_id)  # the scope check
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restore without the media): gone, not a 500
        raise NotFound("file not found") from None
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Disposition"] = f'inline; filename="{stored.pk}{stored.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)
