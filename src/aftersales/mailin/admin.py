from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import AuditedAdmin

from .models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(AuditedAdmin):
    list_display = ("received_at", "mail_from", "sender", "subject", "status", "outcome", "ticket", "source")
    list_filter = ("status", "outcome", "source")
    search_fields = ("message_id", "mail_from", "subject")
    exclude = ("raw", "reason", "reason_text")
    readonly_fields = (
        "message_id", "sha256", "mail_from", "sender", "mail_to", "subject", "source", "received_at", "status", "shown_reason", "outcome",
        "ticket", "body_text", "body_html", "attachment_names", "processed_at", "handled_by",
    )  # fmt: skip

    @admin.display(description=_("reason"))
    def shown_reason(self, obj: InboundMessage) -> str:
        return obj.shown_reason

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
