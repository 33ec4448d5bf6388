"""The register of responsible parties in /admin/: administrators add, rename, deactivate
(every change audited by ``AuditedAdmin``). A party named by tickets cannot be deleted
(``PROTECT``): deactivate it instead. The register's settings (a single row): whether a
responsibility may name only registered parties."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core import clock
from aftersales.core.admin import ConfigurationAdmin

from .models import PartyRegisterSettings, ResponsibleParty


@admin.register(ResponsibleParty)
class ResponsiblePartyAdmin(ConfigurationAdmin):
    list_display = ["code", "name", "kind", "active", "team", "outlet", "contact"]
    list_filter = ["kind", "active"]
    list_select_related = ["team", "outlet"]
    search_fields = ["code", "name", "name_key", "contact"]
    ordering = ["kind", "name"]
    fields = ["kind", "name", "name_en", "code", "active", "contact", "team", "outlet"]


@admin.register(PartyRegisterSettings)
class PartyRegisterSettingsAdmin(ConfigurationAdmin):
    """Added once (the defaults apply until then) and edited; never deleted."""

    list_display = ("__str__", "updated_at", "updated_by")
    fields = ("only_registered", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not PartyRegisterSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: PartyRegisterSettings, form: Any, change: bool) -> None:
        obj.pk = PartyRegisterSettings.SINGLETON_PK
        obj.updated_at = clock.now()
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
