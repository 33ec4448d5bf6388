"""The role home pages: where "/" sends each member of staff.

``home`` shows the page of the signed-in user's role; each page also has its own address (the
header's links, a supervisor who wants the workbench). Views are thin: one selector each.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import Role, User
from aftersales.core import clock as system_clock
from aftersales.core.web import request_user
from aftersales.outlets.selectors import outlets_led_by
from aftersales.travel.selectors import finance_desk, technician_desk

from .selectors import (
    acceptance_tile,
    agent_workbench,
    finance_payments,
    my_open_trips,
    sees_team_view,
    sees_warehouse_home,
    supervisor_team_view,
    technician_today,
    trip_review_tile,
    warehouse_home,
)
from .setup_checklist import setup_checklist

# Roles whose home is the handler's workbench.
WORKBENCH_ROLES = frozenset({Role.AGENT, Role.QUALITY_MANAGER})
# Roles whose home is the Today page: a technician's day, finance's travel money to handle.
TODAY_ROLES = frozenset({Role.TECHNICIAN, Role.FINANCE})
# Roles whose work is one list of their own: their home is that list, not the ticket list.
WORK_LIST_HOMES = {
    Role.APPRAISER: ("appraisal:queue", ""),
    Role.MARKETING: ("compensation:queues", "#compensation-to-fulfil"),
    Role.QUALITY_ENGINEER: ("quality:overview", ""),
}


@staff_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's home: the team view for supervisors and administrators, today's jobs
    for technicians, finance's travel work for finance, the warehouse's work for keepers, the
    workbench for agents and quality managers; the appraisal queue for appraisers, compensation to
    fulfil for marketing, the quality overview for quality engineers."""
    user = request_user(request)
    if sees_team_view(user):
        return _render_team(request, user)
    if user.role in TODAY_ROLES:
        return _render_today(request, user)
    if user.role == Role.WAREHOUSE:
        return _render_warehouse(request, user)
    if user.role in WORKBENCH_ROLES:
        return _render_workbench(request, user)
    if user.role in WORK_LIST_HOMES:
        url_name, fragment = WORK_LIST_HOMES[user.role]
        return redirect(reverse(url_name) + fragment)
    return redirect("tickets:list")


@staff_required
@require_safe
def workbench(request: HttpRequest) -> HttpResponse:
    return _render_workbench(request, request_user(request))


@staff_required
@require_safe
def today(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.role not in TODAY_ROLES:
        raise PermissionDenied
    return _render_today(request, user)


@staff_required
@require_safe
def warehouse(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not sees_warehouse_home(user):
        raise PermissionDenied
    return _render_warehouse(request, user)


@staff_required
@require_safe
def team(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not sees_team_view(user):
        raise PermissionDenied
    return _render_team(request, user)


def _render_workbench(request: HttpRequest, user: User) -> HttpResponse:
    # The quality manager's results to accept (None for roles that do not decide on them).
    context = {"bench": agent_workbench(user=user), "acceptance": acceptance_tile(user=user)}
    return render(request, "desk/workbench.html", context)


def _render_today(request: HttpRequest, user: User) -> HttpResponse:
    if user.role == Role.FINANCE:  # finance's travel cards only: no jobs of its own
        context = {
            "finance_payments": finance_payments(user=user),
            "finance_travel": finance_desk(user=user),
            "trip_review": trip_review_tile(user=user),
        }
        return render(request, "desk/today.html", context)
    context = {
        "day": technician_today(user=user),
        "led_outlets": outlets_led_by(user),
        "my_travel": technician_desk(user=user),
        "my_trips": my_open_trips(user=user),
    }
    return render(request, "desk/today.html", context)


def _render_warehouse(request: HttpRequest, user: User) -> HttpResponse:
    return render(request, "desk/warehouse.html", {"home": warehouse_home(user=user)})


def _render_team(request: HttpRequest, user: User) -> HttpResponse:
    # An administrator's overview starts with what the company has not set up yet (among it a
    # calendar in use that lacks this year's, or from November next year's, official holiday
    # schedule); nobody else gets the checklist.
    setup = setup_checklist(user=user, today=system_clock.local_today())
    context = {"view": supervisor_team_view(user=user), "setup": setup, "trip_review": trip_review_tile(user=user)}
    return render(request, "desk/team.html", context)
