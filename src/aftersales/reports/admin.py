"""Scheduled reports in the admin: to look at, not to change (changes go through the pages or the
API, which check the recipients and write the audit log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import AuditedAdmin

from .models import ReportDelivery, ReportSubscription


class ViewOnly(AuditedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(ViewOnly):
    list_display = ("name", "owner", "kind", "frequency", "send_time", "active")
    list_filter = ("frequency", "active", "kind")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(ViewOnly):
    list_display = ("subscription", "period_start", "status", "attempts", "sent_at", "row_count")
    list_filter = ("status",)
    list_select_related = ("subscription",)
    date_hierarchy = "period_start"
