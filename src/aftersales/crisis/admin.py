"""The crisis app's configuration in /admin/: safety words, levels, emergency plans with their
checklists; alerts and crises are read there (they change through the board's services)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import AdministratorsMay, AuditedAdmin, ConfigurationAdmin

from .models import Alert, Crisis, CrisisLevel, EmergencyPlan, PlanStep, SafetyWord


@admin.register(SafetyWord)
class SafetyWordAdmin(ConfigurationAdmin):
    list_display = ("text", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("text",)


@admin.register(CrisisLevel)
class CrisisLevelAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "name_en", "rank", "inform_roles", "inform_within_minutes")


class PlanStepInline(AdministratorsMay, admin.TabularInline):
    model = PlanStep
    extra = 1


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(ConfigurationAdmin):
    list_display = ("name", "crisis_type", "default_level", "active")
    list_filter = ("crisis_type", "active")
    inlines = [PlanStepInline]


@admin.register(Alert)
class AlertAdmin(AuditedAdmin):
    list_display = ("number", "kind", "status", "dimension", "key_label", "ticket_count", "opened_at")
    list_filter = ("kind", "status", "dimension")
    readonly_fields = [f.name for f in Alert._meta.fields]
    exclude = ("tickets",)

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj: Alert) -> str:
        return f"A{obj.pk}"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Crisis)
class CrisisAdmin(AuditedAdmin):
    list_display = ("number", "title", "level", "status", "is_drill", "detected_at")
    list_filter = ("status", "is_drill", "crisis_type")
    readonly_fields = [f.name for f in Crisis._meta.fields]
    exclude = ("tickets", "scope_models", "scope_regions")

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj: Crisis) -> str:
        return obj.code

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
