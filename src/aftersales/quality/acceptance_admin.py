"""/admin/ for the acceptance of results: the one rule (administrators add it once, with the
shipped defaults filled in, and edit it; the defaults apply until it is saved) and the records,
read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.core import clock
from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin
from aftersales.core.i18n import join_list

from .acceptance_models import AcceptanceRule, ResultAcceptance
from .acceptance_rules import reason_labels


@admin.register(AcceptanceRule)
class AcceptanceRuleAdmin(ConfigurationAdmin):
    list_display = ("__str__", "urgent", "serious", "safety", "money_measures", "reopened", "updated_at", "updated_by")
    fields = ("mode", "urgent", "serious", "safety", "money_measures", "reopened", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not AcceptanceRule.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AcceptanceRule, form: Any, change: bool) -> None:
        obj.pk = AcceptanceRule.SINGLETON_PK
        obj.updated_at = clock.now()
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(ResultAcceptance)
class ResultAcceptanceAdmin(AuditedAdmin):
    list_display = ("ticket", "requested_at", "requested_via", "decision", "decided_by", "decided_at")
    list_filter = ("decision", "requested_via")
    search_fields = ("ticket__number",)
    fields = ("ticket", "requested_at", "requested_via", "why", "decision", "decided_by", "decided_at", "checklist", "comment")
    readonly_fields = fields
    list_select_related = ("ticket", "decided_by")

    @admin.display(description=_("why it needs acceptance"))
    def why(self, obj: ResultAcceptance) -> str:
        return join_list(reason_labels(list(obj.reasons or [])))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
