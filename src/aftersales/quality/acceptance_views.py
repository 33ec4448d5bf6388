"""The quality manager's worklist of results waiting for acceptance, and the acceptance panel of
the ticket page. Thin: the caller's scope and role, a selector, a page. Accepting and sending
back are the ticket page's actions (``tickets.actions_acceptance``); the panel's forms post there."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aftersales.accounts.decorators import staff_required
from aftersales.core.view_errors import domain_errors
from aftersales.core.web import is_fragment_request, private_no_store, render_htmx, request_user
from aftersales.tickets.selectors import ticket_get_for_user

from .acceptance_panel import acceptance_panel_context
from .acceptance_rules import current_rule, rule_summary
from .acceptance_selectors import awaiting_acceptance, require_acceptor, worklist_rows

PAGE_SIZE = 50


@staff_required
@domain_errors
def acceptance_worklist(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_acceptor(user)
    page = Paginator(awaiting_acceptance(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": worklist_rows(list(page.object_list)),
        "rule": rule_summary(current_rule()),
        "can_edit_rule": bool(user.is_superuser or user.is_staff),
    }
    return render(request, "quality/acceptance_worklist.html", context)


@staff_required
@domain_errors
def ticket_acceptance_panel(request: HttpRequest, ticket_number: str) -> HttpResponse:
    """The ticket page's acceptance panel: htmx loads it after the page (the page runs no query
    for it); without JavaScript its link opens it as a page of its own. Anyone of staff who sees
    the ticket reads it; the decision's forms only for those who may decide."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=ticket_number)
    context = acceptance_panel_context(user=user, ticket=ticket)
    template = "quality/_acceptance_panel.html" if is_fragment_request(request) else "quality/acceptance_panel.html"
    return private_no_store(render_htmx(request, template, context))
