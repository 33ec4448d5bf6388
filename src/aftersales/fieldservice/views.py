"""Pages: the dispatcher's board, the work order (agent and dispatcher), the technician's day and
job on a phone, the acceptance form (HTML and PDF), the customer's quote link.

No business rule lives here: every POST performs one action declared in ``actions.py`` (its
form, its service), the page shows the forms of the actions available to the user; a refusal is
shown as a message on the page it came from, never as a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import Region, User
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.link_language import in_link_owner_language
from aftersales.core.view_errors import message_service_errors
from aftersales.core.web import private_no_store, request_user
from aftersales.tickets.models import PlanMeasure
from aftersales.tickets.selectors import ticket_get_for_user

from . import services
from .action_forms import aware, expected_version
from .actions import web_action, work_order_available_actions
from .models import (
    ExpenseKind,
    QuoteAnswerVia,
    Skill,
    TechnicianProfile,
    WorkOrder,
    WorkOrderFile,
    WorkOrderFileKind,
    WorkOrderStatus,
)
from .pdf import acceptance_pdf
from .permissions import can_create, can_dispatch, in_scope, site_details
from .selectors import (
    acceptance_for,
    dispatch_board,
    measures_open_for_work_orders,
    suggest_technicians,
    technician_jobs,
    work_order_get_for_user,
)
from .services.quote import QuoteLinkExpired, quote_awaits_answer, work_order_decline_quote

W = WorkOrderStatus


def _local_input(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%dT%H:%M")


# --- the dispatcher's board ---------------------------------------------------------------------


@staff_required
def board(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_dispatch(user):
        raise Http404
    day = parse_date(request.GET.get("day", "") or "") or clock.local_today()
    region = Region.objects.filter(code=request.GET.get("region", "")).first() if request.GET.get("region") else None
    context = dispatch_board(user=user, day=day, region=region)
    context.update(
        {
            "regions": Region.objects.order_by("code"),
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "default_start": f"{day:%Y-%m-%d}T09:00",
            "default_end": f"{day:%Y-%m-%d}T11:00",
        }
    )
    return render(request, "fieldservice/board.html", context)


# --- creating from the ticket -------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def work_order_new(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
    try:
        ticket = ticket_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None
    if not can_create(user):
        raise Http404
    measures = measures_open_for_work_orders(ticket=ticket)
    chosen = request.POST.get("measure") or request.GET.get("measure") or ""
    measure = next((m for m in measures if str(m.pk) == chosen), measures[0] if len(measures) == 1 else None)
    values: dict[str, Any] = {
        "address": ticket.address,
        "contact_name": ticket.contact_name or ticket.customer.name,
        "contact_phone": ticket.contact_phone or ticket.customer.phone,
        "region": ticket.region_id or "",
    }
    if request.method == "POST":
        values = request.POST.dict()
        try:
            if measure is None:
                raise ValidationFailed({"measure": [_("Choose the measure.")]}, code="measure_required")
            work_order = services.work_order_create(
                measure=PlanMeasure.objects.select_related("plan").get(pk=measure.pk),
                actor=user,
                description=request.POST.get("description", ""),
                required_skills=_chosen_skills(request),
                region=_chosen_region(request),
                address=request.POST.get("address", ""),
                contact_name=request.POST.get("contact_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
                site_requirements=request.POST.get("site_requirements", ""),
                appointment_start=aware(request.POST.get("appointment_start")),
                appointment_end=aware(request.POST.get("appointment_end"), "appointment_end"),
                permits=request.FILES.getlist("permits"),
            )
        except DomainError as exc:
            message_service_errors(request, exc)
        else:
            messages.success(request, _("Work order %(number)s created.") % {"number": work_order.number})
            return redirect("fieldservice:detail", number=work_order.number)
    return render(
        request,
        "fieldservice/new.html",
        {
            "ticket": ticket,
            "measures": measures,
            "measure": measure,
            "skills": Skill.objects.filter(active=True),
            "regions": Region.objects.order_by("code"),
            "values": values,
            "chosen_skills": [int(s) for s in request.POST.getlist("skills") if s.isdigit()],
        },
    )


def _chosen_skills(request: HttpRequest) -> list[Skill]:
    """The active skills the form chose; one that is not among them is an error on the field."""
    values = set(request.POST.getlist("skills"))
    skills = list(Skill.objects.filter(pk__in=[int(v) for v in values if v.isdigit() and len(v) < 19], active=True))
    if len(skills) != len(values):
        raise ValidationFailed({"skills": [_("Choose the skills from the list.")]}, code="skill_invalid")
    return skills


def _chosen_region(request: HttpRequest) -> Region | None:
    """The region the form chose (none: the ticket's); one that does not exist is an error."""
    value = request.POST.get("region", "").strip()
    if not value:
        return None
    region = Region.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) < 19 else None
    if region is None:
        raise ValidationFailed({"region": [_("Choose the region from the list.")]}, code="region_invalid")
    return region


# --- the work order -----------------------------------------------------------------------------


def _get(user: User, number: str) -> WorkOrder:
    try:
        return work_order_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None


def _detail_context(user: User, work_order: WorkOrder) -> dict[str, Any]:
    is_tech = work_order.technician_id == user.pk
    files = list(work_order.files.order_by("created_at", "id"))
    day = (
        timezone.localtime(work_order.appointment_start, timezone.get_default_timezone()).date()
        if work_order.appointment_start
        else clock.local_today()
    )
    available = {action.name for action in work_order_available_actions(user, work_order)}
    return {
        "work_order": work_order,
        "ticket": work_order.ticket,
        "site": site_details(user, work_order),
        "is_technician": is_tech,
        # The forms the page shows: the actions of ``actions.py`` the user may take now.
        "available": available,
        "permits": [f for f in files if f.kind == WorkOrderFileKind.PERMIT],
        "before_photos": [f for f in files if f.kind == WorkOrderFileKind.BEFORE],
        "after_photos": [f for f in files if f.kind == WorkOrderFileKind.AFTER],
        "charge_lines": list(work_order.charge_lines.all()),
        "acceptance": acceptance_for(work_order),
        "expenses": list(work_order.expenses.select_related("technician").all()),
        "expense_kinds": ExpenseKind.choices,
        "suggestions": suggest_technicians(work_order=work_order, day=day) if "dispatch" in available else [],
        "skills": list(work_order.required_skills.all()),
        "start_input": _local_input(work_order.appointment_start),
        "end_input": _local_input(work_order.appointment_end),
        "S": {s.name: s.value for s in W},
    }


@staff_required
def work_order_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
    work_order = _get(user, number)
    response = render(request, "fieldservice/detail.html", _detail_context(user, work_order))
    return private_no_store(response)


@staff_required
@require_POST
def work_order_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Perform the posted action (``actions.py``); a refusal is a message on the page."""
    declared = web_action(action)
    if declared is None:
        raise Http404
    user = request_user(request)
    work_order = _get(user, number)
    try:
        arguments = declared.web_form(request, work_order)
        declared.perform(work_order=work_order, actor=user, expected_version=expected_version(request), **arguments)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as exc:
        message_service_errors(request, exc)
        return redirect("fieldservice:detail", number=number)
    except DomainError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, str(declared.done))
    target = request.POST.get("next", "")
    if target == "board" and can_dispatch(user):
        return redirect("fieldservice:board")
    return redirect(f"{reverse('fieldservice:detail', args=[number])}#{action.replace('_', '-')}")


# --- the technician -----------------------------------------------------------------------------


@staff_required
def my_jobs(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    day = parse_date(request.GET.get("day", "") or "") or clock.local_today()
    jobs = technician_jobs(user=user, day=day)
    return render(
        request,
        "fieldservice/my_jobs.html",
        {
            "jobs": [{"work_order": wo, "site": site_details(user, wo)} for wo in jobs],
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "has_profile": TechnicianProfile.objects.filter(user=user).exists(),
        },
    )


# --- files and the acceptance form --------------------------------------------------------------


@staff_required  # type: ignore[arg-type]
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    record = WorkOrderFile.objects.select_related("work_order").filter(pk=pk).first()
    if record is None or not in_scope(request_user(request), record.work_order):
        raise Http404
    try:
        handle = record.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Photos open in the page; a PDF permit is downloaded, never rendered in our origin.
    response = FileResponse(
        handle,
        as_attachment=record.content_type == "application/pdf",
        filename=record.original_name,
        content_type=record.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


@staff_required  # type: ignore[arg-type]
def signature_image(request: HttpRequest, number: str) -> FileResponse:
    work_order = _get(request_user(request), number)
    acceptance = acceptance_for(work_order)
    if acceptance is None or not acceptance.signature:
        raise Http404
    try:
        handle = acceptance.signature.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restore without the files): gone, not a 500
        raise Http404 from None
    response = FileResponse(handle, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


@staff_required
def acceptance_form(request: HttpRequest, number: str) -> HttpResponse:
    work_order = _get(request_user(request), number)
    acceptance = acceptance_for(work_order)
    if acceptance is None:
        raise Http404
    return render(request, "fieldservice/acceptance.html", {"work_order": work_order, "acceptance": acceptance})


@staff_required
def acceptance_form_pdf(request: HttpRequest, number: str) -> HttpResponse:
    work_order = _get(request_user(request), number)
    acceptance = acceptance_for(work_order)
    if acceptance is None:
        raise Http404
    response = HttpResponse(acceptance_pdf(acceptance), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{work_order.number}.pdf"'
    return private_no_store(response)


# --- the customer's quote link ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@in_link_owner_language(services.work_order_from_quote_token)
def quote_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The customer reads the quote and answers it: confirms it, or declines it with an optional
    reason; the signed link is the key (no login). An expired link says so (410)."""
    try:
        work_order = services.work_order_from_quote_token(token)
    except QuoteLinkExpired as exc:
        response = render(request, "fieldservice/quote.html", {"expired": exc.message}, status=410)
        return private_no_store(response)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        declining = request.POST.get("answer") == "decline"
        try:
            if declining:
                work_order_decline_quote(
                    work_order=work_order, actor=None, reason=request.POST.get("reason", ""), via=QuoteAnswerVia.PORTAL
                )
            else:
                services.work_order_confirm_quote(work_order=work_order, actor=None)
        except DomainError as exc:
            message_service_errors(request, exc)
        else:
            done = _("Your answer is recorded: you declined the quote. We will contact you.") if declining else None
            messages.success(request, done or _("Thank you: your confirmation is recorded."))
        return redirect("fieldservice:quote_by_link", token=token)
    work_order.refresh_from_db()
    context = {"work_order": work_order, "token": token, "answerable": quote_awaits_answer(work_order)}
    response = render(request, "fieldservice/quote.html", context)
    return private_no_store(response)
