"""The billing pages: finance's receivables list (outstanding first, aging buckets, filters,
totals; htmx answers with the results only), a receivable's page with its payments, the invoice
and the actions the reader may take, and the technician's phone page to record cash collected on
site. Thin: every read is a scoped selector, every change a service."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, posted_version, private_no_store, render_htmx, request_user

from . import selectors, services
from .forms import CollectForm, FilterForm, InvoiceForm, PaymentForm, ReasonForm
from .models import Payment, PaymentStatus, Receivable
from .permissions import check_collect, is_overseer, receivable_actions

ROWS = 200


@staff_required
def receivable_list(request: HttpRequest) -> HttpResponse:
    """Finance's receivables (``/billing/``): finance, supervisors, administrators."""
    user = request_user(request)
    if not is_overseer(user):
        raise DjangoPermissionDenied
    form = FilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    today = clock.local_today()
    qs = selectors.receivable_list(
        user=user,
        status=data.get("status") or selectors.OUTSTANDING_FILTER,
        bucket=data.get("bucket") or "",
        search=data.get("q") or "",
        technician=data.get("technician") or "",
        today=today,
    )
    rows = [(r, selectors.bucket_of(r, today=today), selectors.age_in_days(r, today=today)) for r in qs[:ROWS]]
    context = {"form": form, "rows": rows, "totals": selectors.totals(qs, today=today), "limit": ROWS}
    template = "billing/_results.html" if is_fragment_request(request) else "billing/list.html"
    return private_no_store(render_htmx(request, template, context))


def _forms(receivable: Receivable, actions: set[str], bound: tuple[str, django_forms.Form] | None) -> dict[str, Any]:
    today = clock.local_today()
    invoice = selectors.invoice_of(receivable)
    built: dict[str, Any] = {}
    if "pay" in actions:
        built["pay"] = PaymentForm(
            initial={"amount": services.left_to_pay(receivable), "paid_on": today, "idempotency_key": uuid.uuid4().hex}
        )
    if "invoice" in actions:
        initial = (
            {f: getattr(invoice, f) for f in ("kind", "number", "issued_on", "title", "tax_id", "amount")}
            if invoice is not None
            else {"issued_on": today, "amount": receivable.amount}
        )
        built["invoice"] = InvoiceForm(initial=initial)
    if "waive" in actions:
        built["waive"] = ReasonForm()
    if bound is not None:
        built[bound[0]] = bound[1]
    return built


def _detail(
    request: HttpRequest, receivable: Receivable, *, bound: tuple[str, django_forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    actions = receivable_actions(user, receivable)
    context = {
        "receivable": receivable,
        "work_order": receivable.work_order,
        "payments": selectors.payments_of(receivable),
        "invoice": selectors.invoice_of(receivable),
        "actions": actions,
        "forms": _forms(receivable, actions, bound),
        "reject_form": ReasonForm(),
        "pending": PaymentStatus.PENDING,
        "bucket": selectors.bucket_of(receivable),
    }
    return private_no_store(render(request, "billing/receivable.html", context, status=status))


@staff_required
@domain_errors
def receivable_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A receivable's page (``/billing/<work order no.>/``): whoever sees it."""
    receivable = selectors.receivable_get_for_user(user=request_user(request), number=number)
    return _detail(request, receivable)


def _user(username: str, *, field: str) -> User | None:
    if not username.strip():
        return None
    found = User.objects.filter(username=username.strip(), is_active=True).exclude(role=Role.CUSTOMER).first()
    if found is None:
        raise ValidationFailed({field: [_("No such member of staff.")]}, code=f"{field}_unknown")
    return found


@staff_required
@domain_errors
@require_POST
def receivable_action(request: HttpRequest, number: str, name: str) -> HttpResponse:
    """Record a payment, the invoice, or waive the rest (finance; a supervisor or an
    administrator waives): the form again with its errors, or back to the page."""
    user = request_user(request)
    receivable = selectors.receivable_get_for_user(user=user, number=number)
    form_class = {"pay": PaymentForm, "invoice": InvoiceForm, "waive": ReasonForm}.get(name)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    version = posted_version(request)
    if form.is_valid():
        data = form.cleaned_data
        with refusals(form=form) as refused:
            if name == "pay":
                services.payment_record(
                    receivable=receivable,
                    actor=user,
                    amount=data["amount"],
                    method=data["method"],
                    paid_on=data["paid_on"],
                    reference=data["reference"],
                    collected_by=_user(data["collected_by"], field="collected_by"),
                    idempotency_key=data["idempotency_key"],
                    expected_version=version,
                )
                done = _("Payment recorded.")
            elif name == "invoice":
                services.invoice_record(receivable=receivable, actor=user, expected_version=version, **data)
                done = _("Invoice recorded.")
            else:
                services.receivable_waive(receivable=receivable, actor=user, reason=data["reason"], expected_version=version)
                done = _("The rest of the charge was waived.")
        if not refused:
            messages.success(request, done)
            return redirect("billing:receivable", number=number)
        return _detail(request, receivable, bound=(name, form), status=refused.status)
    return _detail(request, receivable, bound=(name, form))


@staff_required
@domain_errors
@require_POST
def payment_decide(request: HttpRequest, number: str, payment_id: int, decision: str) -> HttpResponse:
    """Finance confirms or rejects cash collected on site."""
    user = request_user(request)
    receivable = selectors.receivable_get_for_user(user=user, number=number)
    payment = Payment.objects.filter(pk=payment_id, receivable=receivable).first()
    if payment is None or decision not in {"confirm", "reject"}:
        raise Http404
    with refusals(request=request) as refused:
        if decision == "confirm":
            services.payment_confirm(payment=payment, actor=user)
        else:
            services.payment_reject(payment=payment, actor=user, reason=request.POST.get("reason", ""))
    if not refused:
        messages.success(request, _("Decision recorded."))
    return redirect("billing:receivable", number=number)


@staff_required
@domain_errors
def collect(request: HttpRequest, number: str) -> HttpResponse:
    """The technician's phone page (``/billing/<work order no.>/collect/``): what the customer
    owes for his job, and the cash (or other payment) he collected on site."""
    user = request_user(request)
    receivable = selectors.receivable_get_for_user(user=user, number=number)
    if "collect" not in receivable_actions(user, receivable) and receivable.work_order.technician_id != user.pk:
        raise DjangoPermissionDenied
    form = CollectForm(
        request.POST or None, initial={"amount": services.left_to_pay(receivable), "idempotency_key": uuid.uuid4().hex}
    )
    status = 200
    if request.method == "POST":
        check_collect(user, receivable)
        if form.is_valid():
            data = form.cleaned_data
            with refusals(form=form) as refused:
                services.payment_collect_on_site(
                    receivable=receivable,
                    actor=user,
                    amount=data["amount"],
                    method=data["method"],
                    reference=data["reference"],
                    idempotency_key=data["idempotency_key"],
                )
            if not refused:
                messages.success(request, _("Recorded: finance will confirm the money you collected."))
                return redirect("billing:collect", number=number)
            status = refused.status
    context = {
        "receivable": receivable,
        "work_order": receivable.work_order,
        "form": form,
        "can_collect": "collect" in receivable_actions(user, receivable),
        "payments": selectors.payments_of(receivable),
        "left": services.left_to_pay(receivable),
    }
    return private_no_store(render(request, "billing/collect.html", context, status=status))
