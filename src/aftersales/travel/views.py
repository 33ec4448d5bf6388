"""The travel pages: finance's queue (claims to decide, advances to decide or pay, balances per
technician, reimbursements; htmx answers with the results only), the technician's own page (on a
phone), and the advance's and the reimbursement's pages with the actions the reader may take and
their history. Thin: every read is a scoped selector, every change a service."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, posted_version, private_no_store, render_htmx, request_user
from aftersales.fieldservice import services as fieldservice
from aftersales.fieldservice.models import ExpenseStatus, WorkOrder
from aftersales.fieldservice.permissions import can_decide_expenses

from . import actions, selectors, services
from .forms import OVERDUE, AdvanceRequestForm, QueueFilterForm
from .history import history_rows
from .permissions import (
    advance_actions,
    is_finance,
    is_technician,
    led_team_ids,
    reimbursement_actions,
    sees_queue,
)
from .states import ADVANCE_OPEN

ROWS = 100


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """Finance's queue (``/travel/``): supervisors, finance, administrators, team leaders."""
    user = request_user(request)
    if not sees_queue(user):
        raise DjangoPermissionDenied
    form = QueueFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    who = data.get("technician", "").strip()
    claim_status = data.get("claim_status") or ExpenseStatus.SUBMITTED
    chosen = data.get("advance_status") or ""
    overdue = chosen == OVERDUE  # paid ones past their settle_due_on; else one status, or those waiting
    advance_statuses = [] if overdue else [chosen] if chosen else sorted(ADVANCE_OPEN)
    reimbursement_status = data.get("reimbursement_status") or ""
    claims = list(selectors.claim_list(user=user, statuses=[claim_status], technician=who, decidable=True)[:ROWS])
    context = {
        "form": form,
        "claims": claims,
        "claim_status": claim_status,
        "decides_claims": can_decide_expenses(user),
        "advances": list(selectors.advance_list(user=user, statuses=advance_statuses, technician=who, overdue=overdue)[:ROWS]),
        "balances": selectors.balances(user=user, technician=who),
        "reimbursements": list(
            selectors.reimbursement_list(
                user=user, statuses=[reimbursement_status] if reimbursement_status else None, technician=who
            )[:ROWS]
        ),
        "counts": selectors.reimbursement_counts(user=user),
        "finance": is_finance(user),
        "here": request.get_full_path(),
        "rows": ROWS,
    }
    template = "travel/_queue_results.html" if is_fragment_request(request) else "travel/queue.html"
    return private_no_store(render_htmx(request, template, context))


@staff_required
@domain_errors
@require_POST
def claim_decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Approve or reject an expense claim from the queue: field service's own service decides."""
    user = request_user(request)
    claim = selectors.claim_get_for_user(user=user, claim_id=claim_id)
    decision = request.POST.get("decision", "")
    if decision not in {"approve", "reject"}:
        raise Http404
    with refusals(request=request) as refused:
        fieldservice.expense_claim_decide(claim=claim, actor=user, approve=decision == "approve")
    if not refused:
        messages.success(request, _("Decision recorded."))
    return _back(request, reverse("travel:queue"))


def _job_choices(user: User) -> list[tuple[str, str]]:
    jobs = WorkOrder.objects.filter(technician=user).select_related("ticket").order_by("-created_at", "-id")[:30]
    return [(wo.number, f"{wo.number} · {wo.ticket.number}") for wo in jobs]


@staff_required
@domain_errors
def mine(request: HttpRequest) -> HttpResponse:
    """The technician's own page (``/travel/mine/``, on his phone): request an advance, his
    advances, balance, claims and reimbursements."""
    user = request_user(request)
    if not is_technician(user):
        raise DjangoPermissionDenied
    form = AdvanceRequestForm(request.POST or None, work_orders=_job_choices(user), initial={"idempotency_key": uuid.uuid4().hex})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals(form=form) as refused:
            advance = services.advance_request(
                actor=user,
                purpose=data["purpose"],
                amount=data["amount"],
                trip_from=data["trip_from"],
                trip_until=data["trip_until"],
                work_orders=data["work_orders"],
                idempotency_key=data["idempotency_key"],
            )
        if not refused:
            messages.success(request, _("Your advance %(number)s was requested.") % {"number": advance.number})
            return redirect("travel:advance", number=advance.number)
        status = refused.status
    context = {
        "form": form,
        "balance": selectors.balance_of(user),
        "advances": list(selectors.advance_list(user=user).filter(technician=user)[:50]),
        "claims": list(selectors.claim_list(user=user).filter(technician=user).order_by("-created_at", "-id")[:50]),
        "reimbursements": list(selectors.reimbursement_list(user=user).filter(technician=user)[:50]),
        "may_draft": services.eligible_claims(user.pk).exists() or services.eligible_advances(user.pk).exists(),
        "maximum": services.advance_maximum(),
        "leads": bool(led_team_ids(user)),
    }
    return private_no_store(render(request, "travel/mine.html", context, status=status))


def _document_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return private_no_store(render(request, template, context, status=status))


def _action_forms(document: str, offered: set[str], bound: tuple[str, Any] | None) -> list[tuple[actions.TravelAction, Any]]:
    shown = []
    for action in actions.declared(document):
        if action.name in offered:
            form = bound[1] if bound is not None and bound[0] == action.name else action.form(prefix=action.name)
            shown.append((action, form))
    return shown


def _advance_page(request: HttpRequest, number: str, bound: tuple[str, Any] | None = None) -> HttpResponse:
    user = request_user(request)
    advance = selectors.advance_get_for_user(user=user, number=number)
    context = {
        "advance": advance,
        "work_orders": list(advance.work_orders.select_related("ticket").order_by("number")),
        "lines": list(advance.reimbursement_lines.select_related("reimbursement").order_by("id")),
        "actions": _action_forms(actions.ADVANCE, advance_actions(user, advance), bound),
        "history": history_rows(selectors.history(advance)),
        "mine": advance.technician_id == user.pk,
    }
    return _document_page(request, "travel/advance.html", context)


@staff_required
@domain_errors
def advance_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _advance_page(request, number)


def _perform(request: HttpRequest, number: str, name: str, *, kind: str, declared: Any, read: Any, page: Any) -> HttpResponse:
    """Post one declared step of a ``kind`` document: its form, the service, back to the page
    (with the form's errors, or the refusal as a message)."""
    user = request_user(request)
    action = actions.find(declared, name)
    document = read(user=user, number=number)
    if action is None:
        raise Http404
    form = action.form(request.POST, prefix=name)
    if not form.is_valid():
        return page(request, number, bound=(name, form))
    with refusals(request=request) as refused:
        action.perform(document=document, actor=user, expected_version=posted_version(request), **form.cleaned_data)
    if not refused:
        messages.success(request, str(action.done))
    return redirect(f"travel:{kind}", number=document.number)


@staff_required
@domain_errors
@require_POST
def advance_action(request: HttpRequest, number: str, name: str) -> HttpResponse:
    return _perform(
        request, number, name, kind="advance", declared=actions.ADVANCE, read=selectors.advance_get_for_user, page=_advance_page
    )


@staff_required
@domain_errors
@require_POST
def reimbursement_new(request: HttpRequest) -> HttpResponse:
    """Draft a technician's reimbursement (finance from the queue, or the technician himself)."""
    user = request_user(request)
    username = request.POST.get("technician", "").strip()
    technician = selectors.technicians_visible(user=user).filter(username=username).first() if username else user
    if technician is None:
        raise Http404
    with refusals(request=request) as refused:
        drafted = services.reimbursement_draft(technician=technician, actor=user)
    if refused:
        return _back(request, reverse("travel:mine" if technician.pk == user.pk else "travel:queue"))
    messages.success(request, _("The reimbursement %(number)s was drafted.") % {"number": drafted.number})
    return redirect("travel:reimbursement", number=drafted.number)


def _reimbursement_page(request: HttpRequest, number: str, bound: tuple[str, Any] | None = None) -> HttpResponse:
    user = request_user(request)
    reimbursement = selectors.reimbursement_get_for_user(user=user, number=number)
    context = {
        "reimbursement": reimbursement,
        "lines": selectors.reimbursement_lines(reimbursement),
        "actions": _action_forms(actions.REIMBURSEMENT, reimbursement_actions(user, reimbursement), bound),
        "history": history_rows(selectors.history(reimbursement)),
    }
    return _document_page(request, "travel/reimbursement.html", context)


@staff_required
@domain_errors
def reimbursement_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _reimbursement_page(request, number)


@staff_required
@domain_errors
@require_POST
def reimbursement_action(request: HttpRequest, number: str, name: str) -> HttpResponse:
    return _perform(
        request,
        number,
        name,
        kind="reimbursement",
        declared=actions.REIMBURSEMENT,
        read=selectors.reimbursement_get_for_user,
        page=_reimbursement_page,
    )
