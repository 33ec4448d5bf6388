"""The revisits' staff pages: the queue (overdue first), a revisit with its call form, the
customer's revisit history and the compliance figures.

Thin: parse, call a selector or a service, render. A refusal is shown on the form or as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, query_without_page, render_htmx

from . import selectors, services
from .forms import CallForm, CancelForm, QueueForm
from .permissions import oversees, reads_revisits, records_calls

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    # Not core.web.request_user: the revisit pages are a 404 for staff who may not read revisits.
    user: User = request.user  # type: ignore[assignment]
    if not reads_revisits(user):
        raise Http404
    return user


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = QueueForm(request.GET or None)
    filters = selectors.QueueFilters()
    if form.is_valid():
        c = form.cleaned_data
        filters = selectors.QueueFilters(
            status=c["status"] or "open",
            reason=c["reason"],
            overdue=c["overdue"],
            mine=c["who"] == "mine",
            unassigned=c["who"] == "unassigned",
            query=c["q"],
        )
    today = clock.local_today()
    page = Paginator(selectors.revisit_queue(user=user, filters=filters, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "today": today, "query": query_without_page(request), "overseer": oversees(user)}
    template = "revisits/partials/queue_rows.html" if is_fragment_request(request) else "revisits/queue.html"
    return render_htmx(request, template, context)


@staff_required
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    revisit = selectors.revisit_get_for_user(user=user, revisit_id=pk)
    may_call = records_calls(user) and revisit.is_open
    form = CallForm(request.POST) if request.method == "POST" else CallForm(initial={"expected_version": revisit.version})
    status = 200
    if request.method == "POST":
        if not may_call:
            raise Http404
        if form.is_valid():
            with refusals(form=form) as refused:
                call = services.revisit_record_call(
                    revisit=revisit, actor=user, data=form.call_input(), expected_version=form.cleaned_data["expected_version"]
                )
            if not refused:
                if call.raised_ticket_id:
                    messages.success(
                        request, _("Call recorded; new ticket %(number)s registered.") % {"number": call.raised_ticket.number}
                    )  # type: ignore[union-attr]
                else:
                    messages.success(request, _("Call recorded."))
                return redirect("revisits:detail", revisit.pk)
            status = refused.status
    context = {
        "revisit": revisit,
        "calls": selectors.revisit_calls(revisit=revisit),
        "form": form,
        "may_call": may_call,
        "may_cancel": oversees(user) and revisit.is_open,
        "cancel_form": CancelForm(initial={"expected_version": revisit.version}),
        "today": clock.local_today(),
        "max_attempts": services.max_attempts(),
    }
    return render(request, "revisits/detail.html", context, status=status)


@staff_required
@require_POST
@domain_errors
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    revisit = selectors.revisit_get_for_user(user=user, revisit_id=pk)
    form = CancelForm(request.POST)
    form.is_valid()
    with refusals(request=request) as refused:
        services.revisit_cancel(
            revisit=revisit,
            actor=user,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=form.cleaned_data.get("expected_version"),
        )
    if not refused:
        messages.success(request, _("Revisit cancelled."))
    return redirect("revisits:detail", revisit.pk)


@staff_required
@domain_errors
def customer_history(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = _user(request)
    customer, revisits = selectors.customer_revisit_history(user=user, customer_id=customer_id)
    summary = selectors.customer_revisits(user=user, customer=customer)
    return render(request, "revisits/customer.html", {"customer": customer, "revisits": revisits, "summary": summary})


@staff_required
@domain_errors
def customer_card(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer card's summary (loaded by htmx from the ticket page's placeholder)."""
    user = _user(request)
    customer = selectors.customer_for_card(user=user, customer_id=customer_id)
    summary = selectors.customer_revisits(user=user, customer=customer)
    return render(request, "revisits/partials/customer_summary.html", {"summary": summary, "customer": customer})


@staff_required
def compliance(request: HttpRequest) -> HttpResponse:
    """The compliance figures, and the customers behind the one chosen (``by``, ``key``,
    ``state``: by default the customers not reached in time), each linking to their page."""
    user = _user(request)
    if not oversees(user):
        raise Http404
    on = clock.local_today()
    customers = selectors.compliance_customers(user=user, on=on)
    figures = selectors.compliance_of(customers, on=on)
    by, key, state = selectors.compliance_choice(request.GET)
    chosen = selectors.compliance_filter(customers, by=by, key=key, state=state)
    rows = [*figures.by_tier, *figures.by_region, *figures.by_agent]
    row = next((r for r in rows if r.by == by and (r.key or selectors.NO_KEY) == key), None)
    page = Paginator(chosen, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "figures": figures,
        "policies": selectors.policy_months(),
        "page": page,
        "row": row,
        "state": state,
        "query": query_without_page(request),
        # The total's counts as links to their customers (inside its translated sentence).
        "total_links": {
            "revisited": format_html(
                '<a href="?state=revisited" data-test-id="rv-total-revisited">{}</a>', figures.total.revisited
            ),
            "eligible": format_html('<a href="?state=all" data-test-id="rv-total-eligible">{}</a>', figures.total.eligible),
        },
    }
    return render(request, "revisits/compliance.html", context)
