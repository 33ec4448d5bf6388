"""The trip-log pages: the technician's "My trips" on his phone (open a trip, log today in two
taps, submit), the reviewers' list (filters: status, technician, month; htmx answers with the
results only) and the trip's page (its log, the labour reconciliation, the steps the reader may
take, its history). Thin: every read is a scoped selector, every change a service."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, posted_version, private_no_store, render_htmx, request_user

from . import actions, services, trip_actions, trip_selectors
from .history import history_rows
from .models import Trip, TripStatus
from .permissions import is_technician, led_team_ids
from .reconcile import reconcile
from .selectors import history
from .states import TRIP_EDITABLE
from .trip_forms import TripEntryForm, TripFilterForm, TripOpenForm
from .trip_permissions import can_review, may_log, sees_trip_list
from .trip_permissions import trip_actions as allowed_steps
from .views import _action_forms

ROWS = 100


def _job_choices(user: User) -> list[tuple[str, str]]:
    return [(wo.number, f"{wo.number} · {wo.ticket.number}") for wo in trip_selectors.work_order_choices(user)]


def entry_form(trip: Trip, data: Any = None) -> TripEntryForm:
    """The day's line with its defaults: today, the trip's city, 8 working hours, the trip's only
    work order."""
    linked = list(trip.work_orders.order_by("number").values_list("number", flat=True))
    initial = {
        "day": clock.local_today(),
        "place": trip.city or trip.province,
        "working_hours": "8",
        "travel_hours": "0",
        "km": "0",
        "work_order": linked[0] if len(linked) == 1 else "",
    }
    return TripEntryForm(data, work_orders=_job_choices(trip.technician), initial=initial, prefix="entry")


@staff_required
@domain_errors
def mine(request: HttpRequest) -> HttpResponse:
    """``/travel/trips/mine/``: open a trip, the open ones with "log today", the others."""
    user = request_user(request)
    if not is_technician(user):
        raise DjangoPermissionDenied
    form = TripOpenForm(
        request.POST or None,
        work_orders=_job_choices(user),
        advances=[(a.number, f"{a.number} · {a.amount}") for a in trip_selectors.advance_choices(user)],
        initial={"idempotency_key": uuid.uuid4().hex, "departed_on": clock.local_today()},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals(form=form) as refused:
            trip = services.trip_open(actor=user, **data)
        if not refused:
            messages.success(request, _("Your trip %(number)s was opened.") % {"number": trip.number})
            return redirect("travel:trip", number=trip.number)
        status = refused.status
    trips = list(trip_selectors.trip_list(user=user).filter(technician=user)[:50])
    editable = [t for t in trips if t.status in TRIP_EDITABLE]
    context = {
        "form": form,
        "editable": [(t, entry_form(t)) for t in editable],
        "others": [t for t in trips if t.status not in TRIP_EDITABLE],
        "leads": bool(led_team_ids(user)),
    }
    return private_no_store(render(request, "travel/trips_mine.html", context, status=status))


@staff_required
def trip_list(request: HttpRequest) -> HttpResponse:
    """``/travel/trips/``: the reviewers' (and team leaders') list of trips in their scope."""
    user = request_user(request)
    if not sees_trip_list(user):
        raise DjangoPermissionDenied
    form = TripFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or ""
    trips = trip_selectors.trip_list(
        user=user, statuses=[status] if status else None, technician=data.get("technician", "").strip(), month=data.get("month")
    )
    context = {"form": form, "trips": list(trips[:ROWS]), "rows": ROWS, "statuses": TripStatus}
    template = "travel/_trips_results.html" if is_fragment_request(request) else "travel/trips.html"
    return private_no_store(render_htmx(request, template, context))


def _trip_page(
    request: HttpRequest,
    number: str,
    bound: tuple[str, Any] | None = None,
    entry: TripEntryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    trip = trip_selectors.trip_get_for_user(user=user, number=number)
    logs = may_log(user, trip)
    context = {
        "trip": trip,
        "entries": trip_selectors.trip_entries(trip),
        "work_orders": trip_selectors.trip_work_orders(trip),
        "figures": reconcile(trip),
        "entry_form": (entry or entry_form(trip)) if logs else None,
        "may_log": logs,
        "reviews": can_review(user, trip),
        "actions": _action_forms(trip_actions.TRIP, allowed_steps(user, trip), bound),
        "history": history_rows(history(trip)),
        "mine": trip.technician_id == user.pk,
    }
    return private_no_store(render(request, "travel/trip.html", context, status=status))


@staff_required
@domain_errors
def trip_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _trip_page(request, number)


@staff_required
@domain_errors
@require_POST
def entry_add(request: HttpRequest, number: str) -> HttpResponse:
    """Add one line to the log (from the trip's page or "log today" on My trips)."""
    user = request_user(request)
    trip = trip_selectors.trip_get_for_user(user=user, number=number)
    if not may_log(user, trip):
        raise DjangoPermissionDenied
    form = entry_form(trip, request.POST)
    status = 200
    if form.is_valid():
        with refusals(form=form) as refused:
            services.trip_entry_add(trip=trip, actor=user, expected_version=posted_version(request), **form.cleaned_data)
        if not refused:
            messages.success(request, _("The day was logged."))
            return redirect("travel:trip", number=trip.number)
        status = refused.status
    return _trip_page(request, number, entry=form, status=status)


@staff_required
@domain_errors
@require_POST
def entry_remove(request: HttpRequest, number: str, entry_id: int) -> HttpResponse:
    user = request_user(request)
    trip = trip_selectors.trip_get_for_user(user=user, number=number)
    with refusals(request=request) as refused:
        services.trip_entry_remove(trip=trip, actor=user, entry_id=entry_id, expected_version=posted_version(request))
    if not refused:
        messages.success(request, _("The line was removed."))
    return redirect("travel:trip", number=trip.number)


@staff_required
@domain_errors
@require_POST
def trip_action(request: HttpRequest, number: str, name: str) -> HttpResponse:
    """Post one declared step (``trip_actions``): its form, the service, back to the trip — or the
    page again with the refusal next to the field it names (the reviewer's note, the reason, the
    dates)."""
    user = request_user(request)
    trip = trip_selectors.trip_get_for_user(user=user, number=number)
    action = actions.find(trip_actions.TRIP, name)
    if action is None:
        raise Http404
    form = action.form(request.POST, prefix=name)
    status = 200
    if form.is_valid():
        with refusals(form=form) as refused:
            action.perform(document=trip, actor=user, expected_version=posted_version(request), **form.cleaned_data)
        if not refused:
            messages.success(request, str(action.done))
            return redirect("travel:trip", number=trip.number)
        status = refused.status
    return _trip_page(request, number, bound=(name, form), status=status)
