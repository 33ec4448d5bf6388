"""Pages: the dispatcher's board, the work order (agent and dispatcher), the technician's day and
job on a phone, the acceptance form (HTML and PDF), the customer's quote link.

No business rule lives here: every POST calls one service; a refusal is shown as a message on
the page it came from, never as a 500.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import Region, Role, User
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.tickets.models import PlanMeasure
from aftersales.tickets.selectors import ticket_get_for_user

from . import services
from .models import (
    AcceptanceMethod,
    ExpenseClaim,
    ExpenseKind,
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

W = WorkOrderStatus


def parts_panel_available() -> bool:
    """The parts app's panel is included once that app is installed with its template tags."""
    if not apps.is_installed("aftersales.parts"):
        return False
    try:
        return importlib.util.find_spec("aftersales.parts.templatetags.parts_tags") is not None
    except ModuleNotFoundError:
        return False


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _aware(value: str | None) -> dt.datetime | None:
    """A ``datetime-local`` value in the business time zone."""
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValidationFailed({"appointment_start": [_("Enter a date and time.")]}, code="datetime_invalid")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _local_input(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%dT%H:%M")


def _show_error(request: HttpRequest, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None)
    if errors:
        for messages_list in errors.values():
            for message in messages_list:
                messages.error(request, str(message))
    else:
        messages.error(request, str(exc.message))


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("expected_version", "")
    return int(value) if value.isdigit() else None


# --- the dispatcher's board ---------------------------------------------------------------------


@staff_required
def board(request: HttpRequest) -> HttpResponse:
    user = _user(request)
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
    user = _user(request)
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
            region_value = request.POST.get("region", "")
            work_order = services.work_order_create(
                measure=PlanMeasure.objects.select_related("plan").get(pk=measure.pk),
                actor=user,
                description=request.POST.get("description", ""),
                required_skills=list(Skill.objects.filter(pk__in=request.POST.getlist("skills"), active=True)),
                region=Region.objects.filter(pk=region_value).first() if region_value.isdigit() else None,
                address=request.POST.get("address", ""),
                contact_name=request.POST.get("contact_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
                site_requirements=request.POST.get("site_requirements", ""),
                appointment_start=_aware(request.POST.get("appointment_start")),
                appointment_end=_aware(request.POST.get("appointment_end")),
                permits=request.FILES.getlist("permits"),
            )
        except DomainError as exc:
            _show_error(request, exc)
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
    dispatcher = can_dispatch(user)
    return {
        "work_order": work_order,
        "ticket": work_order.ticket,
        "site": site_details(user, work_order),
        "is_technician": is_tech,
        "is_dispatcher": dispatcher,
        "permits": [f for f in files if f.kind == WorkOrderFileKind.PERMIT],
        "before_photos": [f for f in files if f.kind == WorkOrderFileKind.BEFORE],
        "after_photos": [f for f in files if f.kind == WorkOrderFileKind.AFTER],
        "charge_lines": list(work_order.charge_lines.all()),
        "acceptance": acceptance_for(work_order),
        "expenses": list(work_order.expenses.select_related("technician").all()),
        "expense_kinds": ExpenseKind.choices,
        "suggestions": suggest_technicians(work_order=work_order, day=day)
        if dispatcher and work_order.status not in {W.CANCELLED, W.FAILED, W.DONE, W.CUSTOMER_ACCEPTED, W.ON_SITE, W.ON_THE_WAY}
        else [],
        "parts_panel": parts_panel_available(),
        "skills": list(work_order.required_skills.all()),
        "start_input": _local_input(work_order.appointment_start),
        "end_input": _local_input(work_order.appointment_end),
        "S": {s.name: s.value for s in W},
        "decides_expenses": dispatcher or user.role == Role.FINANCE or user.is_superuser,
    }


@staff_required
def work_order_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    work_order = _get(user, number)
    response = render(request, "fieldservice/detail.html", _detail_context(user, work_order))
    patch_cache_control(response, private=True, no_store=True)
    return response


def _expected(request: HttpRequest) -> dict[str, Any]:
    return {"expected_version": _version(request)}


def _location(request: HttpRequest) -> dict[str, Any]:
    return {
        "share_location": request.POST.get("share_location") == "yes",
        "lat": request.POST.get("lat") or None,
        "lng": request.POST.get("lng") or None,
    }


def _technician_user(request: HttpRequest) -> User:
    value = request.POST.get("technician", "")
    user = User.objects.filter(pk=value).first() if value.isdigit() else None
    if user is None:
        raise ValidationFailed({"technician": [_("Choose a technician.")]}, code="technician_required")
    return user


ACTIONS: dict[str, Callable[[HttpRequest, WorkOrder, User], object]] = {
    "dispatch": lambda r, wo, u: services.work_order_dispatch(
        work_order=wo,
        actor=u,
        technician=_technician_user(r),
        appointment_start=_aware(r.POST.get("appointment_start")),
        appointment_end=_aware(r.POST.get("appointment_end")),
        **_expected(r),
    ),
    "reschedule": lambda r, wo, u: services.work_order_reschedule(
        work_order=wo,
        actor=u,
        appointment_start=_aware(r.POST.get("appointment_start")),  # type: ignore[arg-type]
        appointment_end=_aware(r.POST.get("appointment_end")),  # type: ignore[arg-type]
        reason=r.POST.get("reason", ""),
        **_expected(r),
    ),
    "cancel": lambda r, wo, u: services.work_order_cancel(
        work_order=wo, actor=u, reason=r.POST.get("reason", ""), **_expected(r)
    ),
    "fail": lambda r, wo, u: services.work_order_fail(work_order=wo, actor=u, reason=r.POST.get("reason", ""), **_expected(r)),
    "accept": lambda r, wo, u: services.work_order_accept(work_order=wo, actor=u, **_expected(r)),
    "depart": lambda r, wo, u: services.work_order_depart(work_order=wo, actor=u, **_expected(r)),
    "check_in": lambda r, wo, u: services.work_order_check_in(work_order=wo, actor=u, **_location(r), **_expected(r)),
    "record_work": lambda r, wo, u: services.work_order_record_work(
        work_order=wo,
        actor=u,
        diagnosis=r.POST.get("diagnosis", ""),
        work_done=r.POST.get("work_done", ""),
        labour_hours=r.POST.get("labour_hours", "0"),
        travel_km=r.POST.get("travel_km", "0"),
        **_expected(r),
    ),
    "photo": lambda r, wo, u: _photo(r, wo, u),
    "permit": lambda r, wo, u: _permit(r, wo, u),
    "quote": lambda r, wo, u: services.work_order_prepare_quote(
        work_order=wo,
        actor=u,
        estimated_hours=r.POST.get("estimated_hours", ""),
        parts_estimate=r.POST.get("parts_estimate", "0"),
        estimated_km=r.POST.get("estimated_km", "0"),
        **_expected(r),
    ),
    "confirm_quote": lambda r, wo, u: services.work_order_confirm_quote(work_order=wo, actor=u, **_expected(r)),
    "check_out": lambda r, wo, u: services.work_order_check_out(work_order=wo, actor=u, **_location(r), **_expected(r)),
    "send_code": lambda r, wo, u: services.acceptance_code_send(work_order=wo, actor=u),
    "customer_accept": lambda r, wo, u: services.work_order_customer_accept(
        work_order=wo,
        actor=u,
        method=r.POST.get("method", AcceptanceMethod.SIGNATURE),
        signer_name=r.POST.get("signer_name", ""),
        signature=r.POST.get("signature", ""),
        code=r.POST.get("code", ""),
        comment=r.POST.get("comment", ""),
        **_expected(r),
    ),
    "expense": lambda r, wo, u: services.expense_claim_submit(
        work_order=wo,
        actor=u,
        kind=r.POST.get("kind", ""),
        amount=r.POST.get("amount", ""),
        note=r.POST.get("note", ""),
        receipt=r.FILES.get("receipt"),
    ),
    "decide_expense": lambda r, wo, u: _decide_expense(r, wo, u),
}


def _photo(request: HttpRequest, work_order: WorkOrder, user: User) -> object:
    upload = request.FILES.get("photo")
    if upload is None:
        raise ValidationFailed({"photo": [_("Choose a photo.")]}, code="photo_required")
    return services.work_order_add_photo(work_order=work_order, actor=user, kind=request.POST.get("kind", ""), file=upload)


def _permit(request: HttpRequest, work_order: WorkOrder, user: User) -> object:
    upload = request.FILES.get("permit")
    if upload is None:
        raise ValidationFailed({"permits": [_("Choose a file.")]}, code="permit_required")
    return services.work_order_add_permit(work_order=work_order, actor=user, file=upload)


def _decide_expense(request: HttpRequest, work_order: WorkOrder, user: User) -> object:
    claim = ExpenseClaim.objects.filter(pk=request.POST.get("claim") or 0, work_order=work_order).first()
    if claim is None:
        raise NotFound("claim not found")
    return services.expense_claim_decide(claim=claim, actor=user, approve=request.POST.get("decision") == "approve")


DONE_MESSAGES = {
    "dispatch": _("Dispatched."),
    "reschedule": _("Rescheduled."),
    "cancel": _("Cancelled."),
    "fail": _("Recorded as failed."),
    "accept": _("Job accepted."),
    "depart": _("On the way."),
    "check_in": _("Checked in."),
    "record_work": _("Work recorded."),
    "photo": _("Photo added."),
    "permit": _("Permit added."),
    "quote": _("Quote sent to the customer."),
    "confirm_quote": _("The customer's confirmation is recorded."),
    "check_out": _("Checked out: work done."),
    "send_code": _("Code sent to the customer."),
    "customer_accept": _("Accepted by the customer."),
    "expense": _("Expense claimed."),
    "decide_expense": _("Decision recorded."),
}


@staff_required
@require_POST
def work_order_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    user = _user(request)
    work_order = _get(user, number)
    try:
        ACTIONS[action](request, work_order, user)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as exc:
        _show_error(request, exc)
        return redirect("fieldservice:detail", number=number)
    except DomainError as exc:
        _show_error(request, exc)
    else:
        messages.success(request, str(DONE_MESSAGES[action]))
    target = request.POST.get("next", "")
    if target == "board" and can_dispatch(user):
        return redirect("fieldservice:board")
    return redirect(f"{reverse('fieldservice:detail', args=[number])}#{action.replace('_', '-')}")


# --- the technician -----------------------------------------------------------------------------


@staff_required
def my_jobs(request: HttpRequest) -> HttpResponse:
    user = _user(request)
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
    if record is None or not in_scope(_user(request), record.work_order):
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
    patch_cache_control(response, private=True, no_store=True)
    return response


@staff_required  # type: ignore[arg-type]
def signature_image(request: HttpRequest, number: str) -> FileResponse:
    work_order = _get(_user(request), number)
    acceptance = acceptance_for(work_order)
    if acceptance is None or not acceptance.signature:
        raise Http404
    response = FileResponse(acceptance.signature.open("rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


@staff_required
def acceptance_form(request: HttpRequest, number: str) -> HttpResponse:
    work_order = _get(_user(request), number)
    acceptance = acceptance_for(work_order)
    if acceptance is None:
        raise Http404
    return render(request, "fieldservice/acceptance.html", {"work_order": work_order, "acceptance": acceptance})


@staff_required
def acceptance_form_pdf(request: HttpRequest, number: str) -> HttpResponse:
    work_order = _get(_user(request), number)
    acceptance = acceptance_for(work_order)
    if acceptance is None:
        raise Http404
    response = HttpResponse(acceptance_pdf(acceptance), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{work_order.number}.pdf"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- the customer's quote link ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def quote_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The customer reads the quote and confirms it; the signed link is the key (no login)."""
    try:
        work_order = services.work_order_from_quote_token(token)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            services.work_order_confirm_quote(work_order=work_order, actor=None)
        except DomainError as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Thank you: your confirmation is recorded."))
        return redirect("fieldservice:quote_by_link", token=token)
    work_order.refresh_from_db()
    response = render(request, "fieldservice/quote.html", {"work_order": work_order, "token": token})
    patch_cache_control(response, private=True, no_store=True)
    return response
