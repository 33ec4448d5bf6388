"""The remedies panel of the ticket page, loaded after the page (htmx; a page of its own without
JavaScript), and its form: choose the remedy (htmx puts the panel back; without htmx the ticket
page is shown again, a refusal as a message on it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, private_no_store, render_htmx, request_user
from aftersales.tickets.selectors.scope import ticket_get_for_user

from . import services
from .forms import RemedyChoiceForm
from .templatetags.remedies_tags import panel_context


@staff_required
@domain_errors
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The 三包 proposal and decision: htmx loads it after the ticket page (the page itself runs
    no query for it); without JavaScript its link opens it as a page of its own."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    context = panel_context(user=user, ticket=ticket)
    template = "remedies/_panel.html" if is_fragment_request(request) else "remedies/ticket_panel.html"
    return private_no_store(render_htmx(request, template, context))


@staff_required
@require_POST
@domain_errors
def decide(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
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
