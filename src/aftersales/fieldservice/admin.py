from django.contrib import admin

from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin

from .models import (
    ChargePolicy,
    CompletionAcceptance,
    ExpenseClaim,
    Skill,
    TechnicianProfile,
    TravelRate,
    WorkOrder,
    WorkOrderChargeLine,
)


@admin.register(Skill)
class SkillAdmin(ConfigurationAdmin):
    list_display = ["code", "name", "active"]


@admin.register(TechnicianProfile)
class TechnicianProfileAdmin(ConfigurationAdmin):
    list_display = ["user", "daily_capacity", "active"]
    filter_horizontal = ["skills", "regions"]


@admin.register(ChargePolicy)
class ChargePolicyAdmin(ConfigurationAdmin):
    list_display = ["name", "labour_cost_per_hour", "labour_price_per_hour", "valid_from", "active"]


@admin.register(TravelRate)
class TravelRateAdmin(ConfigurationAdmin):
    list_display = ["region", "mode", "cost", "price"]


class ChargeLineInline(admin.TabularInline):
    model = WorkOrderChargeLine
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in WorkOrderChargeLine._meta.fields]


@admin.register(WorkOrder)
class WorkOrderAdmin(AuditedAdmin):
    """Read-only: work orders change only through the services (audited, in the timeline)."""

    list_display = ["number", "ticket", "kind", "status", "technician", "appointment_start"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "ticket__number"]
    inlines = [ChargeLineInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(AuditedAdmin):
    list_display = ["work_order", "technician", "kind", "amount", "status"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CompletionAcceptance)
class CompletionAcceptanceAdmin(AuditedAdmin):
    list_display = ["work_order", "method", "signer_name", "accepted_at"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
