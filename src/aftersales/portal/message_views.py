"""The customer writes to us and cancels from their ticket page, and reads our messages.

- ``…/message/``: a message, photos or files (``message_services.portal_send_message``), signed
  in or through the signed link, while the ticket is open; errors are shown in the page's form.
- ``…/cancel/``: the ticket's cancel action with the customer's reason, where the process lets
  the customer cancel (before the work starts); through the signed link as the customer's
  portal account (a link visitor whose customer has no account calls the hotline).
- ``/portal/messages/``: the in-app copies of what we sent the customer, newest first, only
  their own, unread marked; "Mark as read" one or all, as staff do in their inbox.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError
from aftersales.core.link_language import in_link_owner_language
from aftersales.core.view_errors import add_service_errors
from aftersales.notifications.services import notification_mark_read
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_cancel

from .links import ticket_from_token
from .message_forms import CancelRequestForm, TicketMessageForm
from .message_services import portal_send_message
from .selectors import portal_messages, portal_unread_messages
from .views import _customer, _link_actor, _linked_ticket, _own_ticket, _render_ticket


def _page(ticket: Ticket, token: str | None) -> tuple[str, str]:
    """The ticket page and its plan-answer URL: the signed link's own, or the ticket's."""
    if token:
        return (
            reverse("portal:ticket_by_link", kwargs={"token": token}),
            reverse("portal:answer_plan_by_link", kwargs={"token": token}),
        )
    return reverse("portal:ticket", args=[ticket.number]), reverse("portal:answer_plan", args=[ticket.number])


def _send(request: HttpRequest, ticket: Ticket, *, actor: User | None, token: str | None = None) -> HttpResponse:
    page_url, answer_url = _page(ticket, token)
    form = TicketMessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            portal_send_message(
                ticket=ticket,
                actor=actor,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except Conflict as exc:
            # The key was used for another message (the form was sent again after editing):
            # nothing was stored; a fresh key lets the next submit send this one.
            data = request.POST.copy()
            data["idempotency_key"] = uuid.uuid4().hex
            form = TicketMessageForm(data)
            form.full_clean()
            form.add_error(None, exc.message)
        except DomainError as exc:  # an archived ticket, a refused file
            add_service_errors(form, exc, {"attachment": "attachments", "files": "attachments", "status": ""})
        else:
            messages.success(request, _("Thank you: we received your message. We will answer you soon."))
            return redirect(f"{page_url}#messages")
    response = _render_ticket(
        request, ticket, actor=actor, answer_url=answer_url, via_link=token is not None, extra={"message_form": form}
    )
    if token:
        response["Referrer-Policy"] = "same-origin"
    return response


def _cancel(request: HttpRequest, ticket: Ticket, *, actor: User | None, token: str | None = None) -> HttpResponse:
    if actor is None:  # a link whose customer has no portal account: the hotline cancels for them
        raise PermissionDenied
    page_url, answer_url = _page(ticket, token)
    form = CancelRequestForm(request.POST, version=ticket.version)
    if form.is_valid():
        try:
            ticket_cancel(
                ticket=ticket,
                actor=actor,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as exc:  # a stale page, no longer cancellable
            add_service_errors(form, exc, {"status": "", "version": ""})
        else:
            messages.success(request, _("Your request is cancelled."))
            return redirect(page_url)
    response = _render_ticket(
        request, ticket, actor=actor, answer_url=answer_url, via_link=token is not None, extra={"cancel_form": form}
    )
    if token:
        response["Referrer-Policy"] = "same-origin"
    return response


@login_required
@require_POST
def ticket_message(request: HttpRequest, number: str) -> HttpResponse:
    user, ticket = _own_ticket(request, number)
    return _send(request, ticket, actor=user)


@never_cache
@require_POST
@in_link_owner_language(ticket_from_token)
def ticket_by_link_message(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _linked_ticket(token)
    return _send(request, ticket, actor=_link_actor(ticket), token=token)


@login_required
@require_POST
def ticket_cancel_request(request: HttpRequest, number: str) -> HttpResponse:
    user, ticket = _own_ticket(request, number)
    return _cancel(request, ticket, actor=user)


@never_cache
@require_POST
@in_link_owner_language(ticket_from_token)
def ticket_by_link_cancel(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _linked_ticket(token)
    return _cancel(request, ticket, actor=_link_actor(ticket), token=token)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The customer's messages from us (the in-app copies), newest first."""
    user = _customer(request)
    unread_only = request.GET.get("unread") == "1"
    context = {
        "notifications": portal_messages(user=user, unread_only=unread_only),
        "unread_only": unread_only,
        "unread_count": portal_unread_messages(user=user),
    }
    return render(request, "portal/messages.html", context)


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one of the customer's messages (``id``) or all of them as read; only their own."""
    user = _customer(request)
    raw_id = request.POST.get("id", "")
    notification_mark_read(user=user, notification_id=int(raw_id) if raw_id.isdigit() else None)
    return redirect("portal:messages")
