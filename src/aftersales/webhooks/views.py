"""Administrators' pages for webhook subscriptions: list and create, and one subscription with
its delivery log, pause/resume and "send test event"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.view_errors import domain_errors, refusals

from .forms import SubscriptionForm
from .selectors import subscription_delivery_log, subscription_get, subscriptions_for_admin
from .services import webhook_send_test, webhook_subscription_create, webhook_subscription_set_active


@staff_required
@domain_errors
@require_http_methods(["GET", "POST"])
def subscription_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    subscriptions = list(subscriptions_for_admin(user=user))
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            subscription = webhook_subscription_create(
                actor=user,
                name=form.cleaned_data["name"],
                target_url=form.cleaned_data["target_url"],
                event_types=form.cleaned_data["event_types"],
                region=form.cleaned_data["region"],
            )
        if not refused:
            messages.success(request, _("Subscription created. Give its signing secret to the receiver."))
            return redirect("webhooks:detail", subscription.pk)
    return render(request, "webhooks/subscription_list.html", {"subscriptions": subscriptions, "form": form})


@staff_required
@domain_errors
def subscription_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    subscription = subscription_get(user=user, subscription_id=subscription_id)
    deliveries = subscription_delivery_log(user=user, subscription=subscription)
    return render(request, "webhooks/subscription_detail.html", {"subscription": subscription, "deliveries": deliveries})


@staff_required
@domain_errors
@require_POST
def subscription_action(request: HttpRequest, subscription_id: int, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    subscription = subscription_get(user=user, subscription_id=subscription_id)
    # Not allowed or gone: the 403/404 page; any other refusal: a message on the detail page.
    with refusals(request=request, propagate=(PermissionDenied, NotFound)):
        if action == "test":
            webhook_send_test(actor=user, subscription=subscription)
            messages.success(request, _("A test event is on its way; reload to see the attempt."))
        elif action in {"pause", "resume"}:
            webhook_subscription_set_active(actor=user, subscription=subscription, active=action == "resume")
        else:
            raise Http404
    return redirect("webhooks:detail", subscription_id)
