"""The quality manager's worklist of results waiting for acceptance. Thin: the caller's scope
and role, a selector, a page. Accepting and sending back are the ticket page's actions
(``tickets.actions_acceptance``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aftersales.accounts.decorators import staff_required
from aftersales.core.view_errors import domain_errors
from aftersales.core.web import request_user

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
