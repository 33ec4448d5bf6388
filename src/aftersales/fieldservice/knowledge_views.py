"""The knowledge panel of a work order: the suggested articles for its ticket, and "this solved
it", for whoever may open the work order — the technician among them, who may not open the ticket
page itself (data scope "own"). The knowledge app's own panel is the ticket page's; this one
checks the work order instead (the knowledge app sits below field service and cannot)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from aftersales.accounts.decorators import staff_required
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, request_user
from aftersales.knowledge import selectors as knowledge
from aftersales.knowledge.services import article_mark_solved

from .selectors import work_order_get_for_user

COMPACT_SUGGESTIONS = 3


@staff_required
@require_safe
@domain_errors
def panel(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
    order = work_order_get_for_user(user=user, number=number)
    context = {
        "ticket": order.ticket,
        "compact": True,
        "suggestions": knowledge.ticket_suggestions(user=user, ticket=order.ticket, limit=COMPACT_SUGGESTIONS),
        "may_draft": False,
        "next": reverse("fieldservice:detail", args=[order.number]),
        "solved_route": "fieldservice:knowledge_solved",
        "solved_key": order.number,
    }
    if is_fragment_request(request):
        return render(request, "knowledge/_suggestions.html", context)
    return render(request, "knowledge/ticket_panel.html", context)


@staff_required
@require_POST
@domain_errors
def mark_solved(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    user = request_user(request)
    order = work_order_get_for_user(user=user, number=number)
    article = knowledge.article_get_for_user(user=user, article_id=pk)
    with refusals(request=request) as refused:
        article_mark_solved(article=article, ticket=order.ticket, actor=user)
    if not refused:
        messages.success(request, _("Thank you: the article is counted as solving this ticket."))
    return redirect("fieldservice:detail", order.number)
