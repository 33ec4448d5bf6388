from django.contrib import admin

from .models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "mail_from", "subject", "status", "outcome", "ticket", "source")
    list_filter = ("status", "outcome", "source")
    search_fields = ("message_id", "mail_from", "subject")
    exclude = ("raw",)
    readonly_fields = (
        "message_id", "sha256", "mail_from", "mail_to", "subject", "source", "received_at", "status", "reason", "outcome",
        "ticket", "body_text", "body_html", "attachment_names", "processed_at", "handled_by",
    )  # fmt: skip

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
