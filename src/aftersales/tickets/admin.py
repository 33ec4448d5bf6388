from django.contrib import admin

from .models import Attachment, Ticket, TicketCategory, TicketEvent


@admin.register(TicketCategory)
class TicketCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "position", "active")
    list_editable = ("position", "active")


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ("created_at", "kind", "actor_label", "public", "body")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly: changes to a ticket go through its services (pages and API), never here."""

    list_display = ("number", "title", "status", "priority", "channel", "category", "assignee", "created_at", "due_at")
    list_filter = ("status", "priority", "channel", "request_type", "category")
    search_fields = ("number", "title")
    raw_id_fields = (
        "customer",
        "product_unit",
        "product_model",
        "assignee",
        "created_by",
        "merged_into",
        "team",
        "region",
        "category",
    )
    readonly_fields = [f.name for f in Ticket._meta.fields]
    inlines = [TicketEventInline]
    show_full_result_count = False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "ticket", "content_type", "size", "created_at")
    raw_id_fields = ("ticket", "event", "uploaded_by")
    readonly_fields = ("sha256", "content_type", "size")
