from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin

from .models import AfterTicketRule, Revisit, RevisitCall, RevisitPolicy, StaffComplaint


@admin.register(RevisitPolicy)
class RevisitPolicyAdmin(ConfigurationAdmin):
    list_display = ("tier", "interval_months", "active")
    list_editable = ("interval_months", "active")


@admin.register(AfterTicketRule)
class AfterTicketRuleAdmin(ConfigurationAdmin):
    list_display = ("request_type", "days_after_close", "active")
    list_editable = ("days_after_close", "active")


class ReadOnlyAdmin(AuditedAdmin):
    """Written by the services only (calls, the scheduler): read here, never edited."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Revisit)
class RevisitAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "customer", "reason", "due_date", "status", "assignee", "attempts")
    list_filter = ("status", "reason")
    search_fields = ("customer__name",)
    raw_id_fields = ("customer", "ticket", "raised_ticket", "assignee")


@admin.register(RevisitCall)
class RevisitCallAdmin(ReadOnlyAdmin):
    list_display = ("revisit", "outcome", "called_by", "called_at", "nps")
    list_filter = ("outcome",)


@admin.register(StaffComplaint)
class StaffComplaintAdmin(ReadOnlyAdmin):
    list_display = ("staff", "customer", "revisit", "created_at")
    search_fields = ("staff__username", "staff__display_name", "text")
