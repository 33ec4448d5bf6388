from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from aftersales.accounts.models import Role, User
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


def profile_users() -> QuerySet[User]:
    """Whom a technician profile may be for: technicians (and a profile's user who is one no
    longer, so that the profile still opens), by name."""
    return (
        User.objects.filter(Q(role=Role.TECHNICIAN) | Q(technician_profile__isnull=False))
        .select_related("region")
        .order_by("display_name", "username")
    )


def _user_label(user: User) -> str:
    region = f" · {user.region.name}" if user.region_id and user.region else ""
    return f"{user} ({user.username}){region}"


@admin.register(TechnicianProfile)
class TechnicianProfileAdmin(ConfigurationAdmin):
    """A profile is made when a user becomes a technician (``fieldservice.receivers``); here the
    administrator sets the skills, regions and capacity."""

    list_display = ["user", "daily_capacity", "active"]
    list_filter = ["active", "regions"]
    search_fields = ["user__username", "user__display_name"]
    filter_horizontal = ["skills", "regions"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = profile_users()
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and isinstance(field, forms.ModelChoiceField):
            field.label_from_instance = _user_label  # type: ignore[method-assign]
        return field


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
