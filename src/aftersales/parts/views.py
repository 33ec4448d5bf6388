"""Pages of the warehouse (stock, low stock, requisitions, returns, faulty parts, transfers, ledger),
the technician's van, the catalogue, and the endpoints of the work order's parts panel.

Thin: parse, call a service or selector, render. A refusal (``DomainError``) is shown on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, NotFound, PermissionDenied
from aftersales.core.web import is_fragment_request, render_htmx, request_user

from . import permissions as perms
from . import selectors, services
from .actions import REQUISITION_ACTIONS, available_actions
from .forms import AppraiseForm, DecisionForm, LedgerFilterForm, ReceiveForm, StockFilterForm, TransferForm
from .models import RequisitionStatus
from .panel import panel_context, request_form, return_form, use_form

PAGE_SIZE = 50


def _stock_staff_only(request: HttpRequest) -> User:
    user = request_user(request)
    if not perms.is_stock_staff(user):
        raise DjangoPermissionDenied
    return user


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Stock pages ------------------------------------------------------------------------------------


@staff_required
def stock_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not perms.is_stock_staff(user):
        if perms.is_technician(user):
            return redirect("parts:van")
        raise DjangoPermissionDenied
    warehouses = selectors.warehouses_for_user(user=user)
    form = StockFilterForm(request.GET or None, warehouses=warehouses)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "warehouse_id": form.cleaned_data["warehouse"].pk if form.cleaned_data["warehouse"] else None,
            "query": form.cleaned_data["q"],
            "low_only": form.cleaned_data["low"],
        }
    page = _page(request, selectors.stock_for_user(user=user, **filters))
    context = {"form": form, "page": page, "rows": page.object_list}
    template = "parts/partials/stock_results.html" if is_fragment_request(request) else "parts/stock_list.html"
    return render_htmx(request, template, context)


def _receivable(user: User) -> Any:
    return selectors.warehouses_for_user(user=user).exclude(kind="van")


@staff_required
def stock_receive(request: HttpRequest) -> HttpResponse:
    """Goods received: the form on the stock page posts here."""
    user = _stock_staff_only(request)
    form = ReceiveForm(request.POST or None, warehouses=_receivable(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_receive(
                warehouse=form.cleaned_data["warehouse"],
                lines=form.cleaned_data["lines"],
                actor=user,
                reference=form.cleaned_data["reference"],
            )
        except DomainError as exc:
            form.show_service_error(exc)
        else:
            messages.success(
                request, _("Goods received into %(warehouse)s.") % {"warehouse": form.cleaned_data["warehouse"].display_name}
            )
            return redirect("parts:stock")
    return render_htmx(request, "parts/receive.html", {"form": form}, status=200)


@staff_required
def low_stock(request: HttpRequest) -> HttpResponse:
    user = _stock_staff_only(request)
    rows = list(selectors.low_stock_for_user(user=user)[:500])
    return render_htmx(request, "parts/low_stock.html", {"rows": rows})


@staff_required
def my_van(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not perms.is_technician(user):
        raise DjangoPermissionDenied
    context = {
        "van": selectors.van_of(technician=user),
        "rows": selectors.van_stock(technician=user),
        "work_orders": selectors.open_work_orders_of(technician=user),
        "requisitions": list(selectors.requisitions_for_user(user=user)[:20]),
        "returns": list(selectors.returns_for_user(user=user)[:20]),
    }
    return render_htmx(request, "parts/my_van.html", context)


@staff_required
def catalogue(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:64]
    page = _page(request, selectors.parts_search(query=query))
    context = {"page": page, "parts": page.object_list, "q": query}
    template = "parts/partials/catalogue_results.html" if is_fragment_request(request) else "parts/catalogue.html"
    return render_htmx(request, template, context)


@staff_required
def ledger(request: HttpRequest) -> HttpResponse:
    user = _stock_staff_only(request)
    form = LedgerFilterForm(request.GET or None, warehouses=selectors.warehouses_for_user(user=user))
    warehouse_id = part_id = None
    if form.is_valid():
        warehouse_id = form.cleaned_data["warehouse"].pk if form.cleaned_data["warehouse"] else None
        part_id = form.cleaned_data["part"].pk if form.cleaned_data["part"] else None
    page = _page(request, selectors.ledger_for_user(user=user, warehouse_id=warehouse_id, part_id=part_id))
    context = {"form": form, "page": page, "movements": page.object_list}
    template = "parts/partials/ledger_results.html" if is_fragment_request(request) else "parts/ledger.html"
    return render_htmx(request, template, context)


# --- Requisitions ---------------------------------------------------------------------------------


@staff_required
def requisition_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    status = request.GET.get("status", "")
    if status and status not in RequisitionStatus.values and status != "all":
        status = ""
    if status == "all":
        qs = selectors.requisitions_for_user(user=user)
    elif status:
        qs = selectors.requisitions_for_user(user=user, status=status)
    else:
        qs = selectors.requisition_inbox(user=user)
    page = _page(request, qs)
    rows = [(r, perms.can_decide_requisition(user, r)) for r in page.object_list]
    context = {"page": page, "rows": rows, "status": status, "statuses": RequisitionStatus.choices}
    return render_htmx(request, "parts/requisition_list.html", context)


def _requisition_context(user: User, requisition: Any, **extra: Any) -> dict[str, Any]:
    try:
        work_order = selectors.work_order_get_for_parts(user=user, work_order_id=requisition.work_order_id)
    except NotFound as exc:
        raise Http404 from exc
    actions = available_actions(user=user, requisition=requisition, work_order=work_order)
    return {
        "requisition": requisition,
        "work_order": work_order,
        "contact": selectors.shipment_contact(work_order=work_order),
        "actions": actions,
        # Actions that take the comment share one form; the others are a button each.
        "comment_actions": [a for a in actions if a.with_comment],
        "button_actions": [a for a in actions if not a.with_comment],
        "decision_form": extra.pop("decision_form", None) or DecisionForm(),
        **extra,
    }


@staff_required
def requisition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    try:
        requisition = selectors.requisition_get_for_user(user=user, requisition_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    return render_htmx(request, "parts/requisition_detail.html", _requisition_context(user, requisition))


@staff_required
@require_POST
def requisition_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Perform one of ``actions.REQUISITION_ACTIONS`` (the service decides whether it may)."""
    declared = REQUISITION_ACTIONS.get(action)
    if declared is None:
        raise Http404
    user = request_user(request)
    try:
        requisition = selectors.requisition_get_for_user(user=user, requisition_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = declared.form(request.POST)
    form.is_valid()
    from_panel = request.POST.get("panel") == "1"
    try:
        declared.perform(requisition=requisition, actor=user, data=form.cleaned_data)
    except DomainError as exc:
        if from_panel:
            return _panel_response(request, requisition.work_order_id, error=str(exc.message))
        form.show_service_error(exc)
        status = 403 if isinstance(exc, PermissionDenied) else 200
        context = _requisition_context(user, requisition, decision_form=form, error=str(exc.message))
        return render_htmx(request, "parts/requisition_detail.html", context, status=status)
    if from_panel:
        return _panel_response(
            request, requisition.work_order_id, flash=_("Requisition %(number)s updated.") % {"number": requisition.number}
        )
    messages.success(request, _("Requisition %(number)s updated.") % {"number": requisition.number})
    return redirect("parts:requisition", pk=requisition.pk)


# --- Returns, faulty parts, transfers ------------------------------------------------------------


@staff_required
def return_list(request: HttpRequest) -> HttpResponse:
    user = _stock_staff_only(request)
    show_all = request.GET.get("all") == "1"
    qs = selectors.returns_for_user(user=user) if show_all else selectors.returns_to_receive(user=user)
    page = _page(request, qs)
    return render_htmx(request, "parts/return_list.html", {"page": page, "returns": page.object_list, "show_all": show_all})


@staff_required
@require_POST
def return_receive(request: HttpRequest, pk: int) -> HttpResponse:
    user = _stock_staff_only(request)
    try:
        part_return = selectors.return_get_for_user(user=user, return_id=pk)
        services.return_receive(part_return=part_return, actor=user)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("parts:returns")
    messages.success(request, _("Return %(number)s received.") % {"number": part_return.number})
    return redirect("parts:returns")


@staff_required
def faulty_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not perms.can_appraise(user):
        raise DjangoPermissionDenied
    rows = list(selectors.faulty_awaiting_appraisal(user=user)[:200])
    return render_htmx(request, "parts/faulty_list.html", {"rows": rows, "form": AppraiseForm()})


@staff_required
@require_POST
def faulty_appraise(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    try:
        faulty = selectors.faulty_get_for_user(user=user, faulty_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = AppraiseForm(request.POST)
    if form.is_valid():
        try:
            services.faulty_appraise(
                faulty=faulty, actor=user, result=form.cleaned_data["result"], note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Faulty part appraised."))
    else:
        messages.error(request, _("Choose the appraisal result."))
    return redirect("parts:faulty")


@staff_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    user = _stock_staff_only(request)
    sources = selectors.warehouses_for_user(user=user)
    targets = selectors.source_warehouses() | sources
    form = TransferForm(request.POST or None, sources=sources, targets=targets.distinct())
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_create(
                from_warehouse=form.cleaned_data["from_warehouse"],
                to_warehouse=form.cleaned_data["to_warehouse"],
                lines=form.cleaned_data["lines"],
                actor=user,
                note=form.cleaned_data["note"],
                in_transit=form.cleaned_data["in_transit"],
            )
        except DomainError as exc:
            form.show_service_error(exc)
        else:
            messages.success(request, _("Transfer %(number)s created.") % {"number": transfer.number})
            return redirect("parts:transfers")
    page = _page(request, selectors.transfers_for_user(user=user))
    return render_htmx(request, "parts/transfer_list.html", {"form": form, "page": page, "transfers": page.object_list})


@staff_required
@require_POST
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    user = _stock_staff_only(request)
    try:
        transfer = selectors.transfer_get_for_user(user=user, transfer_id=pk)
        services.transfer_receive(transfer=transfer, actor=user)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Transfer %(number)s received.") % {"number": transfer.number})
    return redirect("parts:transfers")


# --- The work order's parts panel -------------------------------------------------------------------


def _panel_response(request: HttpRequest, work_order_id: int, **extra: Any) -> HttpResponse:
    user = request_user(request)
    work_order = selectors.work_order_get_for_parts(user=user, work_order_id=work_order_id)
    if not is_fragment_request(request):
        if "flash" in extra:
            messages.success(request, extra["flash"])
        if "error" in extra:
            messages.error(request, extra["error"])
        return redirect(request.POST.get("next") or request.META.get("HTTP_REFERER") or reverse("parts:requisitions"))
    return render_htmx(request, "parts/partials/work_order_panel.html", panel_context(user=user, work_order=work_order, **extra))


def _work_order_or_404(request: HttpRequest, work_order_id: int) -> Any:
    try:
        return selectors.work_order_get_for_parts(user=request_user(request), work_order_id=work_order_id)
    except NotFound as exc:
        raise Http404 from exc


@staff_required
def panel(request: HttpRequest, work_order_id: int) -> HttpResponse:
    work_order = _work_order_or_404(request, work_order_id)
    template = "parts/partials/work_order_panel.html" if is_fragment_request(request) else "parts/work_order_parts.html"
    return render_htmx(request, template, panel_context(user=request_user(request), work_order=work_order))


def _panel_form_failed(
    request: HttpRequest, work_order: Any, key: str, form: Any, exc: DomainError | None = None
) -> HttpResponse:
    if exc is not None:
        form.show_service_error(exc)
    if not is_fragment_request(request):
        messages.error(request, str(exc.message) if exc else _("Please correct the form."))
        return redirect(request.POST.get("next") or request.META.get("HTTP_REFERER") or reverse("parts:van"))
    status = 403 if isinstance(exc, PermissionDenied) else 200
    context = panel_context(user=request_user(request), work_order=work_order, **{key: form, "open": key})
    return render_htmx(request, "parts/partials/work_order_panel.html", context, status=status)


@staff_required
@require_POST
def panel_request(request: HttpRequest, work_order_id: int) -> HttpResponse:
    user = request_user(request)
    work_order = _work_order_or_404(request, work_order_id)
    form = request_form(work_order, request.POST)
    if not form.is_valid():
        return _panel_form_failed(request, work_order, "request_form", form)
    try:
        # One step: created and submitted together, or (stock missing …) nothing is left behind.
        requisition = services.requisition_request(
            work_order=work_order,
            warehouse=form.cleaned_data["warehouse"],
            lines=form.cleaned_data["lines"],
            actor=user,
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return _panel_form_failed(request, work_order, "request_form", form, exc)
    requisition.refresh_from_db()
    return _panel_response(
        request,
        work_order.pk,
        flash=_("Requisition %(number)s: %(status)s.")
        % {"number": requisition.number, "status": requisition.get_status_display()},
    )


@staff_required
@require_POST
def panel_use(request: HttpRequest, work_order_id: int) -> HttpResponse:
    user = request_user(request)
    work_order = _work_order_or_404(request, work_order_id)
    data = selectors.work_order_parts(user=user, work_order=work_order)
    form = use_form(data, request.POST)
    if not form.is_valid():
        return _panel_form_failed(request, work_order, "use_form", form)
    try:
        services.parts_record_used(work_order=work_order, lines=form.cleaned_data["used"], actor=user)
    except DomainError as exc:
        return _panel_form_failed(request, work_order, "use_form", form, exc)
    return _panel_response(request, work_order.pk, flash=_("Parts used recorded."))


@staff_required
@require_POST
def panel_return(request: HttpRequest, work_order_id: int) -> HttpResponse:
    user = request_user(request)
    work_order = _work_order_or_404(request, work_order_id)
    data = selectors.work_order_parts(user=user, work_order=work_order)
    if not data.can_return:
        raise DjangoPermissionDenied
    form = return_form(data, work_order, request.POST)
    if not form.is_valid():
        return _panel_form_failed(request, work_order, "return_form", form)
    try:
        part_return = services.return_create(
            work_order=work_order,
            technician=work_order.technician,
            warehouse=form.cleaned_data["warehouse"],
            unused=form.cleaned_data["unused"],
            faulty=form.cleaned_data["faulty"],
            actor=user,
        )
    except DomainError as exc:
        return _panel_form_failed(request, work_order, "return_form", form, exc)
    return _panel_response(request, work_order.pk, flash=_("Return %(number)s sent.") % {"number": part_return.number})
