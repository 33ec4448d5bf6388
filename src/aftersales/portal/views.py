"""The customer's pages: their tickets and each ticket's progress (public timeline only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.selectors import ticket_get_for_user, tickets_visible_to

from .links import ticket_from_token


def _customer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_customer:
        raise PermissionDenied
    return user


def _public_timeline(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, public=True).select_related("actor").order_by("created_at", "id"))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _customer(request)
    tickets = list(tickets_visible_to(user).select_related("category").order_by("-created_at", "-id")[:100])
    return render(request, "portal/home.html", {"tickets": tickets})


@login_required
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _customer(request)
    try:
        ticket = ticket_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None
    return render(request, "portal/ticket.html", {"ticket": ticket, "events": _public_timeline(ticket), "via_link": False})


@never_cache
@require_GET
def ticket_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """A ticket opened from the signed link in a notification, without signing in."""
    try:
        ticket = ticket_from_token(token)
    except NotFound:
        raise Http404 from None
    response = render(request, "portal/ticket.html", {"ticket": ticket, "events": _public_timeline(ticket), "via_link": True})
    response["Referrer-Policy"] = "no-referrer"  # keep the token out of other sites' logs
    return response
