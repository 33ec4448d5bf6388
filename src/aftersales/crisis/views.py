"""The crisis pages: the board (live figures, open alerts, crises), an alert with its evidence
(confirm or dismiss), a crisis (status, level, team, tasks, communications, customer notice,
review), opening a crisis or a drill. Thin: a form, one service, a redirect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core import charts
from aftersales.core.view_errors import domain_errors, refusals

from . import selectors, services
from .forms import (
    ActionForm,
    BudgetForm,
    CommunicationForm,
    ConfirmAlertForm,
    DismissAlertForm,
    ExpenseForm,
    LevelForm,
    LinkTicketsForm,
    MemberForm,
    NoticeForm,
    OpenCrisisForm,
    PartsForm,
    ReviewForm,
    TaskForm,
    TechnicianForm,
    TransitionForm,
)
from .models import AlertStatus, CrisisStatus, CrisisTask, PartReservation
from .permissions import can_manage
from .states import CRISIS_TRANSITIONS, OPEN_STATUSES


def _manager(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not can_manage(user):
        raise DjangoPermissionDenied
    return user


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _curve_chart(points: list[dict[str, Any]]) -> charts.Chart:
    """The alert's tickets per hour as a bar chart (pygal, server-side SVG; decision 0009)."""
    labels = []
    for point in points:
        try:
            labels.append(f"{timezone.localtime(dt.datetime.fromisoformat(str(point.get('hour')))):%H:00}")
        except ValueError:
            labels.append(str(point.get("hour", "")))
    return charts.bar(
        _("Tickets per hour (last 24 hours)"),
        labels,
        {_("Tickets"): [float(int(p.get("count", 0))) for p in points]},
        label_column=_("Hour"),
    )


@staff_required
def board(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    context = {
        "figures": selectors.board_figures(user),
        "alerts": selectors.alerts_visible_to(user).filter(status=AlertStatus.OPEN)[:50],
        "recent_alerts": selectors.alerts_visible_to(user).exclude(status=AlertStatus.OPEN)[:20],
        "crises": selectors.crises_visible_to(user).filter(status__in=OPEN_STATUSES)[:50],
        "closed_crises": selectors.crises_visible_to(user).exclude(status__in=OPEN_STATUSES)[:20],
    }
    return render(request, "crisis/board.html", context)


@staff_required
@domain_errors
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _manager(request)
    alert = selectors.alert_get_for_user(user=user, alert_id=alert_id)
    context = {
        "alert": alert,
        "tickets": selectors.alert_tickets(alert)[:200],
        "curve": _curve_chart(alert.curve) if alert.curve else None,
        "confirm_form": ConfirmAlertForm(),
        "dismiss_form": DismissAlertForm(),
    }
    return render(request, "crisis/alert_detail.html", context)


@staff_required
@require_POST
@domain_errors
def alert_confirm(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _manager(request)
    alert = selectors.alert_get_for_user(user=user, alert_id=alert_id)
    form = ConfirmAlertForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("crisis:alert", alert_id=alert.pk)
    with refusals(request=request) as refused:
        crisis = services.alert_confirm(
            alert=alert,
            actor=user,
            level=form.cleaned_data["level"],
            title=form.cleaned_data["title"],
            plan=form.cleaned_data["plan"],
        )
    if refused:
        return redirect("crisis:alert", alert_id=alert.pk)
    messages.success(request, _("The alert is confirmed as crisis %(code)s.") % {"code": crisis.code})
    return redirect("crisis:detail", crisis_id=crisis.pk)


@staff_required
@require_POST
@domain_errors
def alert_dismiss(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _manager(request)
    alert = selectors.alert_get_for_user(user=user, alert_id=alert_id)
    form = DismissAlertForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("crisis:alert", alert_id=alert.pk)
    with refusals(request=request) as refused:
        services.alert_dismiss(alert=alert, actor=user, reason=form.cleaned_data["reason"])
    if not refused:
        messages.success(request, _("The alert is dismissed."))
    return redirect("crisis:alert", alert_id=alert.pk)


@staff_required
@domain_errors
def crisis_new(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = OpenCrisisForm(request.POST or None, initial={"is_drill": request.GET.get("drill") == "1"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals(form=form) as refused:
            crisis = services.crisis_open(
                actor=user,
                title=data["title"],
                crisis_type=data["crisis_type"],
                level=data["level"],
                plan=data["plan"],
                is_drill=data["is_drill"],
                summary=data["summary"],
                models=data["models"],
                batches=data["batches"].replace("，", ",").split(","),
            )
        if not refused:
            return redirect("crisis:detail", crisis_id=crisis.pk)
    return render(request, "crisis/crisis_new.html", {"form": form})


@staff_required
@domain_errors
def crisis_detail(request: HttpRequest, crisis_id: int) -> HttpResponse:
    user = _manager(request)
    crisis = selectors.crisis_get_for_user(user=user, crisis_id=crisis_id)
    moves = [s for s in CrisisStatus if CRISIS_TRANSITIONS.allows(crisis.status, s) and s != CrisisStatus.REVIEWED]
    context = {
        "crisis": crisis,
        "tickets": selectors.crisis_tickets(crisis)[:200],
        "ticket_count": crisis.tickets.count(),
        "members": crisis.members.select_related("user"),
        "tasks": crisis.tasks.select_related("owner"),
        "communications": crisis.communications.select_related("recorded_by"),
        "alerts": crisis.alerts.all(),
        "moves": moves,
        "can_review": CRISIS_TRANSITIONS.allows(crisis.status, CrisisStatus.REVIEWED),
        "open": crisis.status in OPEN_STATUSES,
        "level_form": LevelForm(initial={"level": crisis.level_id, "version": crisis.version}),
        "member_form": MemberForm(),
        "task_form": TaskForm(),
        "communication_form": CommunicationForm(),
        "notice_form": NoticeForm(),
        "link_form": LinkTicketsForm(),
        "review_form": ReviewForm(initial={"version": crisis.version}),
        "review": crisis.review,
        "reservations": crisis.part_reservations.select_related("stock__part", "stock__warehouse"),
        "technicians": crisis.technicians.select_related("user"),
        "expenses": crisis.expenses.select_related("recorded_by"),
        "cost": services.resources_cost(crisis),
        "parts_form": PartsForm(),
        "technician_form": TechnicianForm(),
        "budget_form": BudgetForm(
            initial={"amount": crisis.budget_amount, "currency": crisis.budget_currency, "version": crisis.version}
        ),
        "expense_form": ExpenseForm(),
        "reviewed": crisis.status == CrisisStatus.REVIEWED,
        "actions": crisis.improvement_actions.select_related("owner").order_by("pk"),
        "action_form": ActionForm(),
    }
    return render(request, "crisis/crisis_detail.html", context)


def _step_transition(request: HttpRequest, user: User, crisis: Any) -> None:
    form = TransitionForm(request.POST)
    if form.is_valid():
        services.crisis_transition(
            crisis=crisis, actor=user, to=form.cleaned_data["to"], expected_version=form.cleaned_data["version"]
        )
        messages.success(request, _("Status changed."))
    else:
        _form_errors(request, form)


def _step_review(request: HttpRequest, user: User, crisis: Any) -> None:
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.crisis_transition(
            crisis=crisis,
            actor=user,
            to=CrisisStatus.REVIEWED,
            expected_version=form.cleaned_data["version"],
            lessons=form.cleaned_data["lessons"],
            improvements=form.cleaned_data["improvements"],
        )
        messages.success(request, _("The review is recorded."))
    else:
        _form_errors(request, form)


def _step_level(request: HttpRequest, user: User, crisis: Any) -> None:
    form = LevelForm(request.POST)
    if form.is_valid():
        services.crisis_set_level(
            crisis=crisis, actor=user, level=form.cleaned_data["level"], expected_version=form.cleaned_data["version"]
        )
        messages.success(request, _("Level changed."))
    else:
        _form_errors(request, form)


def _step_member(request: HttpRequest, user: User, crisis: Any) -> None:
    form = MemberForm(request.POST)
    if form.is_valid():
        services.crisis_add_member(crisis=crisis, actor=user, user=form.cleaned_data["user"], role=form.cleaned_data["role"])
        messages.success(request, _("Added to the response team."))
    else:
        _form_errors(request, form)


def _step_task(request: HttpRequest, user: User, crisis: Any) -> None:
    form = TaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.crisis_add_task(crisis=crisis, actor=user, title=data["title"], owner=data["owner"], due_at=data["due_at"])
        messages.success(request, _("Task added."))
    else:
        _form_errors(request, form)


def _step_task_done(request: HttpRequest, user: User, crisis: Any) -> None:
    task = CrisisTask.objects.filter(crisis=crisis, pk=request.POST.get("task") or 0).first()
    if task is None:
        raise Http404
    services.crisis_task_done(task=task, actor=user)
    messages.success(request, _("Task done."))


def _step_communication(request: HttpRequest, user: User, crisis: Any) -> None:
    form = CommunicationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.crisis_record_communication(
            crisis=crisis, actor=user, audience=data["audience"], subject=data["subject"], body=data["body"]
        )
        messages.success(request, _("Recorded in the communication log."))
    else:
        _form_errors(request, form)


def _step_notice(request: HttpRequest, user: User, crisis: Any) -> None:
    form = NoticeForm(request.POST)
    if form.is_valid():
        entry = services.crisis_notify_customers(crisis=crisis, actor=user, body=form.cleaned_data["body"])
        messages.success(
            request,
            _("Notice sent to %(customers)d customers (%(messages)d messages).")
            % {"customers": entry.recipients, "messages": entry.messages},
        )
    else:
        _form_errors(request, form)


def _step_link(request: HttpRequest, user: User, crisis: Any) -> None:
    form = LinkTicketsForm(request.POST)
    if form.is_valid():
        numbers = form.cleaned_data["numbers"].replace(",", " ").replace("，", " ").split()
        count = services.crisis_link_ticket_numbers(crisis=crisis, actor=user, numbers=numbers)
        messages.success(request, _("%(count)d tickets linked.") % {"count": count})
    else:
        _form_errors(request, form)


def _step_parts(request: HttpRequest, user: User, crisis: Any) -> None:
    form = PartsForm(request.POST)
    if form.is_valid():
        services.crisis_reserve_parts(
            crisis=crisis, actor=user, stock=form.cleaned_data["stock"], quantity=form.cleaned_data["quantity"]
        )
        messages.success(request, _("Parts reserved."))
    else:
        _form_errors(request, form)


def _step_parts_release(request: HttpRequest, user: User, crisis: Any) -> None:
    reservation = PartReservation.objects.filter(crisis=crisis, pk=request.POST.get("reservation") or 0).first()
    if reservation is None:
        raise Http404
    services.crisis_release_parts(reservation=reservation, actor=user)
    messages.success(request, _("Parts released."))


def _step_technician(request: HttpRequest, user: User, crisis: Any) -> None:
    form = TechnicianForm(request.POST)
    if form.is_valid():
        services.crisis_assign_technician(
            crisis=crisis, actor=user, user=form.cleaned_data["user"], note=form.cleaned_data["note"]
        )
        messages.success(request, _("Technician assigned."))
    else:
        _form_errors(request, form)


def _step_budget(request: HttpRequest, user: User, crisis: Any) -> None:
    form = BudgetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.crisis_set_budget(
            crisis=crisis, actor=user, amount=data["amount"], currency=data["currency"], expected_version=data["version"]
        )
        messages.success(request, _("Budget set."))
    else:
        _form_errors(request, form)


def _step_expense(request: HttpRequest, user: User, crisis: Any) -> None:
    form = ExpenseForm(request.POST)
    if form.is_valid():
        services.crisis_record_expense(
            crisis=crisis, actor=user, amount=form.cleaned_data["amount"], description=form.cleaned_data["description"]
        )
        messages.success(request, _("Expense recorded."))
    else:
        _form_errors(request, form)


def _step_action(request: HttpRequest, user: User, crisis: Any) -> None:
    form = ActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        action = services.crisis_raise_action(
            crisis=crisis,
            actor=user,
            title=data["title"],
            problem=data["problem"],
            owner=data["owner"],
            due_date=data["due_date"],
        )
        messages.success(request, _("Improvement action %(number)s raised.") % {"number": action.number})
    else:
        _form_errors(request, form)


STEPS: dict[str, Callable[[HttpRequest, User, Any], None]] = {
    "transition": _step_transition,
    "review": _step_review,
    "level": _step_level,
    "member": _step_member,
    "task": _step_task,
    "task-done": _step_task_done,
    "communication": _step_communication,
    "notice": _step_notice,
    "link": _step_link,
    "parts": _step_parts,
    "parts-release": _step_parts_release,
    "technician": _step_technician,
    "budget": _step_budget,
    "expense": _step_expense,
    "action": _step_action,
}


@staff_required
@require_POST
@domain_errors
def crisis_step(request: HttpRequest, crisis_id: int, step: str) -> HttpResponse:
    user = _manager(request)
    crisis = selectors.crisis_get_for_user(user=user, crisis_id=crisis_id)
    handler = STEPS.get(step)
    if handler is None:
        raise Http404
    with refusals(request=request):
        handler(request, user, crisis)
    return redirect("crisis:detail", crisis_id=crisis.pk)
