from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import AdministratorsMay, AuditedAdmin, ConfigurationAdmin

from .forms import SlaPolicyAdminForm, hours_text
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


class CalendarDayInline(_ReadOnly, AdministratorsMay, admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "is_workday", "name", "schedule"]


@admin.register(Calendar)
class CalendarAdmin(ConfigurationAdmin):
    list_display = ["label", "timezone", "uses_chinese_holidays", "is_24x7"]
    readonly_fields = ["code"]
    inlines = [CalendarDayInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "timezone", "is_24x7"]}),
        (
            _("Working days"),
            {
                "fields": ["working_hours", "uses_chinese_holidays"],
                # Rendered as HTML by the admin: the link to the calendars page.
                "description": format_lazy(
                    '{} <a href="{}">{}</a>',
                    _(
                        "The days listed below win over the holiday package. Enter a year's schedule (the State "
                        "Council's notice) or a single day on the calendars page, /sla/calendars/."
                    ),
                    reverse_lazy("sla:calendars"),
                    _("Open the calendars page"),
                ),
            },
        ),
    ]

    @admin.display(description=_("name"), ordering="name")
    def label(self, calendar: Calendar) -> str:
        return calendar.label


@admin.register(CalendarDay)
class CalendarDayAdmin(_ReadOnly, ConfigurationAdmin):
    list_display = ["date", "calendar", "is_workday", "name"]
    list_filter = ["calendar", "is_workday"]
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ConfigurationAdmin):
    """Targets entered and shown in hours (``forms.SlaPolicyAdminForm``), stored in working minutes."""

    form = SlaPolicyAdminForm
    readonly_fields = ["code"]
    list_display = [
        "label",
        "priority",
        "customer_tier",
        "calendar",
        "first_response",
        "solution",
        "resolution",
        "warning_share",
        "escalate_after",
        "active",
        "position",
    ]
    list_filter = ["active", "priority", "customer_tier", "calendar"]
    list_editable = ["active", "position"]

    @admin.display(description=_("name"), ordering="name")
    def label(self, policy: SlaPolicy) -> str:
        return policy.label

    @admin.display(description=_("First response"), ordering="first_response_minutes")
    def first_response(self, policy: SlaPolicy) -> str:
        return hours_text(policy.first_response_minutes)

    @admin.display(description=_("Solution commitment"), ordering="solution_minutes")
    def solution(self, policy: SlaPolicy) -> str:
        return hours_text(policy.solution_minutes)

    @admin.display(description=_("Resolution"), ordering="resolution_minutes")
    def resolution(self, policy: SlaPolicy) -> str:
        return hours_text(policy.resolution_minutes)

    @admin.display(description=_("Escalate after breach"), ordering="escalate_after_minutes")
    def escalate_after(self, policy: SlaPolicy) -> str:
        return hours_text(policy.escalate_after_minutes)


@admin.register(SlaClock)
class SlaClockAdmin(AuditedAdmin):
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
