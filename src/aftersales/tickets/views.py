"""The agent's ticket pages: list, detail, phone intake, lookups and downloads.

Views are thin: they parse input with a form, call one service or selector, and render a full
page, or, for htmx requests, the fragment of the same page that changed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.audit.audit_actions import AccessAudit
from aftersales.audit.services import audit_record_refusal
from aftersales.catalog.warranty import warranty_status
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from aftersales.core.masking import mask_name
from aftersales.core.throttle import throttle_hit
from aftersales.core.view_errors import add_service_errors, domain_errors
from aftersales.core.web import is_fragment_request, private_no_store, render_htmx
from aftersales.customers.phones import normalize_phone

from .action_forms import BulkAssignForm
from .downloads import agreement_document_response
from .forms import AttachmentForm, IntakeForm, NoteForm, TicketListFilterForm
from .list_chips import render_chips
from .list_rows import column_labels, filter_form_html, render_rows
from .permissions import may_register_tickets
from .saved_view_bar import list_bar, render_bar, start_redirect
from .selectors import attachment_get_for_user, ticket_list_for_user, tickets_newest_for_user
from .selectors.agreements import agreement_document_get_for_user
from .selectors.assignment import may_assign_others
from .selectors.lookup import customer_default_address, customer_lookup_for_user, unit_lookup_for_user
from .services import ticket_add_attachment, ticket_add_note, ticket_intake
from .services.agreements import agreement_document_record_view
from .services.assignment import BulkAssignResult, may_run_assignment_rules, tickets_auto_assign_now, tickets_bulk_assign
from .view_helpers import (
    attachments_context,
    display_phone,
    get_ticket_or_404,
    render_detail,
    timeline_context,
)

RECENT_TICKETS_IN_LOOKUP = 5


# --- List -----------------------------------------------------------------------------------


@staff_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    bar = list_bar(request.GET, user)  # the bar of saved views: one query
    if start := start_redirect(request, bar):
        return redirect(start)
    values = TicketListFilterForm.values_from(request.GET)
    filters = TicketListFilterForm.filters_from(values)
    page = ticket_list_for_user(
        user=user,
        filters=filters,
        sort=values["sort"],
        cursor=request.GET.get("cursor") or None,
        page_size=settings.TICKET_LIST_PAGE_SIZE,
    )
    fragment = is_fragment_request(request)
    selectable = may_assign_others(user)  # a checkbox per row for the bulk assignment
    rows = render_rows(page.rows, user=user, selectable=selectable)
    list_url = reverse("tickets:list")
    params = request.GET.copy()
    params.pop("cursor", None)
    first_url = f"{list_url}?{params.urlencode()}" if request.GET.get("cursor") else ""
    next_url = ""
    if page.next_cursor:
        params["cursor"] = page.next_cursor
        next_url = f"{list_url}?{params.urlencode()}"
    # The filters applied, as chips that each remove one: with a fragment, out of band beside the
    # bar (ticket_results_page.html).
    chips = render_chips(request.GET, values, oob=fragment)
    bar_html = render_bar(request, bar, oob=fragment)
    context = {
        "filters": "" if fragment else filter_form_html(request.GET),
        "filter_chips": chips,
        "page": page,
        "rows": rows,
        "labels": column_labels().as_list(),
        "next_url": next_url,
        "first_url": first_url,
        "selectable": selectable,
        "auto_assign": values["queue"] == "unassigned" and may_run_assignment_rules(user),
        "list_path": request.get_full_path(),
        "may_register": may_register_tickets(user),  # the "New phone intake" button
        "saved_views": bar_html,
    }
    # A fragment brings the bar along (out of band): the view now showing is marked, and "Save
    # this view" saves the filters now chosen.
    template = "tickets/partials/ticket_results_page.html" if fragment else "tickets/ticket_list.html"
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
    added = False
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
            added = True
    if not is_fragment_request(request):
        return render_detail(request, ticket, note_form=form)
    context = {**timeline_context(ticket, user), "note_form": form, "note_added": added}
    return render_htmx(request, "tickets/partials/timeline_section.html", context)


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
                ticket=ticket,
                actor=user,
                fileobj=upload,
                filename=upload.name,
                public=form.cleaned_data["public"],
                kind=form.chosen_kind(),
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
    return private_no_store(response)


@staff_required
@require_GET
def agreement_document(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """The customer's signed agreement (the signature drawn in the portal or an uploaded scan)
    for staff who may see the ticket; 404 for everybody else. ``?inline=1``: an image shown in
    the page (the ticket page's small signature). Every opening is in the audit log."""
    user: User = request.user  # type: ignore[assignment]
    try:
        document = agreement_document_get_for_user(user=user, number=number, agreement_id=pk)
    except NotFound:
        raise Http404 from None
    inline = request.GET.get("inline") == "1" and document.inline
    response = agreement_document_response(document, inline=inline)
    agreement_document_record_view(document=document, viewer=user, inline=inline)
    return response


# --- Phone intake ---------------------------------------------------------------------------


def _registering_user(request: HttpRequest) -> User:
    """The signed-in member of staff, if their role registers tickets; the 403 page for the
    others (a technician or a warehouse keeper following an old link), before the form is shown
    or anything is stored (``tickets.permissions.may_register_tickets``)."""
    user: User = request.user  # type: ignore[assignment]
    if not may_register_tickets(user):
        raise DjangoPermissionDenied
    return user


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_intake_form(request: HttpRequest) -> HttpResponse:
    """Register a call, a walk-in, a letter … with the evidence the customer gave (photos, the
    invoice, a proof of purchase). A hidden per-form key makes a double submit create one ticket
    with one set of files; a refused file refuses the submit, named on its field, and the form
    comes back with everything typed (the files are chosen again: a browser keeps none)."""
    user = _registering_user(request)
    if request.method != "POST":
        return render_htmx(request, "tickets/ticket_intake.html", {"form": IntakeForm()})
    form = IntakeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = ticket_intake(
                data=form.to_intake_input(),
                actor=user,
                idempotency_key=form.cleaned_data["idempotency_key"],
                evidence=form.evidence(),
            )
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
    return render_htmx(request, "tickets/ticket_intake.html", {"form": form, "files_dropped": bool(request.FILES)})


def _lookup_user(request: HttpRequest) -> User:
    """The intake page's lookups answer only who registers tickets (the intake page's own rule,
    ``may_register_tickets``): technicians, warehouse keepers, marketing and finance get a 403
    (audited by ``AuditContextMiddleware``). Each user has ``INTAKE_LOOKUPS_PER_MINUTE`` lookups
    (both kinds together; ``core.throttle``): beyond, a 429 and an audit row."""
    user = _registering_user(request)
    result = throttle_hit(key=f"intake-lookup:{user.pk}", limit=int(getattr(settings, "INTAKE_LOOKUPS_PER_MINUTE", 30)))
    if not result.allowed:
        raise LookupThrottled(result.retry_after)
    return user


class LookupThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _throttled(request: HttpRequest, user: User, template: str, retry_after: int) -> HttpResponse:
    """429 with Retry-After and an audit row. To htmx the fragment comes with 200 (htmx swaps no
    error answer), so the agent reads why the lookup stopped answering."""
    audit_record_refusal(
        action=AccessAudit.THROTTLED, actor=user, path=request.path, method="GET", status=429, detail={"retry_after": retry_after}
    )
    request._refusal_recorded = True  # type: ignore[attr-defined]  # AuditContextMiddleware: already recorded
    status = 200 if request.htmx else 429  # type: ignore[attr-defined]
    response = render_htmx(request, template, {"state": "throttled", "seconds": retry_after}, status=status)
    response["Retry-After"] = str(retry_after)
    return response


def _record_out_of_scope(request: HttpRequest, user: User, what: str) -> None:
    audit_record_refusal(
        action=AccessAudit.OUT_OF_SCOPE, actor=user, path=request.path, method="GET", status=200, detail={"lookup": what}
    )


@staff_required
@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """Fragment for the intake form: who is calling, judged by the phone number typed so far.
    Under the user's data scope (``tickets.selectors.lookup``): a customer outside it is neither
    named nor described, only said to exist (the intake attaches the ticket to them)."""
    template = "tickets/partials/customer_lookup.html"
    try:
        user = _lookup_user(request)
    except LookupThrottled as exc:
        return _throttled(request, request.user, template, exc.retry_after)  # type: ignore[arg-type]
    raw = request.GET.get("phone", "").strip()
    context: dict[str, Any] = {"state": "empty"}
    if raw:
        try:
            phone = normalize_phone(raw)
        except ValidationFailed:
            context = {"state": "incomplete"}
        else:
            found = customer_lookup_for_user(user=user, phone_e164=phone)
            if found.customer is not None:
                customer = found.customer
                context = {
                    "state": "found",
                    "customer": customer,
                    "name": customer.name if user.sees_personal_data else mask_name(customer.name),
                    "phone": display_phone(user, customer.phone),
                    "fill_name": user.sees_personal_data,
                    # The address on file fills the empty "where" fields (when_where): personal
                    # data, so only for who sees it (the others tick "same as the address on file").
                    "fill_address": customer_default_address(customer) if user.sees_personal_data else None,
                    "recent": tickets_newest_for_user(user=user, customer_id=customer.pk, limit=RECENT_TICKETS_IN_LOOKUP),
                }
            elif found.state == "out_of_scope":
                _record_out_of_scope(request, user, "customer")
                context = {"state": "out_of_scope"}
            else:
                context = {"state": "new"}
    return render_htmx(request, template, context)


@staff_required
@require_GET
def unit_lookup(request: HttpRequest) -> HttpResponse:
    """Fragment for the intake form: the registered unit behind a serial number and its warranty
    (a unit of a customer outside the user's data scope: only that it is registered)."""
    template = "tickets/partials/unit_lookup.html"
    try:
        user = _lookup_user(request)
    except LookupThrottled as exc:
        return _throttled(request, request.user, template, exc.retry_after)  # type: ignore[arg-type]
    serial = request.GET.get("serial_number", "").strip()
    context: dict[str, Any] = {"state": "empty", "serial": serial}
    if serial:
        found = unit_lookup_for_user(user=user, serial_number=serial)
        if found.unit is not None:
            unit = found.unit
            context.update(state="found", unit=unit, warranty=warranty_status(unit, clock.local_today()))
        elif found.state == "out_of_scope":
            _record_out_of_scope(request, user, "unit")
            context["state"] = "out_of_scope"
        else:
            context["state"] = "unknown"
    return render_htmx(request, template, context)


# --- Assignment from the list (tickets.services.assignment) ---------------------------------


def _back_to_list(request: HttpRequest) -> str:
    """The list page the user came from (its filters), or the plain list."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("tickets:list")


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_bulk_assign(request: HttpRequest) -> HttpResponse:
    """GET: whom to give the tickets checked in the list (in place under the list with htmx, or
    as a page). POST: each ticket through ``ticket_assign_to``; back to the list with what was
    assigned and, per ticket, why any was not."""
    user: User = request.user  # type: ignore[assignment]
    if not may_assign_others(user):
        raise DjangoPermissionDenied
    data = request.POST if request.method == "POST" else None
    numbers = (request.POST if data is not None else request.GET).getlist("tickets")
    form = BulkAssignForm(data, user=user, numbers=numbers, initial={"next": _back_to_list(request)})
    if data is not None and form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            result = tickets_bulk_assign(
                actor=user, numbers=form.cleaned_data["tickets"], assignee=assignee, note=form.cleaned_data["note"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            _bulk_messages(request, result, assignee)
            return redirect(_back_to_list(request))
    context = {"form": form, "numbers": form.numbers}
    if is_fragment_request(request):
        return render_htmx(request, "tickets/partials/bulk_assign_form.html", context)
    return render_htmx(request, "tickets/bulk_assign.html", context)


def _bulk_messages(request: HttpRequest, result: BulkAssignResult, assignee: User | None) -> None:
    done = len(result.assigned)
    if done:
        if assignee is not None:
            text = ngettext("%(count)d ticket assigned to %(name)s.", "%(count)d tickets assigned to %(name)s.", done) % {
                "count": done,
                "name": assignee,
            }
        else:
            text = ngettext(
                "%(count)d ticket put back in the unassigned queue.", "%(count)d tickets put back in the unassigned queue.", done
            ) % {"count": done}
        messages.success(request, text, extra_tags="bulk-assigned")
    refused = result.refused
    if refused:
        messages.warning(
            request,
            ngettext("%(count)d ticket was not assigned:", "%(count)d tickets were not assigned:", len(refused))
            % {"count": len(refused)},
            extra_tags="bulk-refused",
        )
        for item in refused:
            messages.warning(
                request,
                _("%(number)s: %(reason)s") % {"number": item.number, "reason": item.message},
                extra_tags="bulk-refused-item",
            )


@staff_required
@require_POST
@domain_errors
def ticket_auto_assign_now(request: HttpRequest) -> HttpResponse:
    """The unassigned queue's "auto-assign now": the assignment rules over the unassigned
    tickets in the user's scope (supervisors only: 403 for others); back to the list with how
    many were placed."""
    user: User = request.user  # type: ignore[assignment]
    summary = tickets_auto_assign_now(actor=user)
    messages.success(
        request,
        ngettext(
            "Assignment rules: %(count)d ticket assigned.", "Assignment rules: %(count)d tickets assigned.", summary.assigned
        )
        % {"count": summary.assigned},
        extra_tags="auto-assigned",
    )
    left = summary.no_rule + summary.nobody_available
    if left:
        messages.info(
            request,
            ngettext(
                "%(count)d ticket left unassigned: no rule matches it, or nobody in the rule's team is available.",
                "%(count)d tickets left unassigned: no rule matches them, or nobody in the rules' teams is available.",
                left,
            )
            % {"count": left},
        )
    return redirect(_back_to_list(request))
