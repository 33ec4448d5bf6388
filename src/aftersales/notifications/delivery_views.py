"""The failed deliveries page (docs/notifications.md, "Delivery receipts"): supervisors and
administrators see the messages that did not reach their recipient in the last seven days, to
call the customers; everybody else gets the 403 page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aftersales.accounts.decorators import staff_required
from aftersales.core.web import request_user

from .delivery_selectors import FAILED_DAYS, PAGE_LIMIT, failed_deliveries, may_review_deliveries
from .models import NotificationChannel


@staff_required
@require_GET
def failed_deliveries_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not may_review_deliveries(user):
        raise PermissionDenied
    channel = request.GET.get("channel", "")
    channel = channel if channel in NotificationChannel.values else ""
    rows = failed_deliveries(user=user, channel=channel)
    context = {
        "rows": rows,
        "channel": channel,
        "channels": [(c.value, c.label) for c in NotificationChannel if c != NotificationChannel.IN_APP],
        "days": FAILED_DAYS,
        "limited": len(rows) >= PAGE_LIMIT,
        "limit": PAGE_LIMIT,
    }
    return render(request, "notifications/failed_deliveries.html", context)
