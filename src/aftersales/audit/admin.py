from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.admin import AuditedAdmin
from aftersales.core.i18n import actor_text

from .actions import AuditAction, all_audit_actions
from .models import AuditEvent
from .services import audit_record


class AdminAudit(AuditAction):
    """Changes made in /admin/ (core.admin.AuditedAdmin, docs/decisions/0013-administration.md):
    the form's fields ``[before, after]`` (an addition: the values), the inlines' rows under
    ``related``, a deleted row's values."""

    ADDED = "admin.added"
    CHANGED = "admin.changed"
    DELETED = "admin.deleted"


def record_admin_change(*, what: str, obj: Model, actor: User, changes: dict[str, Any]) -> None:
    """``core.admin.ADMIN_CHANGED``: one row, in the admin's transaction."""
    audit_record(action=AdminAudit(f"admin.{what}"), obj=obj, actor=actor, changes=changes)


class ActionFilter(admin.SimpleListFilter):
    """The declared actions (``<app>/audit_actions.py``), without reading the log for them;
    ``?action=<value>`` as before."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [(value, value) for value in sorted(all_audit_actions())]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


_USER_TYPE = User._meta.label_lower  # the audit rows of an account: object_type "accounts.user"


def _person_or_action(term: str) -> Q | None:
    """The rows of the staff member or customer whose user name or display name is ``term``
    (exactly, case aside: the users table is small), and of the declared actions that begin
    with it; ``None`` when the term is neither."""
    if not term or len(term) > 150:
        return None
    condition = Q()
    people = list(User.objects.filter(Q(username__iexact=term) | Q(display_name__iexact=term)).values_list("pk", flat=True)[:20])
    if people:
        condition |= Q(actor_id__in=people)
        condition |= Q(object_type=_USER_TYPE, object_id__in=[str(pk) for pk in people])
    prefix = term.lower()
    if any(action.startswith(prefix) for action in all_audit_actions()):
        condition |= Q(action__startswith=prefix)
    return condition or None


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin):
    """Read only, for everyone: the log is never changed (superusers only, like every internal
    table)."""

    list_display = ("created_at", "action", "object_type", "object_id", "object_repr", "who", "ip_address")
    list_filter = (ActionFilter, "object_type")
    search_fields = ("object_id", "object_repr", "actor_label", "request_id")
    date_hierarchy = "created_at"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent], search_term: str
    ) -> tuple[QuerySet[AuditEvent], bool]:
        """A user name or display name ("agent-east-1", "袁欣华") finds what that person did and
        what was done to their account; an action code or its beginning ("api.key",
        "account.offboarded") finds those actions; anything else searches the object, the actor's
        label and the request id as before. The first two stay on indexes (the log is big): the
        actor's key, ``action`` by prefix (``LIKE 'api.key%'``, the column's pattern index on
        PostgreSQL), the object's index for the account."""
        found = _person_or_action(search_term.strip())
        if found is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(found), False

    @admin.display(description=_("actor"), ordering="actor_label")
    def who(self, obj: AuditEvent) -> str:
        """The actor in the reader's language: a code ("system", "channel:hotline") in words."""
        return actor_text(obj.actor_label)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
