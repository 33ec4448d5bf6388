"""The agent's ticket pages: list, detail, phone intake, lookups and downloads.

Views are thin: they parse input with a form, call one service or selector, and render a full
page, or, for htmx requests, the fragment of the same page that changed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.catalog.selectors import unit_find_by_serial
from aftersales.catalog.warranty import warranty_status
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from aftersales.core.view_errors import add_service_errors
from aftersales.customers.phones import normalize_phone
from aftersales.customers.selectors import customer_find_by_phone

from .forms import STATUS_ALL, STATUS_OPEN, AttachmentForm, IntakeForm, NoteForm, TicketListFilterForm
from .list_rows import column_labels, filter_form_html, render_rows
from .selectors import TicketFilters, attachment_get_for_user, ticket_list_for_user, tickets_newest_for_user
from .services import ticket_add_attachment, ticket_add_note, ticket_intake
from .view_helpers import (
    attachments_context,
    display_phone,
    get_ticket_or_404,
    is_fragment_request,
    render_detail,
    render_htmx,
    timeline_context,
)

RECENT_TICKETS_IN_LOOKUP = 5


# --- List -----------------------------------------------------------------------------------


@staff_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    values = TicketListFilterForm.values_from(request.GET)
    status = values["status"]
    filters = TicketFilters(
        statuses=() if status in {STATUS_OPEN, STATUS_ALL} else (status,),
        open_only=status == STATUS_OPEN,
        priority=values["priority"],
        channel=values["channel"],
        query=values["q"],
        queue=values["queue"],
    )
    page = ticket_list_for_user(
        user=user,
        filters=filters,
        sort=values["sort"],
        cursor=request.GET.get("cursor") or None,
        page_size=settings.TICKET_LIST_PAGE_SIZE,
    )
    fragment = is_fragment_request(request)
    rows = render_rows(page.rows, user=user)
    list_url = reverse("tickets:list")
    params = request.GET.copy()
    params.pop("cursor", None)
    first_url = f"{list_url}?{params.urlencode()}" if request.GET.get("cursor") else ""
    next_url = ""
    if page.next_cursor:
        params["cursor"] = page.next_cursor
        next_url = f"{list_url}?{params.urlencode()}"
    context = {
        "filters": "" if fragment else filter_form_html(request.GET),
        "page": page,
        "rows": rows,
        "labels": column_labels().as_list(),
        "next_url": next_url,
        "first_url": first_url,
    }
    template = "tickets/partials/ticket_results.html" if fragment else "tickets/ticket_list.html"
    return render_htmx(request, template, context)


# --- Detail ---------------------------------------------------------------------------------


@staff_required
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_ticket_or_404(request.user, number)  # type: ignore[arg-type]
    return render_detail(request, ticket)


@staff_required
@require_POST
def ticket_note_add(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_or_404(user, number)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            ticket_add_note(ticket=ticket, actor=user, body=form.cleaned_data["body"], kind=form.cleaned_data["kind"])
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            if not is_fragment_request(request):
                messages.success(request, _("The entry was added to the timeline."))
                return redirect(f"{reverse('tickets:detail', args=[ticket.number])}#timeline")
            form = NoteForm()
    if not is_fragment_request(request):
        return render_detail(request, ticket, note_form=form)
    return render_htmx(request, "tickets/partials/timeline_section.html", {**timeline_context(ticket, user), "note_form": form})


@staff_required
@require_POST
def ticket_attachment_add(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_or_404(user, number)
    form = AttachmentForm(request.POST, request.FILES)
    added = False
    if form.is_valid():
        upload = form.cleaned_data["attachment"]
        try:
            ticket_add_attachment(
                ticket=ticket, actor=user, fileobj=upload, filename=upload.name, public=form.cleaned_data["public"]
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            added = True
            if not is_fragment_request(request):
                messages.success(request, _("The file was attached."))
                return redirect(f"{reverse('tickets:detail', args=[ticket.number])}#attachments")
            form = AttachmentForm()
    if not is_fragment_request(request):
        return render_detail(request, ticket, attachment_form=form)
    context = {**attachments_context(ticket, user), "attachment_form": form, "timeline_oob": added}
    if added:
        context.update(timeline_context(ticket, user))
    return render_htmx(request, "tickets/partials/attachments_response.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Stream an attachment to a user who may see its ticket; 404 for everybody else."""
    try:
        attachment = attachment_get_for_user(user=request.user, attachment_id=pk)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    try:
        fileobj = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(fileobj, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Phone intake ---------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_intake_form(request: HttpRequest) -> HttpResponse:
    """Register a hotline call. A hidden per-form key makes a double submit create one ticket."""
    if request.method != "POST":
        return render_htmx(request, "tickets/ticket_intake.html", {"form": IntakeForm()})
    user: User = request.user  # type: ignore[assignment]
    form = IntakeForm(request.POST)
    if form.is_valid():
        try:
            result = ticket_intake(data=form.to_intake_input(), actor=user, idempotency_key=form.cleaned_data["idempotency_key"])
        except ValidationFailed as exc:
            add_service_errors(form, exc, IntakeForm.SERVICE_FIELDS)
        except Conflict as exc:
            # The key was used for other input (e.g. the form was resubmitted after editing):
            # nothing was created; offer a fresh key so that submitting again registers this call.
            form = form.with_new_key()
            form.add_error(None, exc.message)
        else:
            ticket = result.ticket
            number = format_html('<strong class="ticket-number" data-test-id="ticket-number">{}</strong>', ticket.number)
            if result.created:
                text = _("Ticket {number} is registered. Tell the customer this number.")
            else:
                text = _("This call was already registered as ticket {number}.")
            messages.success(request, format_html(text, number=number), extra_tags="ticket-created")
            return redirect("tickets:detail", number=ticket.number)
    return render_htmx(request, "tickets/ticket_intake.html", {"form": form})


@staff_required
@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """Fragment for the intake form: who is calling, judged by the phone number typed so far."""
    user: User = request.user  # type: ignore[assignment]
    raw = request.GET.get("phone", "").strip()
    context: dict[str, Any] = {"state": "empty"}
    if raw:
        try:
            phone = normalize_phone(raw)
        except ValidationFailed:
            context = {"state": "incomplete"}
        else:
            customer = customer_find_by_phone(phone_e164=phone)
            if customer is None:
                context = {"state": "new"}
            else:
                context = {
                    "state": "found",
                    "customer": customer,
                    "phone": display_phone(user, customer.phone),
                    "fill_name": user.sees_personal_data,
                    "recent": tickets_newest_for_user(user=user, customer_id=customer.pk, limit=RECENT_TICKETS_IN_LOOKUP),
                }
    return render_htmx(request, "tickets/partials/customer_lookup.html", context)


@staff_required
@require_GET
def unit_lookup(request: HttpRequest) -> HttpResponse:
    """Fragment for the intake form: the registered unit behind a serial number and its warranty."""
    serial = request.GET.get("serial_number", "").strip()
    context: dict[str, Any] = {"state": "empty", "serial": serial}
    if serial:
        unit = unit_find_by_serial(serial_number=serial)
        if unit is None:
            context["state"] = "unknown"
        else:
            context.update(state="found", unit=unit, warranty=warranty_status(unit, clock.local_today()))
    return render_htmx(request, "tickets/partials/unit_lookup.html", context)
