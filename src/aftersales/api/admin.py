"""API keys in the admin: create (the secret is shown once, in the confirmation message),
list by prefix, revoke (an action). The secret itself is never stored nor shown again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.accounts.models import Role, User
from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin
from aftersales.core.errors import DomainError
from aftersales.core.models import IdempotencyRecord

from .models import ALL_SCOPES, ApiKey, Scope
from .services import api_key_create, api_key_revoke


class OwnerField(forms.ModelChoiceField):
    """A key's owner: an active member of staff, shown with their user name ("袁欣华 (agent-east-1)").
    A customer's key is made by ``manage.py api_key create --owner <their portal user>``."""

    def label_from_instance(self, obj: Any) -> str:
        name = str(obj)
        return name if name == obj.username else f"{name} ({obj.username})"


def active_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("username")


class ApiKeyCreateForm(forms.ModelForm):
    owner = OwnerField(
        label=pgettext_lazy("api key", "Owner"),
        queryset=User.objects.none(),
        help_text=_("The key acts as this member of staff, with their role and data scope."),
        error_messages={"invalid_choice": _("A key's owner must be an active member of staff.")},
    )
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "owner", "scopes", "region", "rate_limit_per_minute"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_staff()  # type: ignore[attr-defined]


@admin.register(ApiKey)
class ApiKeyAdmin(ConfigurationAdmin):
    """Superusers create and revoke keys here; administrators look them up (the staff handover's
    list of a leaver's keys), nothing more."""

    administrator_may = frozenset({"view"})

    list_display = ["prefix", "name", "owner", "kind", "region", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["kind", "revoked_at", "region"]
    search_fields = ["prefix", "name", "owner__username"]
    actions = ["revoke"]
    readonly_fields = [
        "prefix",
        "owner",
        "kind",
        "scopes",
        "region",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    fields = [
        "name",
        "prefix",
        "owner",
        "kind",
        "scopes",
        "region",
        "rate_limit_per_minute",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]

    def get_form(self, request: HttpRequest, obj: ApiKey | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        if obj is None:
            return ["name", "owner", "scopes", "region", "rate_limit_per_minute"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = api_key_create(
                name=form.cleaned_data["name"],
                owner=form.cleaned_data["owner"],
                scopes=form.cleaned_data["scopes"] or list(ALL_SCOPES),
                region=form.cleaned_data.get("region"),
                rate_limit_per_minute=form.cleaned_data.get("rate_limit_per_minute"),
                actor=request.user,  # type: ignore[arg-type]
            )
        except DomainError as exc:  # what the form could not see (the owner deactivated meanwhile)
            messages.error(request, str(exc.message))
            return  # obj.pk stays None: neither logged nor "added successfully" (response_add)
        obj.pk = created.key.pk
        messages.warning(request, _("The key's secret, shown only now — copy it: %(secret)s") % {"secret": created.secret})

    def log_addition(self, request: HttpRequest, obj: ApiKey, message: Any) -> Any:
        return None if obj.pk is None else super().log_addition(request, obj, message)

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None) -> HttpResponse:
        if obj.pk is None:  # the service refused (its message is shown): the form again
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            api_key_revoke(key=key, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Revoked."))

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False  # revoke instead: the audit trail keeps the key


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(AuditedAdmin):
    list_display = ["owner", "key", "method", "path", "response_status", "created_at"]
    search_fields = ["key", "owner"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
