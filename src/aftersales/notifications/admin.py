from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "template", "recipient", "status", "attempts", "sent_at")
    list_filter = ("channel", "status", "template")
    search_fields = ("recipient", "subject")
    raw_id_fields = ("ticket",)
