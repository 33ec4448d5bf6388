import secrets

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import AuditedAdmin
from aftersales.core.errors import ValidationFailed

from .models import Attempt, Delivery, Event, Subscription
from .net import validate_target_url


class SubscriptionAdminForm(forms.ModelForm):
    target_url = forms.URLField(label=_("target URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = Subscription
        fields = ("name", "target_url", "event_types", "region", "active")

    def clean_target_url(self) -> str:
        try:
            return validate_target_url(self.cleaned_data["target_url"])
        except ValidationFailed as exc:
            raise forms.ValidationError([str(m) for m in exc.errors["target_url"]]) from None


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("event", "status", "attempts", "next_attempt_at", "delivered_at")
    readonly_fields = fields
    ordering = ("-created_at",)
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Subscription)
class SubscriptionAdmin(AuditedAdmin):
    list_display = ("name", "target_url", "active", "region", "owner", "created_at")
    list_filter = ("active", "region")
    search_fields = ("name", "target_url")
    readonly_fields = ("secret", "owner", "created_at")
    inlines = [DeliveryInline]
    form = SubscriptionAdminForm

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not obj.secret:
            obj.secret = f"whsec_{secrets.token_urlsafe(32)}"
        if obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "status_code", "duration_ms", "succeeded", "error", "response_excerpt")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Delivery)
class DeliveryAdmin(AuditedAdmin):
    list_display = ("event", "subscription", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("status", "subscription")
    readonly_fields = ("event", "subscription", "status", "attempts", "next_attempt_at", "delivered_at", "created_at")
    inlines = [AttemptInline]


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ("event_type", "event_id", "occurred_at", "region")
    list_filter = ("event_type",)
    readonly_fields = ("event_id", "event_type", "occurred_at", "payload", "region")
