"""/admin/remedies/: the 三包 rules per product category (docs/remedies.md), and the decisions and
the purchase records (read-only: they are made on the ticket page, the refund form or the API)."""

from django.contrib import admin

from aftersales.core.admin import AdministratorsMay, AuditedAdmin, ConfigurationAdmin

from .models import ComponentPeriod, Purchase, RemedyDecision, RemedyPolicy


class ComponentPeriodInline(AdministratorsMay, admin.TabularInline):
    model = ComponentPeriod
    extra = 1


@admin.register(RemedyPolicy)
class RemedyPolicyAdmin(ConfigurationAdmin):
    list_display = [
        "__str__",
        "return_days",
        "exchange_days",
        "whole_unit_months",
        "repair_days_limit",
        "parts_wait_days_limit",
        "max_repairs",
        "daily_depreciation_percent",
        "online_return_days",
        "online_return_excluded",
    ]
    list_select_related = ["category"]
    inlines = [ComponentPeriodInline]
    fieldsets = [
        (None, {"fields": ["category", "note"]}),
        (None, {"fields": ["return_days", "exchange_days"]}),
        (
            None,
            {
                "fields": [
                    "whole_unit_months",
                    "repair_days_limit",
                    "parts_wait_days_limit",
                    "max_repairs",
                    "daily_depreciation_percent",
                ]
            },
        ),
        (None, {"fields": ["online_return_days", "online_return_excluded"]}),
    ]


@admin.register(RemedyDecision)
class RemedyDecisionAdmin(AuditedAdmin):
    list_display = ["ticket", "rule", "chosen", "follows_proposal", "decided_by", "decided_at"]
    list_filter = ["rule", "chosen", "follows_proposal"]
    search_fields = ["ticket__number"]
    list_select_related = ["ticket", "decided_by"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in RemedyDecision._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Purchase)
class PurchaseAdmin(AuditedAdmin):
    list_display = ["unit", "price_paid", "purchased_on", "invoice_number", "recorded_at"]
    search_fields = ["unit__serial_number", "invoice_number"]
    list_select_related = ["unit"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
