"""The outlet pages: the outlets (list, page, create and edit) and their settlement statements
(list with filters — the results alone for htmx —, the statement with its lines and the actions
the reader may take). Thin: every read is a scoped selector, every change a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import (
    is_fragment_request,
    posted_version,
    private_no_store,
    query_without_page,
    render_htmx,
    request_user,
)

from . import selectors, services
from .forms import AdjustForm, DraftForm, OutletForm, PayForm, PeriodForm, ReasonForm, SettlementFilterForm
from .models import Settlement
from .permissions import can_manage_outlets, can_prepare, led_outlet_ids, offered_actions, sees_every_outlet

PAGE_SIZE = 50


def _check_reader(user: User) -> None:
    """The outlet pages are for the overseers and the outlets' leaders; anybody else: 403."""
    if not (sees_every_outlet(user) or led_outlet_ids(user)):
        raise DjangoPermissionDenied


@staff_required
def outlet_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _check_reader(user)
    query = request.GET.get("q", "").strip()[:64]
    context = {
        "outlets": selectors.outlet_list(user=user, search=query),
        "q": query,
        "may_create": can_manage_outlets(user),
    }
    return private_no_store(render(request, "outlets/list.html", context))


@staff_required
@domain_errors
def outlet_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    outlet = selectors.outlet_get_for_user(user=user, code=code)
    period_form = PeriodForm(request.GET or None)
    since, until = period_form.period(clock.local_today())
    context = {
        "outlet": outlet,
        "regions": list(outlet.regions.all()),
        "technicians": selectors.outlet_technicians(outlet),
        "performance": selectors.outlet_performance(user=user, outlet=outlet, since=since, until=until),
        "since": since,
        "until": until,
        "period_form": period_form,
        "settlements": list(selectors.settlement_list(user=user, outlet=outlet)[:24]),
        "work_orders": selectors.outlet_work_orders(user=user, outlet=outlet, limit=20),
        "may_edit": can_manage_outlets(user),
        "may_draft": can_prepare(user),
        "draft_form": DraftForm(initial={"month": services.previous_month(clock.local_today())[0]}),
    }
    return private_no_store(render(request, "outlets/detail.html", context))


def _outlet_form_page(request: HttpRequest, form: OutletForm, outlet: Any = None, status: int = 200) -> HttpResponse:
    return private_no_store(render(request, "outlets/form.html", {"form": form, "outlet": outlet}, status=status))


@staff_required
@domain_errors
def outlet_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_manage_outlets(user):
        raise DjangoPermissionDenied
    form = OutletForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            outlet = services.outlet_create(actor=user, data=form.outlet_input())
        if not refused:
            messages.success(request, _("The outlet was created."))
            return redirect("outlets:detail", code=outlet.code)
        return _outlet_form_page(request, form, status=refused.status)
    return _outlet_form_page(request, form)


@staff_required
@domain_errors
def outlet_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    if not can_manage_outlets(user):
        raise DjangoPermissionDenied
    outlet = selectors.outlet_get_for_user(user=user, code=code)
    form = OutletForm(request.POST) if request.method == "POST" else OutletForm.for_outlet(outlet)
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            outlet = services.outlet_update(outlet=outlet, actor=user, data=form.outlet_input())
        if not refused:
            messages.success(request, _("The outlet was saved."))
            return redirect("outlets:detail", code=outlet.code)
        return _outlet_form_page(request, form, outlet, status=refused.status)
    return _outlet_form_page(request, form, outlet)


@staff_required
@domain_errors
@require_POST
def settlement_new(request: HttpRequest, code: str) -> HttpResponse:
    """Draft the outlet's statement of a month (or open the one that exists)."""
    user = request_user(request)
    outlet = selectors.outlet_get_for_user(user=user, code=code)
    form = DraftForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("outlets:detail", code=code)
    drafted = None
    with refusals(request=request) as refused:
        drafted = services.settlement_draft(outlet=outlet, actor=user, period_start=form.cleaned_data["month"])
    if refused or drafted is None or drafted.settlement is None:
        return redirect("outlets:detail", code=code)
    if drafted.created:
        messages.success(request, _("The statement was drafted."))
    else:
        messages.info(request, _("This month already has a statement."))
    return redirect("outlets:settlement", number=drafted.settlement.number)


@staff_required
def settlement_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _check_reader(user)
    form = SettlementFilterForm(request.GET or None, outlets=selectors.outlets_visible_to(user).order_by("code"))
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "outlet": data["outlet"],
            "statuses": [data["status"]] if data["status"] else None,
            "since": data["since"],
            "until": data["until"],
        }
    page = Paginator(selectors.settlement_list(user=user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query_without_page(request)}
    template = "outlets/_settlement_rows.html" if is_fragment_request(request) else "outlets/settlements.html"
    return private_no_store(render_htmx(request, template, context))


def _settlement_page(request: HttpRequest, settlement: Settlement, status: int = 200, **forms: Any) -> HttpResponse:
    user = request_user(request)
    context = {
        "settlement": settlement,
        "outlet": settlement.outlet,
        "lines": selectors.settlement_lines(settlement),
        "actions": offered_actions(user, settlement),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "pay_form": forms.get("pay_form") or PayForm(initial={"paid_on": clock.local_today()}),
        "adjust_form": forms.get("adjust_form"),
    }
    return private_no_store(render(request, "outlets/settlement.html", context, status=status))


@staff_required
@domain_errors
def settlement_detail(request: HttpRequest, number: str) -> HttpResponse:
    settlement = selectors.settlement_get_for_user(user=request_user(request), number=number)
    return _settlement_page(request, settlement)


SIMPLE_STEPS = {
    "recalculate": services.settlement_recalculate,
    "confirm": services.settlement_confirm,
    "reopen": services.settlement_reopen,
    "approve": services.settlement_approve,
}
REASON_STEPS = {"dispute": services.settlement_dispute, "cancel": services.settlement_cancel}
DONE = {
    "recalculate": gettext_lazy("The statement was recalculated."),
    "confirm": gettext_lazy("The statement was confirmed."),
    "reopen": gettext_lazy("The statement is a draft again."),
    "approve": gettext_lazy("The statement was approved."),
    "dispute": gettext_lazy("The statement was disputed."),
    "cancel": gettext_lazy("The statement was cancelled."),
    "pay": gettext_lazy("The payment was recorded."),
    "adjust": gettext_lazy("The line was adjusted."),
}


@staff_required
@domain_errors
@require_POST
def settlement_action(request: HttpRequest, number: str, name: str) -> HttpResponse:
    """One step on a statement: a form re-rendered with its errors, else back to the statement."""
    user = request_user(request)
    settlement = selectors.settlement_get_for_user(user=user, number=number)
    version = posted_version(request)
    form: Any = None
    with refusals(request=request) as refused:
        if name in SIMPLE_STEPS:
            SIMPLE_STEPS[name](settlement=settlement, actor=user, expected_version=version)
        elif name in REASON_STEPS:
            form = ReasonForm(request.POST)
            if form.is_valid():
                REASON_STEPS[name](
                    settlement=settlement, actor=user, reason=form.cleaned_data["reason"], expected_version=version
                )
        elif name == "pay":
            form = PayForm(request.POST)
            if form.is_valid():
                services.settlement_pay(
                    settlement=settlement,
                    actor=user,
                    reference=form.cleaned_data["payment_reference"],
                    paid_on=form.cleaned_data["paid_on"],
                    expected_version=version,
                )
        elif name == "adjust":
            form = AdjustForm(request.POST)
            if form.is_valid():
                services.settlement_adjust_line(
                    settlement=settlement,
                    line_id=form.cleaned_data["line"],
                    actor=user,
                    adjustment=form.cleaned_data["adjustment"],
                    reason=form.cleaned_data["reason"],
                    expected_version=version,
                )
        else:
            raise Http404
    if form is not None and not form.is_valid():
        key = {"pay": "pay_form", "adjust": "adjust_form"}.get(name, "reason_form")
        return _settlement_page(request, settlement, **{key: form})
    if not refused:
        messages.success(request, DONE[name])
    return redirect("outlets:settlement", number=number)
