"""The remedies panel's form on the ticket page: choose the remedy (htmx puts the panel back;
without htmx the ticket page is shown again, a refusal as a message on it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.tickets.selectors.scope import ticket_get_for_user

from . import services
from .forms import RemedyChoiceForm
from .templatetags.remedies_tags import panel_context


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_required
@require_POST
@domain_errors
def decide(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    form = RemedyChoiceForm(request.POST)
    saved = False
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        with refusals(form=form, propagate=(NotFound, PermissionDenied)) as refused:
            services.remedy_decide(
                ticket=ticket,
                actor=user,
                remedy=data["remedy"],
                reason=data["reason"],
                price_paid=data["price_paid"],
                expected_version=data["version"],
            )
            saved = True
        status = refused.status if refused else 200
    if not request.headers.get("HX-Request"):
        if not saved:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("tickets:detail", number=ticket.number)
    context = panel_context(user=user, ticket=ticket, form=None if saved else form, saved=saved)
    return HttpResponse(render_to_string("remedies/_panel.html", context, request=request), status=status)
