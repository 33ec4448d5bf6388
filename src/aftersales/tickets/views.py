"""The agent's ticket pages: list, detail, phone intake, lookups and downloads.

Views are thin: they parse input with a form, call one service or selector, and render a full
page, or, for htmx requests, the fragment of the same page that changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.catalog.selectors import unit_find_by_serial
from aftersales.catalog.warranty import warranty_status
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from aftersales.core.masking import mask_email, mask_phone
from aftersales.customers.phones import format_phone_national, normalize_phone
from aftersales.customers.selectors import customer_find_by_phone

from .action_forms import ActionForm, actions_panel_context
from .choices import EventKind
from .forms import STATUS_ALL, STATUS_OPEN, AttachmentForm, IntakeForm, NoteForm, TicketListFilterForm, add_service_errors
from .models import Ticket, TicketEvent
from .selectors import (
    TicketFilters,
    attachment_get_for_user,
    ticket_attachments,
    ticket_get_for_user,
    ticket_list_for_user,
    ticket_timeline,
    tickets_visible_to,
)
from .services import ticket_add_attachment, ticket_add_note, ticket_intake
from .states import OPEN_STATUSES, TicketStatus

RECENT_TICKETS_IN_LOOKUP = 5


def _is_fragment_request(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def display_phone(user: User, e164: str) -> str:
    """The phone as the user may see it: in full for roles that need it, else 138****5678."""
    return format_phone_national(e164) if user.sees_personal_data else mask_phone(e164)


def display_email(user: User, email: str) -> str:
    return email if user.sees_personal_data else mask_email(email)


# --- List -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRow:
    ticket: Ticket
    phone: str
    overdue: bool


@staff_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = TicketListFilterForm(request.GET)
    values = form.values()
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
    now = clock.now()
    rows = [
        TicketRow(
            ticket=t,
            phone=display_phone(user, t.customer.phone),
            overdue=bool(t.due_at and t.due_at < now and t.status in OPEN_STATUSES),
        )
        for t in page.rows
    ]
    list_url = reverse("tickets:list")
    params = request.GET.copy()
    params.pop("cursor", None)
    first_url = f"{list_url}?{params.urlencode()}" if request.GET.get("cursor") else ""
    next_url = ""
    if page.next_cursor:
        params["cursor"] = page.next_cursor
        next_url = f"{list_url}?{params.urlencode()}"
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "next_url": next_url,
        "first_url": first_url,
    }
    template = "tickets/partials/ticket_results.html" if _is_fragment_request(request) else "tickets/ticket_list.html"
    return _render(request, template, context)


# --- Detail ---------------------------------------------------------------------------------


def _get_ticket_or_404(user: User, number: str) -> Ticket:
    try:
        return ticket_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None


@dataclass(frozen=True)
class TimelineEntry:
    event: TicketEvent
    status_change: tuple[str, str] | None


def _status_label(value: Any) -> str:
    try:
        return str(TicketStatus(value).label)
    except ValueError:
        return str(value)


def _timeline_context(ticket: Ticket, user: User) -> dict[str, Any]:
    entries = []
    for event in ticket_timeline(ticket=ticket, user=user):
        change = None
        if event.kind == EventKind.STATUS_CHANGED:
            change = (_status_label(event.data.get("from")), _status_label(event.data.get("to")))
        entries.append(TimelineEntry(event=event, status_change=change))
    return {"ticket": ticket, "timeline": entries}


def _attachments_context(ticket: Ticket, user: User) -> dict[str, Any]:
    return {"ticket": ticket, "attachments": ticket_attachments(ticket=ticket, user=user)}


def _render_detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    note_form: NoteForm | None = None,
    attachment_form: AttachmentForm | None = None,
    bound_action: ActionForm | None = None,
    status: int = 200,
    fragment: bool = False,
    flash: str = "",
) -> HttpResponse:
    """The detail page; ``fragment``: only its article (htmx answer to an action), with ``flash``."""
    user: User = request.user  # type: ignore[assignment]
    unit = ticket.product_unit
    context = {
        **_timeline_context(ticket, user),
        **_attachments_context(ticket, user),
        "customer_phone": display_phone(user, ticket.customer.phone),
        "contact_phone": display_phone(user, ticket.contact_phone),
        "contact_email": display_email(user, ticket.contact_email),
        "unit": unit,
        "warranty": warranty_status(unit, clock.local_today()) if unit is not None else None,
        "note_form": note_form or NoteForm(),
        "attachment_form": attachment_form or AttachmentForm(),
        "is_open": ticket.status in OPEN_STATUSES,
        **actions_panel_context(ticket=ticket, user=user, bound=bound_action),
        "flash": flash,
    }
    template = "tickets/partials/ticket_article.html" if fragment else "tickets/ticket_detail.html"
    return _render(request, template, context, status=status)


@staff_required
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _get_ticket_or_404(request.user, number)  # type: ignore[arg-type]
    return _render_detail(request, ticket)


@staff_required
@require_POST
def ticket_note_add(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = _get_ticket_or_404(user, number)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            ticket_add_note(ticket=ticket, actor=user, body=form.cleaned_data["body"], kind=form.cleaned_data["kind"])
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            if not _is_fragment_request(request):
                messages.success(request, _("The entry was added to the timeline."))
                return redirect(f"{reverse('tickets:detail', args=[ticket.number])}#timeline")
            form = NoteForm()
    if not _is_fragment_request(request):
        return _render_detail(request, ticket, note_form=form)
    return _render(request, "tickets/partials/timeline_section.html", {**_timeline_context(ticket, user), "note_form": form})


@staff_required
@require_POST
def ticket_attachment_add(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = _get_ticket_or_404(user, number)
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
            if not _is_fragment_request(request):
                messages.success(request, _("The file was attached."))
                return redirect(f"{reverse('tickets:detail', args=[ticket.number])}#attachments")
            form = AttachmentForm()
    if not _is_fragment_request(request):
        return _render_detail(request, ticket, attachment_form=form)
    context = {**_attachments_context(ticket, user), "attachment_form": form, "timeline_oob": added}
    if added:
        context.update(_timeline_context(ticket, user))
    return _render(request, "tickets/partials/attachments_response.html", context)


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
        return _render(request, "tickets/ticket_intake.html", {"form": IntakeForm()})
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
    return _render(request, "tickets/ticket_intake.html", {"form": form})


def _recent_tickets(user: User, customer_id: int) -> list[Ticket]:
    """The customer's latest tickets among those ``user`` may see."""
    qs = tickets_visible_to(user).filter(customer_id=customer_id).select_related("category").order_by("-created_at", "-id")
    return list(qs[:RECENT_TICKETS_IN_LOOKUP])


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
                    "recent": _recent_tickets(user, customer.pk),
                }
    return _render(request, "tickets/partials/customer_lookup.html", context)


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
    return _render(request, "tickets/partials/unit_lookup.html", context)
