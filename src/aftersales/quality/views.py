"""The quality engineer's pages: the overview of fault statistics, the tickets behind a figure,
first-time-fix rates, improvement actions (list, new, detail, edit, moves, check) and the
process-change archive. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel
from aftersales.core.errors import PermissionDenied
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import posted_version, query_without_page, request_user
from aftersales.fieldservice import ftf
from aftersales.imports.permissions import may_import
from aftersales.tickets.selectors import ticket_get_for_user

from . import by_model, figures, periods, rates, selectors, services, statistics
from .effect import suggested_outcome
from .forms import ActionForm, FilterForm, FtfForm, MoveForm
from .models import ActionStatus
from .overview import TIMEOUT, cached_for, fragment_key, overview_figures
from .permissions import can_write
from .states import ACTION_TRANSITIONS

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> tuple[FilterForm, statistics.StatFilters]:
    form = FilterForm(request.GET or None)
    base = form.filters()
    batch = request.GET.get("batch")
    if batch is not None:
        base = statistics.StatFilters(**{**base.__dict__, "batch": batch[:64]})
    return form, statistics.filters_for(request_user(request), base)


@staff_required
@domain_errors
def overview(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    selectors.require_reader(user)
    form, filters = _filters(request)
    language = get_language()
    first, last = periods.covered_dates(filters.since, filters.until)
    context = {
        "form": form,
        "filters": filters,
        "writer": can_write(user),
        "covered": (first, last) if first or last else None,
        # The figures are drawn only when the page's cached fragment is missing (``fig`` is lazy).
        "fig": SimpleLazyObject(lambda: cached_for(filters, f"page:{language}", lambda: _overview_context(filters))),
        "fig_key": fragment_key(user, filters, language),
        "fig_ttl": TIMEOUT,
    }
    return render(request, "quality/overview.html", context)


def _overview_context(filters: statistics.StatFilters) -> dict[str, Any]:
    """The overview's figures, tables and charts (drawn once per refresh, filters and language)."""
    figs = overview_figures(filters)
    rates, causes, components, points, ttf = figs.rates, figs.causes, figs.components, figs.points, figs.ttf
    return {
        "totals": figs.totals,
        "rates": rates,
        "rate_rows": [(r, figures.batch_url(filters, r)) for r in rates.rows[:100]],
        "unknown_rows": [(r, figures.tickets_url(filters, model=r.model_id or "", batch="")) for r in rates.unknown_batch],
        "unitless_url": figures.tickets_url(filters, nounit=1),
        "batch_chart": figures.batch_chart(filters, rates.rows),
        "cause_chart": figures.pareto_chart(filters, "cause", causes) if causes else None,
        "component_chart": figures.pareto_chart(filters, "component", components) if components else None,
        "control_chart": figures.control_chart(filters, points),
        "control": figures.control_summary(points),
        "model_rows": figures.model_rows(filters, figs.models),
        "model_trend": figs.models[0].trend if figs.models else None,
        "trend_weeks": by_model.TREND_WEEKS,
        "ttf": ttf,
        "ttf_chart": figures.ttf_chart(filters, ttf),
        "dimensions": [
            (label, [(c, figures.tickets_url(filters, **{key: c.key if c.key is not None else ""})) for c in rows])
            for label, key, rows in (
                ("factory", "factory", figs.factories),
                ("supplier", "supplier", figs.suppliers),
                ("production_month", "month", figs.months),
            )
        ],
    }


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.lstrip("-").isdigit() and len(raw) < 10 else None


def _cell(params: QueryDict, filters: statistics.StatFilters) -> selectors.FaultTicketFilters:
    def text(name: str) -> str | None:
        value = params.get(name)
        return value[:128] if value is not None else None

    return selectors.FaultTicketFilters(
        stats=filters,
        week=_date(params.get("week")),
        cause=text("cause"),
        component=text("component"),
        supplier=text("supplier"),
        factory=text("factory"),
        production_month=_date(params.get("month")),
        months_in_service=_int(params.get("mis")),
        first_of_unit=params.get("first") == "1",
        no_unit=params.get("nounit") == "1",
        made_in=text("pfactory"),
        made_month=_date(params.get("pmonth")),
        made_by=text("psupplier"),
    )


@staff_required
@domain_errors
def fault_tickets(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, filters = _filters(request)
    cell = _cell(request.GET, filters)
    page = Paginator(selectors.fault_tickets(user=user, filters=cell), PAGE_SIZE).get_page(request.GET.get("page"))
    model = ProductModel.objects.filter(pk=filters.model_id).first() if filters.model_id else None
    # Each record with its cause as the reader's language names it (the record keeps the code).
    rows = [(r, figures.cause_label(r.cause)) for r in page]
    raise_query = {"origin": "fault_cluster", "model": filters.model_id or "", "batch": filters.batch or ""}
    if cell.component:
        raise_query["component"] = cell.component
    # The tickets behind a factory's or supplier's fault rate: the action is aimed at it.
    if cell.made_in:
        raise_query["factory"] = cell.made_in
    if cell.made_by:
        raise_query["supplier"] = cell.made_by
    return render(
        request,
        "quality/tickets.html",
        {
            "form": form,
            "cell": cell,
            "cause": figures.cause_label(cell.cause),
            "model": model,
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "writer": can_write(user),
            "raise_query": urlencode({k: v for k, v in raise_query.items() if v != ""}),
        },
    )


@staff_required
@domain_errors
def fault_rates(request: HttpRequest) -> HttpResponse:
    """The fault rates per factory, supplier and production month (``rates.py``)."""
    user = request_user(request)
    selectors.require_reader(user)
    form, filters = _filters(request)
    found = cached_for(filters, "rates", lambda: {d: rates.group_rates(d, filters) for d in rates.RATE_DIMENSIONS})
    first, last = periods.covered_dates(filters.since, filters.until)
    return render(
        request,
        "quality/rates.html",
        {
            "form": form,
            "filters": filters,
            "covered": (first, last) if first or last else None,
            "groups": [figures.rate_section(filters, found[d]) for d in rates.RATE_DIMENSIONS],
            "actions_by": selectors.action_counts_by_scope(user=user),
            "writer": can_write(user),
            "may_import": may_import(user, "batches"),
        },
    )


@staff_required
@domain_errors
def first_time_fix(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    selectors.require_reader(user)
    form = FtfForm(request.GET or None)
    since, until = form.period()
    return render(
        request,
        "quality/ftf.html",
        {
            "form": form,
            "days": ftf.window_days(),
            "total": ftf.ftf_total(user=user, since=since, until=until),
            "groups": [
                (by, ftf.ftf_rates(user=user, by=by, since=since, until=until)) for by in ("technician", "model", "outlet")
            ],
            "repeats": ftf.repeat_repairs(user=user, since=since, until=until),
        },
    )


# --- Improvement actions ----------------------------------------------------------------------


@staff_required
@domain_errors
def action_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = selectors.action_filters(request.GET)
    page = Paginator(selectors.actions_for(user=user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    scope = {k: v for k, v in (("factory", filters.factory), ("supplier", filters.supplier)) if v}
    return render(
        request,
        "quality/actions.html",
        {
            "page": page,
            "status": filters.status,
            "statuses": ActionStatus.choices,
            "writer": can_write(user),
            "scope": scope,
            "scope_query": urlencode(scope),
            "raise_query": urlencode({"origin": "fault_cluster", **scope}),
        },
    )


def _require_writer(user: User) -> None:
    if not can_write(user):
        raise PermissionDenied("quality writers only")


@staff_required
@domain_errors
def action_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_writer(user)
    if request.method == "POST":
        form = ActionForm(request.POST, creating=True)
        if form.is_valid():
            c = form.cleaned_data
            with refusals(form=form, propagate=(PermissionDenied,)) as refused:
                ticket = ticket_get_for_user(user=user, number=c["origin_ticket"]) if c["origin_ticket"] else None
                action = services.action_raise(
                    actor=user,
                    title=c["title"],
                    problem=c["problem"],
                    origin=c["origin"],
                    origin_reference=c["origin_reference"],
                    origin_ticket=ticket,
                    model=c["product_model"],
                    batch=c["batch"],
                    component=c["component"],
                    owner=c["owner"],
                    due_date=c["due_date"],
                    factory=c["factory"],
                    supplier=c["supplier"],
                )
                data = form.action_input()
                if any(getattr(data, name) for name in _PLAN_FIELDS):
                    services.action_update(action=action, actor=user, data=data, expected_version=action.version)
            if not refused:
                return redirect("quality:action", pk=action.pk)
    else:
        initial: dict[str, Any] = {"origin": request.GET.get("origin", "fault_cluster"), "owner": user.pk}
        for name in ("batch", "component", "origin_reference", "factory", "supplier"):
            if request.GET.get(name):
                initial[name] = request.GET[name][:128]
        if request.GET.get("ticket"):
            initial |= {"origin": "ticket", "origin_ticket": request.GET["ticket"][:32]}
        if (model := _int(request.GET.get("model"))) is not None:
            initial["product_model"] = model
        form = ActionForm(initial=initial, creating=True)
    return render(request, "quality/action_form.html", {"form": form, "action": None})


_PLAN_FIELDS = (
    "why1",
    "root_cause",
    "fishbone_man",
    "fishbone_machine",
    "fishbone_material",
    "fishbone_method",
    "fishbone_measurement",
    "fishbone_environment",
    "change_kind",
    "change_content",
    "effective_date",
    "first_batch",
    "effect_window_months",
)


@staff_required
@domain_errors
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    action = selectors.action_get(user=user, pk=pk)
    moves = sorted(ACTION_TRANSITIONS.get(action.status, frozenset()))
    return render(
        request,
        "quality/action_detail.html",
        {
            "action": action,
            "pdca": ActionStatus.choices,
            "writer": can_write(user),
            "moves": [(m, ActionStatus(m).label) for m in moves],
            "move_form": MoveForm(
                initial={"expected_version": action.version, "outcome": suggested_outcome(action.effect_verdict)}
            ),
            "check_chart": figures.check_chart(None, action.check_detail or {}),
            "effect": figures.effect_summary(action.effect or {}),
            "effect_chart": figures.effect_chart(action.effect or {}),
            "suggested": suggested_outcome(action.effect_verdict),
            "fishbone": [
                (ActionForm.base_fields[f"fishbone_{name}"].label, getattr(action, f"fishbone_{name}"))
                for name in ("man", "machine", "material", "method", "measurement", "environment")
            ],
            "whys": [getattr(action, f"why{i}") for i in range(1, 6)],
        },
    )


@staff_required
@domain_errors
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    _require_writer(user)
    action = selectors.action_get(user=user, pk=pk)
    if request.method == "POST":
        form = ActionForm(request.POST)
        if form.is_valid():
            with refusals(form=form, propagate=(PermissionDenied,)) as refused:
                services.action_update(
                    action=action, actor=user, data=form.action_input(), expected_version=form.cleaned_data["expected_version"]
                )
            if not refused:
                return redirect("quality:action", pk=action.pk)
    else:
        data = services.ActionInput.of(action)
        initial = {
            **data.__dict__,
            "product_model": data.product_model_id,
            "owner": data.owner_id,
            "expected_version": action.version,
        }
        form = ActionForm(initial=initial)
    return render(request, "quality/action_form.html", {"form": form, "action": action})


@require_POST
@staff_required
@domain_errors
def action_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    action = selectors.action_get(user=user, pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        with refusals(request=request, propagate=(PermissionDenied,)):
            services.action_transition(
                action=action,
                actor=user,
                to=c["to"],
                expected_version=posted_version(request),
                outcome=c["outcome"],
                reason=c["reason"],
            )
    return redirect("quality:action", pk=action.pk)


@require_POST
@staff_required
@domain_errors
def action_check(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    action = selectors.action_get(user=user, pk=pk)
    with refusals(request=request, propagate=(PermissionDenied,)):
        services.action_run_check(action=action, actor=user)
    return redirect("quality:action", pk=action.pk)


@staff_required
@domain_errors
def change_archive(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(selectors.change_archive(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/archive.html", {"page": page})
