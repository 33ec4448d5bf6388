"""Reads of the notification and reply templates, and who may change them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import NotFound, PermissionDenied

from .models import NotificationTemplate, ReplyTemplate
from .template_events import EVENTS, channel_label, event_for, language_label, template_languages
from .template_text import prepared

REPLY_MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR})


def can_edit_notification_templates(user: User) -> bool:
    """Administrators only (SPEC §3 "Administration")."""
    return bool(user.is_authenticated and not user.is_customer and (user.is_superuser or user.role == Role.ADMINISTRATOR))


def can_manage_reply_templates(user: User) -> bool:
    """Administrators and supervisors write the reply library; every member of staff uses it."""
    return bool(user.is_authenticated and not user.is_customer and (user.is_superuser or user.role in REPLY_MANAGER_ROLES))


def require_template_editor(user: User) -> None:
    if not can_edit_notification_templates(user):
        raise PermissionDenied(_("Only administrators edit notification templates."), code="templates_not_allowed")


def require_reply_manager(user: User) -> None:
    if not can_manage_reply_templates(user):
        raise PermissionDenied(_("Only administrators and supervisors manage reply templates."), code="templates_not_allowed")


# --- Notification templates -------------------------------------------------------------------


def active_templates(*, event: str, language: str) -> dict[str, NotificationTemplate]:
    """The active saved template of ``event`` in ``language``, by channel (no query for an event
    nobody can edit)."""
    if event not in EVENTS:
        return {}
    rows = NotificationTemplate.objects.filter(event=event, language=language, active=True)
    return {row.channel: row for row in rows}


@dataclass(frozen=True)
class TemplateState:
    event: str
    channel: str
    language: str
    latest: int
    active: NotificationTemplate | None
    history: list[NotificationTemplate]

    @property
    def token(self) -> str:
        """What a client read ("3.3": three versions, the third active; "3.0": the shipped text)."""
        return f"{self.latest}.{self.active.version if self.active else 0}"


def check_key(*, event: str, channel: str, language: str) -> None:
    """A known event, one of its channels and a site language, else not found."""
    known = event_for(event)
    if known is None or channel not in known.channels or language not in template_languages():
        raise NotFound(_("No such notification template."), code="template_not_found")


def template_state(*, user: User, event: str, channel: str, language: str) -> TemplateState:
    require_template_editor(user)
    check_key(event=event, channel=channel, language=language)
    history = list(
        NotificationTemplate.objects.filter(event=event, channel=channel, language=language)
        .select_related("created_by")
        .order_by("-version")
    )
    active = next((row for row in history if row.active), None)
    return TemplateState(event, channel, language, history[0].version if history else 0, active, history)


@dataclass(frozen=True)
class OverviewRow:
    event: str
    label: Any
    channel: str
    language: str
    active_version: int | None
    for_staff: bool = False

    @property
    def audience_label(self) -> Any:
        return _("Staff") if self.for_staff else _("Customer")

    @property
    def channel_label(self) -> Any:
        return channel_label(self.channel)

    @property
    def language_label(self) -> Any:
        return language_label(self.language)


def template_overview(*, user: User) -> list[OverviewRow]:
    """Every editable template (event × channel × language) with its active version, if any."""
    require_template_editor(user)
    active = {
        (e, c, lang): v
        for e, c, lang, v in NotificationTemplate.objects.filter(active=True).values_list(
            "event", "channel", "language", "version"
        )
    }
    return [
        OverviewRow(event.key, event.label, channel, language, active.get((event.key, channel, language)), event.for_staff)
        for event in EVENTS.values()
        for channel in event.channels
        for language in template_languages()
    ]


# --- Values of a ticket ------------------------------------------------------------------------


class TicketValues(Protocol):
    """What a template reads of a ticket (``tickets`` sits above this app: described, not imported)."""

    @property
    def number(self) -> str: ...
    @property
    def contact_name(self) -> str: ...


def due_text(due: Any) -> str:
    if due is None:
        return str(_("to be confirmed"))
    return timezone.localtime(due).strftime("%Y-%m-%d %H:%M")


def ticket_values(ticket: TicketValues, values: Mapping[str, Any]) -> dict[str, str]:
    """A message's values for its template: the sending code's (number, name, params) plus the
    ticket's resolution due time; rendered in the active language."""
    return prepared({"due": due_text(getattr(ticket, "due_at", None)), **values})


# --- Reply templates ---------------------------------------------------------------------------


def reply_templates_for_user(*, user: User, language: str = "", include_archived: bool = False) -> QuerySet[ReplyTemplate]:
    """The reply library for staff (archived ones for those who manage it)."""
    if not user.is_authenticated or user.is_customer:
        return ReplyTemplate.objects.none()
    qs = ReplyTemplate.objects.all()
    if not (include_archived and can_manage_reply_templates(user)):
        qs = qs.filter(active=True)
    if language:
        qs = qs.filter(language=language)
    return qs.order_by("language", "category", "title", "id")


def reply_template_get(*, user: User, template_id: int) -> ReplyTemplate:
    found = reply_templates_for_user(user=user, include_archived=True).filter(pk=template_id).first()
    if found is None:
        raise NotFound(_("No such reply template."), code="reply_template_not_found")
    return found
