"""The push endpoint (raw MIME from a mail provider) and the agents' held queue."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.view_errors import domain_errors, refusals

from .held import (
    HeldMailOutOfScope,
    mailin_discard,
    mailin_make_ticket,
    mailin_record_refused_read,
    mailin_release_to_ticket,
)
from .models import InboundSource
from .selectors import held_messages, inbound_get
from .services import mailin_store

SECRET_HEADER = "HTTP_X_AFTERSALES_MAILIN_SECRET"  # noqa: S105 - a header name, not a secret


def _authorised(request: HttpRequest) -> bool:
    """The shared secret, in the header or as the password of HTTP basic; never anonymous."""
    secret = settings.MAILIN_HTTP_SECRET
    if not secret:
        return False
    given = request.META.get(SECRET_HEADER, "")
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if not given and auth.lower().startswith("basic "):
        try:
            given = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            given = ""
    return bool(given) and constant_time_compare(given, secret)


@csrf_exempt
@require_POST
def receive_raw(request: HttpRequest) -> HttpResponse:
    """POST a raw RFC 5322 message as the body. 202 when stored (or already stored)."""
    if not _authorised(request):
        response = JsonResponse({"error": "unauthorised"}, status=401)
        response["WWW-Authenticate"] = 'Basic realm="mailin"'
        return response
    limit = settings.MAILIN_MAX_BYTES
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > limit:
        return JsonResponse({"error": "too_large", "limit": limit}, status=413)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"error": "too_large", "limit": limit}, status=413)
    if not raw.strip():
        return JsonResponse({"error": "empty"}, status=400)
    result = mailin_store(raw=raw, source=InboundSource.HTTP)
    return JsonResponse({"id": result.message.pk, "duplicate": not result.created}, status=202)


@staff_required
@domain_errors
def held_queue(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    show = request.GET.get("show", "held")
    items = held_messages(user=user, show=show)
    return render(request, "mailin/held_queue.html", {"items": items, "show": show})


@staff_required
@domain_errors
def held_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        message = inbound_get(user=user, message_id=message_id)  # NotFound → 404 (``domain_errors``)
    except HeldMailOutOfScope as refused:
        mailin_record_refused_read(actor=user, message=refused.inbound, path=request.path, method=request.method or "GET")
        request._refusal_recorded = True  # type: ignore[attr-defined]  # recorded with more detail than the middleware's
        raise
    if request.method == "POST":
        action = request.POST.get("action", "")
        # Every refusal (not allowed, no such ticket, already handled) is a message on this page.
        with refusals(request=request) as refused:
            if action == "release":
                mailin_release_to_ticket(actor=user, message=message, ticket_number=request.POST.get("ticket_number", ""))
                messages.success(request, _("The email was added to the ticket's timeline."))
            elif action == "new_ticket":
                ticket = mailin_make_ticket(actor=user, message=message)
                messages.success(request, _("Ticket %(number)s was registered.") % {"number": ticket.number})
            elif action == "discard":
                mailin_discard(actor=user, message=message, note=request.POST.get("note", ""))
                messages.success(request, _("The email was discarded."))
            else:
                return HttpResponse(status=400)
        if refused:
            return redirect("mailin:detail", message.pk)
        return redirect("mailin:held")
    return render(request, "mailin/held_detail.html", {"message": message})
