"""Admin: the catalogue, warehouses, levels and approval rules are configured here; stock levels
and the ledger are read-only (they change only through the services, which write movements)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest

from aftersales.accounts.models import Role, User
from aftersales.core.admin import ConfigurationAdmin, ReadOnlyAdmin

from .models import (
    FaultyPartReturn,
    Part,
    PartReturn,
    PartUsage,
    Requisition,
    RequisitionApprovalRule,
    Stock,
    StockMovement,
    Transfer,
    Warehouse,
    WarehouseKind,
)
from .services import stock_set_levels


@admin.register(Part)
class PartAdmin(ConfigurationAdmin):
    list_display = ("number", "name", "unit_cost", "unit_price", "warranty_months", "active")
    list_filter = ("active", "compatible_models__category")
    search_fields = ("number", "name", "compatible_models__code")
    filter_horizontal = ("compatible_models",)


@admin.register(Warehouse)
class WarehouseAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "kind", "region", "technician", "active")
    list_filter = ("kind", "region", "active")
    search_fields = ("code", "name")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """A van's technician is chosen by name among the technicians (the active ones, and
        whoever has a van already, so that an old van still shows its owner), never typed as a
        user id."""
        if db_field.name == "technician":
            kwargs["queryset"] = van_technicians()
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "technician" and isinstance(field, forms.ModelChoiceField):
            field.label_from_instance = _technician_label  # type: ignore[method-assign]
        return field


def van_technicians() -> Any:
    """The users a van may belong to, by name."""
    has_van = Warehouse.objects.filter(kind=WarehouseKind.VAN).values("technician_id")
    return (
        User.objects.filter(role=Role.TECHNICIAN)
        .filter(Q(is_active=True) | Q(pk__in=has_van))
        .select_related("region")
        .order_by("display_name", "username")
    )


def _technician_label(user: User) -> str:
    region = f" · {user.region.name}" if user.region_id and user.region else ""
    return f"{user} ({user.username}){region}"


@admin.register(Stock)
class StockAdmin(ConfigurationAdmin):
    """Levels (minimum, emergency reserve) may be set here; quantities only through documents."""

    list_display = ("warehouse", "part", "on_hand", "reserved", "min_level", "emergency_reserve")
    list_filter = ("warehouse__kind", "warehouse")
    search_fields = ("part__number", "part__name")
    readonly_fields = ("warehouse", "part", "on_hand", "reserved", "low_alerted")
    fields = ("warehouse", "part", "on_hand", "reserved", "min_level", "emergency_reserve", "low_alerted")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Stock, form: Any, change: bool) -> None:
        # Through the service: audited, and a new minimum level may raise the low-stock alert.
        stock_set_levels(
            warehouse=obj.warehouse,
            part=obj.part,
            min_level=obj.min_level,
            emergency_reserve=obj.emergency_reserve,
            actor=request.user,  # type: ignore[arg-type]
        )


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "warehouse", "part", "kind", "quantity", "balance_after", "reference", "actor")
    list_filter = ("kind", "warehouse")
    search_fields = ("part__number", "reference", "serial")


@admin.register(RequisitionApprovalRule)
class RequisitionApprovalRuleAdmin(ConfigurationAdmin):
    list_display = ("name", "min_total", "warehouse_kind", "approver_role", "active")


@admin.register(Requisition)
class RequisitionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "work_order", "warehouse", "status", "total_cost", "created_at")
    list_filter = ("status",)


@admin.register(PartUsage)
class PartUsageAdmin(ReadOnlyAdmin):
    list_display = ("work_order", "part", "quantity", "serial", "installed_on")


@admin.register(PartReturn)
class PartReturnAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "technician", "warehouse", "status", "created_at")


@admin.register(FaultyPartReturn)
class FaultyPartReturnAdmin(ReadOnlyAdmin):
    list_display = ("part", "serial", "status", "appraisal_result")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "from_warehouse", "to_warehouse", "status", "created_at")
