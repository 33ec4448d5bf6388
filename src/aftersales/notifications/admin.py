from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin

from .models import Notification, NotificationTemplate, ReplyTemplate, WeChatContact
from .redaction import redacted


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    list_display = (
        "created_at",
        "channel",
        "template",
        "recipient",
        "status",
        "delivery",
        "delivery_code",
        "attempts",
        "sent_at",
    )
    list_filter = ("channel", "status", "delivery", "template")
    search_fields = ("recipient", "subject", "provider_ref")
    raw_id_fields = ("ticket", "fallback_for")
    # The body is shown without a one-time code (a pending password reset SMS holds one until
    # it is delivered; ``redaction``), and read only: an outbox row is a record, not a draft.
    exclude = ("body", "params")
    readonly_fields = ("shown_body", "shown_params")

    @admin.display(description=_("body"))
    def shown_body(self, obj: Notification) -> str:
        return redacted(obj.template, obj.body)

    @admin.display(description=_("values"))
    def shown_params(self, obj: Notification) -> str:
        return ", ".join(f"{key}: {redacted(obj.template, str(value))}" for key, value in (obj.params or {}).items())


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(ConfigurationAdmin):
    """Read only: versions are saved through the template pages (validation, history, audit)."""

    list_display = ("event", "channel", "language", "version", "active", "created_by", "created_at")
    list_filter = ("event", "channel", "language", "active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(ConfigurationAdmin):
    """Read only: reply templates are written on /notifications/templates/replies/."""

    list_display = ("title", "language", "category", "active", "version", "updated_at")
    list_filter = ("language", "active")
    search_fields = ("title", "body")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WeChatContact)
class WeChatContactAdmin(AuditedAdmin):
    """Bound WeChat accounts (customers' through the integration; an administrator binds their own
    for WeChat test sends)."""

    list_display = ("openid", "customer", "user", "bound_at")
    search_fields = ("openid",)
    raw_id_fields = ("customer", "user")
