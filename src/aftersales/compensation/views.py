"""Pages: the queues (finance: refunds to pay; marketing and the warehouse: compensation to
fulfil; approvers: what waits for their decision), the ticket page's panel (loaded after the
page), the request forms from a ticket's measure,
the detail pages with their step forms (htmx: a step answers with the refreshed steps), and a
customer's history. No business rule here: each POST calls one service; a refusal is shown on
the form, next to its field, never as a 500.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound, ValidationFailed
from aftersales.core.view_errors import service_error_messages
from aftersales.core.web import is_fragment_request, posted_version, private_no_store, render_htmx, request_user
from aftersales.parts.models import Part, Warehouse
from aftersales.remedies.depreciation import refund_breakdown
from aftersales.tickets.selectors import ticket_get_for_user

from . import selectors, services
from .models import Compensation, CompensationKind, FulfilmentStatus, Refund, RefundMethod
from .templatetags.compensation_tags import panel_context

FS = FulfilmentStatus


@staff_required
def queues(request: HttpRequest) -> HttpResponse:
    """/compensation/: what waits for the reader (their role decides which lists show)."""
    user = request_user(request)
    to_decide_refunds, to_decide_comps = selectors.awaiting_decision(user=user)
    context = {
        "to_pay": list(selectors.refunds_to_pay(user=user)[:100]) if services.can_fulfil(user, Refund()) else [],
        "show_to_pay": services.can_fulfil(user, Refund()),
        "to_fulfil": list(selectors.compensations_to_fulfil(user=user)[:100]),
        "show_to_fulfil": any(services.can_fulfil(user, Compensation(kind=k)) for k in CompensationKind.values),
        "decide_refunds": to_decide_refunds,
        "decide_compensations": to_decide_comps,
        "recent_refunds": list(selectors.refunds_visible_to(user).order_by("-requested_at")[:20]),
        "recent_compensations": list(selectors.compensations_visible_to(user).order_by("-requested_at")[:20]),
    }
    return private_no_store(render(request, "compensation/queues.html", context))


@staff_required
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's refunds and compensation, with the customer card's summary out of band:
    htmx loads them after the page (the page itself runs no query for them); without JavaScript
    the placeholder's link opens them as a page of their own."""
    user = request_user(request)
    ticket = _ticket(user, number)
    context = panel_context(user, ticket)
    template = "compensation/_ticket_panel_answer.html" if is_fragment_request(request) else "compensation/ticket_panel.html"
    return private_no_store(render_htmx(request, template, context))


def _ticket(user: User, number: str) -> Any:
    try:
        return ticket_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise ValidationFailed({field: [_("Enter a date.")]}, code=f"{field}_invalid")
    return parsed


@staff_required
@require_http_methods(["GET", "POST"])
def refund_new(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
    ticket = _ticket(user, number)
    if not services.can_request(user):
        raise Http404
    measures = selectors.refund_measures(ticket=ticket)
    limits = selectors.refund_limits(ticket=ticket)
    unit = ticket.product_unit
    values: dict[str, Any] = {
        "method": RefundMethod.ORIGINAL,
        "daily_rate": str(limits.daily_rate),
        "fees": "0",
        "returned_on": clock.local_today().isoformat(),
        "purchased_on": (limits.purchase.purchased_on if limits.purchase else getattr(unit, "purchase_date", None) or ""),
        "price_paid": limits.purchase.price_paid if limits.purchase else "",
    }
    errors: dict[str, list[Any]] = {}
    if request.method == "POST":
        values = request.POST.dict()
        chosen = next((m for m in measures if str(m.pk) == values.get("measure")), measures[0] if len(measures) == 1 else None)
        try:
            if chosen is None:
                raise ValidationFailed({"measure": [_("Choose the measure.")]}, code="measure_required")
            refund = services.refund_request(
                measure=chosen,
                actor=user,
                method=values.get("method", ""),
                price_paid=values.get("price_paid") or None,
                purchased_on=_date(values.get("purchased_on"), "purchased_on"),
                invoice_number=values.get("invoice_number", ""),
                returned_on=_date(values.get("returned_on"), "returned_on"),
                daily_rate=values.get("daily_rate") or None,
                fees=values.get("fees") or "0",
                amount=values.get("amount") or None,
                bank_name=values.get("bank_name", ""),
                account_name=values.get("account_name", ""),
                account_number=values.get("account_number", ""),
                rma_number=values.get("rma_number", ""),
                reason=values.get("reason", ""),
            )
        except DomainError as exc:
            errors = service_error_messages(exc)
        else:
            messages.success(request, _("Refund %(number)s requested.") % {"number": refund.number})
            return redirect("compensation:refund", number=refund.number)
    context = {
        "ticket": ticket,
        "measures": measures,
        "limits": limits,
        "values": values,
        "errors": errors,
        "methods": RefundMethod.choices,
        "history": selectors.customer_history(user=user, customer=ticket.customer),
        "preview": _preview(values),
        "preview_url": reverse("compensation:refund_preview", args=[ticket.number]),
    }
    return private_no_store(render(request, "compensation/refund_new.html", context, status=422 if errors else 200))


def _preview(values: dict[str, Any]) -> Any:
    """The breakdown of what the form holds, or None while it is incomplete."""
    try:
        price = Decimal(str(values.get("price_paid") or ""))
        rate = Decimal(str(values.get("daily_rate") or "0"))
        fees = Decimal(str(values.get("fees") or "0"))
        purchased = values.get("purchased_on")
        purchased_on = purchased if isinstance(purchased, dt.date) else parse_date(str(purchased or ""))
        returned_on = parse_date(str(values.get("returned_on") or "")) or clock.local_today()
        if purchased_on is None or not price.is_finite() or price <= 0 or price >= Decimal("1e10"):
            return None
        if not rate.is_finite() or not fees.is_finite() or fees >= Decimal("1e10"):
            return None
        return refund_breakdown(price=price, purchased_on=purchased_on, returned_on=returned_on, daily_rate=rate, fees=fees)
    except (InvalidOperation, ValueError):
        return None


@staff_required
@require_POST
def refund_preview(request: HttpRequest, number: str) -> HttpResponse:
    """htmx: the formula for what the form holds now."""
    ticket = _ticket(request_user(request), number)
    context = {
        "preview": _preview(request.POST.dict()),
        "preview_url": reverse("compensation:refund_preview", args=[ticket.number]),
    }
    return render(request, "compensation/_formula.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def compensation_new(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
    ticket = _ticket(user, number)
    if not services.can_request(user):
        raise Http404
    measures = selectors.compensation_measures(ticket=ticket)
    values: dict[str, Any] = {"kind": CompensationKind.COUPON, "amount": "", "points": "", "gift_quantity": "1"}
    errors: dict[str, list[Any]] = {}
    if request.method == "POST":
        values = request.POST.dict()
        chosen = next((m for m in measures if str(m.pk) == values.get("measure")), measures[0] if len(measures) == 1 else None)
        try:
            if chosen is None:
                raise ValidationFailed({"measure": [_("Choose the measure.")]}, code="measure_required")
            points = values.get("points") or "0"
            quantity = values.get("gift_quantity") or "0"
            if not points.isdigit():
                raise ValidationFailed({"points": [_("Enter how many points are credited.")]}, code="points_invalid")
            if not quantity.isdigit():
                raise ValidationFailed({"gift_quantity": [_("Enter how many.")]}, code="gift_quantity_invalid")
            part_id, warehouse_id = values.get("gift_part", ""), values.get("warehouse", "")
            item = services.compensation_request(
                measure=chosen,
                actor=user,
                kind=values.get("kind", ""),
                amount=values.get("amount") or "0",
                points=int(points),
                gift_part=Part.objects.filter(pk=part_id, active=True).first() if part_id.isdigit() else None,
                gift_quantity=int(quantity),
                warehouse=Warehouse.objects.filter(pk=warehouse_id, active=True).first() if warehouse_id.isdigit() else None,
                reason=values.get("reason", ""),
            )
        except DomainError as exc:
            errors = service_error_messages(exc)
        else:
            messages.success(request, _("Compensation %(number)s requested.") % {"number": item.number})
            return redirect("compensation:compensation", number=item.number)
    context = {
        "ticket": ticket,
        "measures": measures,
        "values": values,
        "errors": errors,
        "kinds": CompensationKind.choices,
        "parts": Part.objects.filter(active=True).order_by("number")[:200],
        "warehouses": Warehouse.objects.filter(active=True).exclude(kind="van").order_by("code")[:100],
        "history": selectors.customer_history(user=user, customer=ticket.customer),
    }
    return private_no_store(render(request, "compensation/compensation_new.html", context, status=422 if errors else 200))


# --- detail pages and their steps ------------------------------------------------------------------


def _steps(user: User, item: Refund | Compensation) -> dict[str, bool]:
    """The step forms the page offers the reader now (the services decide again on POST)."""
    status = item.status
    return {
        "decide": status == FS.AWAITING_APPROVAL and services.can_decide(user, item) and item.requested_by_id != user.pk,
        "fulfil": status == FS.APPROVED and services.can_fulfil(user, item),
        "confirm": status == FS.PAID and services.can_fulfil(user, item),
        "cancel": status in {FS.REQUESTED, FS.AWAITING_APPROVAL, FS.APPROVED} and services.can_request(user),
    }


def _detail_context(user: User, item: Refund | Compensation, errors: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    is_refund = isinstance(item, Refund)
    context: dict[str, Any] = {
        "item": item,
        "is_refund": is_refund,
        "ticket": item.ticket,
        "steps": _steps(user, item),
        "errors": errors or {},
        "history": selectors.customer_history(user=user, customer=item.customer, exclude=item),
        "url_name": "compensation:refund_step" if is_refund else "compensation:compensation_step",
    }
    if is_refund:
        assert isinstance(item, Refund)
        context["account_number"] = selectors.bank_account_shown(user, item)
        context["account_name"] = selectors.account_name_shown(user, item)
        context["holder_differs"] = selectors.account_holder_differs(item)
    return context


def _get_refund(user: User, number: str) -> Refund:
    try:
        return selectors.refund_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None


def _get_compensation(user: User, number: str) -> Compensation:
    try:
        return selectors.compensation_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None


@staff_required
def refund_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
    return private_no_store(render(request, "compensation/detail.html", _detail_context(user, _get_refund(user, number))))


@staff_required
def compensation_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
    return private_no_store(render(request, "compensation/detail.html", _detail_context(user, _get_compensation(user, number))))


def _perform(request: HttpRequest, item: Refund | Compensation, step: str) -> Any:
    user, post, version = request_user(request), request.POST, posted_version(request, field="version")
    if isinstance(item, Refund):
        if step == "decide":
            return services.refund_decide(
                refund=item,
                actor=user,
                approve=post.get("decision") == "approve",
                comment=post.get("comment", ""),
                expected_version=version,
            )
        if step == "fulfil":
            return services.refund_pay(
                refund=item, actor=user, payment_reference=post.get("payment_reference", ""), expected_version=version
            )
        if step == "confirm":
            return services.refund_confirm(refund=item, actor=user, note=post.get("note", ""), expected_version=version)
        return services.refund_cancel(refund=item, actor=user, reason=post.get("reason", ""), expected_version=version)
    assert isinstance(item, Compensation)
    if step == "decide":
        return services.compensation_decide(
            compensation=item,
            actor=user,
            approve=post.get("decision") == "approve",
            comment=post.get("comment", ""),
            expected_version=version,
        )
    if step == "fulfil":
        return services.compensation_issue(
            compensation=item, actor=user, payment_reference=post.get("payment_reference", ""), expected_version=version
        )
    if step == "confirm":
        return services.compensation_confirm(compensation=item, actor=user, note=post.get("note", ""), expected_version=version)
    return services.compensation_cancel(compensation=item, actor=user, reason=post.get("reason", ""), expected_version=version)


STEPS = frozenset({"decide", "fulfil", "confirm", "cancel"})


def _step(request: HttpRequest, item: Refund | Compensation, step: str, reload: Any) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    user = request_user(request)
    errors: dict[str, list[Any]] = {}
    try:
        _perform(request, item, step)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        errors = service_error_messages(exc)
    fresh = reload(user, item.number)
    if request.headers.get("HX-Request"):
        context = {**_detail_context(user, fresh, errors), "saved": not errors}
        response = render(request, "compensation/_steps.html", context, status=200)
        return private_no_store(response)
    if errors:
        for texts in errors.values():
            for text in texts:
                messages.error(request, str(text))
    else:
        messages.success(request, _("Saved."))
    return redirect("compensation:refund" if isinstance(fresh, Refund) else "compensation:compensation", number=fresh.number)


@staff_required
@require_POST
def refund_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    return _step(request, _get_refund(request_user(request), number), step, _get_refund)


@staff_required
@require_POST
def compensation_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    return _step(request, _get_compensation(request_user(request), number), step, _get_compensation)


@staff_required
def customer_history(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = request_user(request)
    try:
        customer = selectors.customer_get_for_history(user=user, customer_id=customer_id)
    except NotFound:
        raise Http404 from None
    return private_no_store(
        render(
            request, "compensation/customer_history.html", {"history": selectors.customer_history(user=user, customer=customer)}
        )
    )
