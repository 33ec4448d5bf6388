"""The admin site in the product's name and language: its header and title, and the background
jobs' page (``django_tasks_db``) with column titles the catalogue translates.

Who may do what there (docs/decisions/0013-administration.md): every model's admin is an
``AuditedAdmin`` (each addition, change and deletion is a row of the product's audit log); the
configuration models' admins are ``ConfigurationAdmin`` (their inlines ``AdministratorsMay``), which
the administrator role uses as well as superusers. Every other table stays the superusers'."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Group
from django.db import models, router, transaction
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .hooks import hook

# ``accounts.models.Role.ADMINISTRATOR`` (core sits below accounts; a test checks they agree).
ADMINISTRATOR_ROLE = "administrator"

# Each change made in the admin, recorded in the audit log (core sits below audit).
# kwargs: what ("added", "changed", "deleted"), obj, actor (the signed-in user), changes (a dict).
ADMIN_CHANGED = hook("admin_changed", "aftersales.audit.admin.record_admin_change")

# Form fields whose values never go into the log (only that they changed).
_SECRET_WORDS = ("password", "secret", "token")

admin.site.site_header = _("Aftersales administration")
admin.site.site_title = _("Aftersales administration")
admin.site.index_title = _("Site administration")

_BOOLEAN_TEXT = {True: _("Yes"), False: _("No"), None: _("Unknown")}


def _boolean_icon(field_val: bool | None) -> SafeString:
    """Django's yes/no icon of the admin's lists and read-only fields, with its text in the
    reader's language: Django writes ``alt="True"`` untranslated (``admin_list._boolean_icon``,
    which the admin's lists and ``admin.utils`` look up when they render)."""
    icon = {True: "yes", False: "no", None: "unknown"}[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), _BOOLEAN_TEXT[field_val])


admin_list._boolean_icon = _boolean_icon  # type: ignore[attr-defined]


def is_administrator(user: Any) -> bool:
    """An active member of staff in the administrator role (superusers pass Django's own checks)."""
    return bool(
        getattr(user, "is_active", False) and getattr(user, "is_staff", False) and getattr(user, "role", "") == ADMINISTRATOR_ROLE
    )


# --- The audit log of the admin's changes ---------------------------------------------------

_CHANGES = "_admin_audit_changes"  # set on the object by ``save_form``, read by ``log_*``


def _plain(value: Any) -> Any:
    """A value as the log stores it (JSON): an object by its id, objects by theirs."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.time):  # a datetime is a date
        return value.isoformat()
    return str(value)  # Decimal, timedelta, lazy text, a file's name


def _secret(name: str, field: Any = None) -> bool:
    return any(word in name for word in _SECRET_WORDS) or isinstance(getattr(field, "widget", None), forms.PasswordInput)


def form_changes(form: forms.BaseForm, *, added: bool) -> dict[str, Any]:
    """What a valid admin form changed: ``{field: [before, after]}``, or ``{field: value}`` for
    an addition; a secret (a password) by its name only."""
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        field = form.fields[name]
        if _secret(name, field):
            changes[name] = "changed"
            continue
        after = _plain(form.cleaned_data.get(name))
        changes[name] = after if added else [_plain(form.get_initial_for_field(field, name)), after]
    return changes


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """A deleted row's values, its secrets left out: enough to put a configuration back."""
    return {field.attname: _plain(field.value_from_object(obj)) for field in obj._meta.concrete_fields if not _secret(field.name)}


def _message_entries(message: Any) -> list[dict[str, Any]]:
    """Django's change message (a list, or its JSON text) as a list of entries."""
    if isinstance(message, str) and message.startswith("["):
        try:
            message = json.loads(message)
        except ValueError:
            return []
    return [entry for entry in message if isinstance(entry, dict)] if isinstance(message, list) else []


def _record_saved(request: HttpRequest, what: str, obj: models.Model, message: Any) -> None:
    """``ADMIN_CHANGED`` for an addition or a change: the form's fields, and the inlines' rows
    (added, changed, deleted) as Django's message names them."""
    form_part = obj.__dict__.pop(_CHANGES, None)
    if obj.pk is None:
        return  # nothing was saved (a service refused it and said so)
    changes: dict[str, Any] = dict(form_part or {})
    for entry in _message_entries(message):
        for key, detail in entry.items():
            if isinstance(detail, dict) and "name" in detail:
                changes.setdefault("related", []).append({key: detail})
            elif key == "changed" and isinstance(detail, dict) and form_part is None:
                changes["fields"] = detail.get("fields", [])  # a form of its own (the password)
    if what == "changed" and not changes:
        return  # saved as it was
    ADMIN_CHANGED.send(what=what, obj=obj, actor=request.user, changes=changes)


class AuditedAdmin(admin.ModelAdmin):
    """A model's admin whose every addition, change and deletion is a row of the audit log
    (``ADMIN_CHANGED``, in the admin's transaction), beside Django's own history."""

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        obj = super().save_form(request, form, change)
        setattr(obj, _CHANGES, form_changes(form, added=not change))
        return obj

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        _record_saved(request, "added", obj, message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        _record_saved(request, "changed", obj, message)
        return entry

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        # In the delete page's transaction, before the row goes.
        ADMIN_CHANGED.send(what="deleted", obj=obj, actor=request.user, changes=_snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The list's "delete selected" runs outside a transaction: the rows and their log in one.
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                ADMIN_CHANGED.send(what="deleted", obj=obj, actor=request.user, changes=_snapshot(obj))
            super().delete_queryset(request, queryset)


def audited(model: type[models.Model]) -> None:
    """A package's admin of ``model`` registered again as an ``AuditedAdmin``."""
    if not admin.site.is_registered(model):
        return
    current = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(f"Audited{current.__name__}", (AuditedAdmin, current), {}))


# --- The administrator role's part of the admin ------------------------------------------------


class ReadOnlyAdmin(AuditedAdmin):
    """The admin of records that change only through their services (settlements, refunds,
    receivables…): administrators look them up; nobody adds, edits or deletes them here."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AdministratorsMay(BaseModelAdmin):
    """Mixin of a configuration model's admin or inline: the administrator role may use it as a
    superuser does, for what ``administrator_may`` lists and the admin itself allows anybody (a
    class that refuses an addition refuses it to everyone)."""

    administrator_may: frozenset[str] = frozenset({"view", "add", "change", "delete"})

    def administrator_may_do(self, request: HttpRequest, what: str) -> bool:
        return what in self.administrator_may and is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or self.administrator_may_do(request, "view")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) or self.administrator_may_do(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) or self.administrator_may_do(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) or self.administrator_may_do(request, "delete")


class ConfigurationAdmin(AdministratorsMay, AuditedAdmin):
    """The admin of a configuration model (categories, SLA policies, users…): shown to the
    administrator role on the admin's index, audited like every other."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or self.administrator_may_do(request, "view")


class TaskResultAdmin(AuditedAdmin, DBTaskResultAdmin):
    """The package's admin, with translated titles for the columns it names by plain strings."""

    list_display = ("id", "name", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_name")

    @admin.display(description=_("task"))
    def name(self, obj: DBTaskResult) -> str:
        return str(obj.task_name)

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult) -> dt.datetime | str:
        return super().display_run_after(obj)


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)

# The packages' admins registered before this module (auth's groups, axes' sign-in records; an
# unlock is the deletion of an attempt): audited like the product's own.
for _model in (Group, AccessAttempt, AccessLog, AccessFailureLog):
    audited(_model)
