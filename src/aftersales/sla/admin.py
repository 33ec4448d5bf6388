from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Calendar, CalendarDay, SlaClock, SlaPolicy


class _ReadOnly:
    """Days are entered on the calendars pages (``/sla/calendars/``), through the service that
    audits them and recomputes the open deadlines they move; here they are only shown."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CalendarDayInline(_ReadOnly, admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "is_workday", "name", "schedule"]


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "uses_chinese_holidays", "is_24x7"]
    inlines = [CalendarDayInline]
    fieldsets = [
        (None, {"fields": ["name", "timezone", "is_24x7"]}),
        (
            _("Working days"),
            {
                "fields": ["working_hours", "uses_chinese_holidays"],
                "description": _(
                    "The days listed below win over the holiday package. Enter a year's schedule (the State "
                    "Council's notice) or a single day on the calendars page, /sla/calendars/."
                ),
            },
        ),
    ]


@admin.register(CalendarDay)
class CalendarDayAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["date", "calendar", "is_workday", "name"]
    list_filter = ["calendar", "is_workday"]
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "priority",
        "customer_tier",
        "calendar",
        "first_response_minutes",
        "solution_minutes",
        "resolution_minutes",
        "warning_share",
        "escalate_after_minutes",
        "active",
        "position",
    ]
    list_filter = ["active", "priority", "customer_tier", "calendar"]
    list_editable = ["active", "position"]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    """Read-only: clocks change only through the SLA services."""

    list_display = ["ticket", "metric", "status", "due_at", "warned_at", "breached_at", "escalated_at", "paused_seconds"]
    list_filter = ["metric", "status"]
    search_fields = ["ticket__number"]
    list_select_related = ["ticket"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
