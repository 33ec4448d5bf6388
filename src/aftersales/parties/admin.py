"""The register of responsible parties in /admin/: administrators add, rename, deactivate
(every change audited by ``AuditedAdmin``). A party named by tickets cannot be deleted
(``PROTECT``): deactivate it instead."""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import AuditedAdmin

from .models import ResponsibleParty


@admin.register(ResponsibleParty)
class ResponsiblePartyAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "active", "team", "outlet", "contact"]
    list_filter = ["kind", "active"]
    list_select_related = ["team", "outlet"]
    search_fields = ["code", "name", "name_key", "contact"]
    ordering = ["kind", "name"]
    fields = ["kind", "name", "name_en", "code", "active", "contact", "team", "outlet"]
