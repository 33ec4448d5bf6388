"""The scheduled reports pages: my subscriptions (and, for supervisors and administrators, the
others in their scope) with their last deliveries; subscribe (prefilled from a list page:
``/reports/new/?kind=tickets&status=new``), edit, pause/resume, delete, and "send me a test"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.core import clock
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import request_user
from aftersales.exports.registry import KINDS

from . import selectors, services
from .forms import SubscriptionForm
from .models import Frequency, ReportSubscription, Weekday
from .periods import next_due_at


def _input(form: SubscriptionForm) -> services.SubscriptionInput:
    data = form.cleaned_data
    return services.SubscriptionInput(
        kind=data["kind"],
        name=data["name"],
        filters=data["filters"],
        frequency=data["frequency"],
        send_time=data["send_time"],
        weekday=data["weekday"],
        day_of_month=data["day_of_month"],
        recipients=data["recipients"],
        language=data["language"],
    )


def _current_language() -> str:
    code = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    return "en" if code.startswith("en") else "zh-hans"


def schedule_text(subscription: ReportSubscription) -> str:
    at = subscription.send_time.strftime("%H:%M")
    if subscription.frequency == Frequency.WEEKLY:
        return _("Weekly on %(weekday)s at %(time)s") % {"weekday": Weekday(subscription.weekday).label, "time": at}
    if subscription.frequency == Frequency.MONTHLY:
        return _("Monthly on day %(day)d at %(time)s") % {"day": subscription.day_of_month, "time": at}
    return _("Daily at %(time)s") % {"time": at}


@staff_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    now = clock.now()
    rows = []
    for subscription in selectors.subscription_list_for_user(user):
        kind = KINDS.get(subscription.kind)
        rows.append(
            {
                "s": subscription,
                "kind_title": kind.title if kind is not None else subscription.kind,
                "mine": subscription.owner_id == user.pk,
                "schedule": schedule_text(subscription),
                "next_at": next_due_at(services.schedule_of(subscription), now) if subscription.active else None,
                "deliveries": subscription.recent_deliveries,  # type: ignore[attr-defined]
            }
        )
    return render(request, "reports/list.html", {"rows": rows})


@staff_required
@domain_errors
@require_http_methods(["GET", "POST"])
def subscription_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method == "POST":
        form = SubscriptionForm(request.POST, user=user)
    else:
        # Coming from a list page: its kind and its query string (the filters) prefill the form.
        params = request.GET.copy()
        kind = params.pop("kind", [""])[-1]
        try:
            filters = _encode(services.clean_filters(params.urlencode()))
        except ValidationFailed:
            filters = ""
        form = SubscriptionForm(
            user=user,
            initial={
                "kind": kind,
                "filters": filters,
                "recipients": user.email,
                "language": _current_language(),
            },
        )
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            services.report_subscription_create(actor=user, data=_input(form))
        if not refused:
            messages.success(request, _("Subscribed. The report is sent at the next time it falls due."))
            return redirect("reports:list")
    status = 200 if request.method == "GET" or not form.errors else 422
    return render(request, "reports/form.html", {"form": form, "subscription": None}, status=status)


def _encode(filters: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    for key, value in filters.items():
        query[key] = value
    return query.urlencode()


@staff_required
@domain_errors
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, subscription_id: int) -> HttpResponse:
    user = request_user(request)
    subscription = selectors.subscription_get_for_user(user=user, subscription_id=subscription_id)
    if request.method == "POST":
        form = SubscriptionForm(request.POST, user=subscription.owner)
    else:
        form = SubscriptionForm(user=subscription.owner, initial=_initial(subscription))
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            services.report_subscription_update(actor=user, subscription=subscription, data=_input(form))
        if not refused:
            messages.success(request, _("Subscription saved."))
            return redirect("reports:list")
    status = 200 if request.method == "GET" or not form.errors else 422
    return render(request, "reports/form.html", {"form": form, "subscription": subscription}, status=status)


def _initial(subscription: ReportSubscription) -> dict[str, Any]:
    return {
        "kind": subscription.kind,
        "name": subscription.name,
        "filters": _encode(subscription.filters),
        "frequency": subscription.frequency,
        "send_time": subscription.send_time,
        "weekday": subscription.weekday,
        "day_of_month": subscription.day_of_month,
        "recipients": "\n".join(subscription.recipients),
        "language": subscription.language,
    }


@staff_required
@domain_errors
@require_POST
def subscription_action(request: HttpRequest, subscription_id: int, action: str) -> HttpResponse:
    user = request_user(request)
    subscription = selectors.subscription_get_for_user(user=user, subscription_id=subscription_id)
    with refusals(request=request, propagate=(PermissionDenied, NotFound)):
        if action in {"pause", "resume"}:
            services.report_subscription_set_active(actor=user, subscription=subscription, active=action == "resume")
            messages.success(request, _("Subscription resumed.") if action == "resume" else _("Subscription paused."))
        elif action == "delete":
            services.report_subscription_delete(actor=user, subscription=subscription)
            messages.success(request, _("Subscription deleted."))
        elif action == "test":
            rows = services.report_send_test(actor=user, subscription=subscription)
            messages.success(request, _("A test sent to %(email)s (%(rows)d rows).") % {"email": user.email, "rows": rows})
        else:
            raise Http404
    return redirect(reverse("reports:list"))
