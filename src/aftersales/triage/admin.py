from django.contrib import admin

from aftersales.core.admin import AuditedAdmin

from .models import TriageFeedback, TriageResult


@admin.register(TriageResult)
class TriageResultAdmin(AuditedAdmin):
    list_display = ("ticket", "status", "category", "urgency", "safety", "escalated", "model_version", "created_at")
    list_filter = ("status", "escalated", "safety")
    raw_id_fields = ("ticket",)
    readonly_fields = [f.name for f in TriageResult._meta.fields]


@admin.register(TriageFeedback)
class TriageFeedbackAdmin(AuditedAdmin):
    list_display = ("ticket", "field", "suggested", "chosen", "accepted", "user", "at")
    list_filter = ("field", "accepted")
    raw_id_fields = ("ticket", "user")
    readonly_fields = [f.name for f in TriageFeedback._meta.fields]
