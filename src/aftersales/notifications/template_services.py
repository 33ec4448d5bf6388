"""Changes to the notification templates (versioned, administrators) and the reply library
(administrators and supervisors), the preview, the test send to oneself, and the reply
rendered with a ticket's values. Every change is one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.core.links import absolute_url

from .audit_actions import TemplateAudit
from .models import Notification, NotificationChannel, NotificationTemplate, ReplyTemplate
from .services import notification_queue, staff_wechat_recipient
from .short_links import short_link_values
from .template_events import REPLY_PLACEHOLDERS, TemplateEvent, event_for, has_subject, template_languages
from .template_selectors import (
    TicketValues,
    check_key,
    due_text,
    require_reply_manager,
    require_template_editor,
    template_state,
)
from .template_text import SmsLength, fill, placeholder_form, prepared, sms_length, template_errors
from .text import compose_customer, compose_staff, render

logger = logging.getLogger(__name__)

SAMPLE_LINK_PATH = "/portal/t/eyJ0IjoxMjM0NX0:1tZk2x:Q3VzdG9tZXJUaWNrZXRMaW5r/"


def sample_short_link_values(*, language: str) -> dict[str, str]:
    """A test message's short link values: a real short link (for a day) to the sample link."""
    return short_link_values(absolute_url(SAMPLE_LINK_PATH), language=language, expires_at=clock.now() + dt.timedelta(days=1))


# --- Validation and preview ---------------------------------------------------------------------


def _validated(event: TemplateEvent, channel: str, subject: str, body: str) -> tuple[str, str]:
    errors: dict[str, list[Any]] = {}
    subject = subject.strip() if has_subject(channel) else ""
    body = body.strip()
    if has_subject(channel):
        if found := template_errors(subject, event.all_placeholders):
            errors["subject"] = found
        elif len(subject) > 160:
            errors["subject"] = [_("Keep the subject under 160 characters.")]
    if found := template_errors(body, event.all_placeholders):
        errors["body"] = found
    elif len(body) > 4000:
        errors["body"] = [_("Keep the text under 4,000 characters.")]
    if errors:
        raise ValidationFailed(errors, code="template_invalid")
    return subject, body


@dataclass(frozen=True)
class Preview:
    subject: str
    text: str
    sms: SmsLength | None
    errors: dict[str, list[Any]]


def shipped_texts(event: TemplateEvent, language: str) -> tuple[str, str]:
    """The shipped subject and body in ``language``, written with its placeholders."""
    with translation.override(language):
        return (
            placeholder_form(event.subject, event.all_placeholders, language=language),
            placeholder_form(event.body, event.all_placeholders, language=language),
        )


SAMPLE_STAFF_PATH = "/tickets/SH20261122-000001/"


def _compose(
    event: TemplateEvent, channel: str, language: str, subject: str, body: str, values: dict[str, str]
) -> tuple[str, str]:
    """The whole message as sent: a customer's greeted (link and e-mail sign-off added), a staff
    member's with the link to the page it is about."""
    with translation.override(language):
        filled = fill(body, values, event.all_placeholders)
        if event.for_staff:
            text = compose_staff(
                language=language, body=filled, link=absolute_url(SAMPLE_STAFF_PATH), link_text=render(event.link_text)
            )
        else:
            link = absolute_url(SAMPLE_LINK_PATH) if event.link_text else ""
            text = compose_customer(
                language=language,
                name=values.get("name", ""),
                body=filled,
                link=link,
                link_text=render(event.link_text),
                email=channel == NotificationChannel.EMAIL,
            )
        title = fill(subject, values, event.all_placeholders) if has_subject(channel) and subject else ""
    return title, text


def notification_template_preview(*, event: str, channel: str, language: str, subject: str, body: str) -> Preview:
    """The message as a customer would receive it, with a sample ticket's values (greeting,
    link and sign-off added as when sent), or what is wrong with the texts; an SMS with its
    length and number of parts."""
    check_key(event=event, channel=channel, language=language)
    known = event_for(event)
    assert known is not None
    try:
        subject, body = _validated(known, channel, subject, body)
    except ValidationFailed as exc:
        return Preview("", "", None, exc.errors)
    with translation.override(language):
        values = prepared(known.samples(language))
    title, text = _compose(known, channel, language, subject, body, values)
    return Preview(title, text, sms_length(text) if channel == NotificationChannel.SMS else None, {})


# --- Notification templates --------------------------------------------------------------------


def _stale(state_token: str | None, current: str) -> None:
    if state_token is not None and state_token != current:
        raise Conflict(
            _("The template was changed since you opened it; reload it and save again."), code="stale_version", field="version"
        )


@transaction.atomic
def notification_template_save(
    *, actor: User, event: str, channel: str, language: str, subject: str, body: str, expected_state: str | None = None
) -> NotificationTemplate:
    """Save a new version and make it the one sent (the previous one stays in the history).

    Refused: an unknown placeholder, a brace that is not part of one, an empty text (each
    naming its field: ``subject`` or ``body``); a stale ``expected_state`` (``TemplateState.token``)."""
    require_template_editor(actor)
    check_key(event=event, channel=channel, language=language)
    known = event_for(event)
    assert known is not None
    subject, body = _validated(known, channel, subject, body)
    list(NotificationTemplate.objects.select_for_update().filter(event=event, channel=channel, language=language))
    state = template_state(user=actor, event=event, channel=channel, language=language)
    _stale(expected_state, state.token)
    if state.active is not None:
        NotificationTemplate.objects.filter(pk=state.active.pk).update(active=False)
    try:
        with transaction.atomic():
            saved = NotificationTemplate.objects.create(
                event=event,
                channel=channel,
                language=language,
                version=state.latest + 1,
                subject=subject,
                body=body,
                active=True,
                created_by=actor,
                created_at=clock.now(),
            )
    except IntegrityError as exc:  # a first version saved at the same moment by someone else
        raise Conflict(
            _("The template was changed since you opened it; reload it and save again."), code="stale_version"
        ) from exc
    audit_record(
        action=TemplateAudit.NOTIFICATION_TEMPLATE_SAVED,
        obj=saved,
        actor=actor,
        changes={"version": saved.version, "subject": subject, "body": body},
    )
    return saved


@transaction.atomic
def notification_template_reset(
    *, actor: User, event: str, channel: str, language: str, expected_state: str | None = None
) -> None:
    """Send the shipped text again (no saved version active; the history stays)."""
    require_template_editor(actor)
    check_key(event=event, channel=channel, language=language)
    list(NotificationTemplate.objects.select_for_update().filter(event=event, channel=channel, language=language))
    state = template_state(user=actor, event=event, channel=channel, language=language)
    _stale(expected_state, state.token)
    if state.active is None:
        return
    NotificationTemplate.objects.filter(pk=state.active.pk).update(active=False)
    audit_record(
        action=TemplateAudit.NOTIFICATION_TEMPLATE_RESET, obj=state.active, actor=actor, changes={"version": state.active.version}
    )


def effective_texts(*, actor: User, event: str, channel: str, language: str) -> tuple[str, str, int | None]:
    """The subject and body sent now (the active version's, else the shipped ones) and the
    active version (None: shipped)."""
    state = template_state(user=actor, event=event, channel=channel, language=language)
    if state.active is not None:
        return state.active.subject, state.active.body, state.active.version
    known = event_for(event)
    assert known is not None
    subject, body = shipped_texts(known, language)
    return (subject if has_subject(channel) else ""), body, None


@transaction.atomic
def notification_template_test_send(*, actor: User, event: str, channel: str, language: str) -> Notification:
    """Send the text now in use, with the sample values, to the administrator themselves through
    the normal outbox: e-mail to their address, SMS to their phone, in-app to their inbox."""
    subject, body, _version = effective_texts(actor=actor, event=event, channel=channel, language=language)
    known = event_for(event)
    assert known is not None
    if channel == NotificationChannel.EMAIL and not actor.email:
        raise DomainError(_("Your account has no e-mail address to send the test to."), code="test_no_address", field="channel")
    if channel == NotificationChannel.SMS and not actor.phone:
        raise DomainError(_("Your account has no phone number to send the test to."), code="test_no_address", field="channel")
    wechat = staff_wechat_recipient(user=actor)
    if channel == NotificationChannel.WECHAT and not wechat:
        raise DomainError(
            _("Your account has no WeChat account bound to send the test to."), code="test_no_address", field="channel"
        )
    with translation.override(language):
        values = prepared(known.samples(language))
    title, text = _compose(known, channel, language, subject, body, values)
    with translation.override(language):
        title = str(_("Test: %(subject)s") % {"subject": title or render(known.label)})
    addresses: dict[str, str] = {
        NotificationChannel.EMAIL: actor.email,
        NotificationChannel.SMS: actor.phone,
        NotificationChannel.WECHAT: wechat,
    }
    recipient = addresses.get(channel, str(actor.pk))
    # A provider's pre-approved SMS or WeChat template is filled with the sample values.
    sample_link = absolute_url(SAMPLE_LINK_PATH) if known.link_text and not known.for_staff else ""
    provider_values = {**values, **({"link": sample_link} if sample_link else {})}
    if sample_link and channel in (NotificationChannel.SMS, NotificationChannel.WECHAT):
        provider_values.update(sample_short_link_values(language=language))
    queued = notification_queue(
        channel=channel,
        template=event,
        recipient=recipient,
        subject=title if channel != NotificationChannel.SMS else "",
        body=text,
        language=language,
        user=actor if channel == NotificationChannel.IN_APP else None,
        params=provider_values if channel in (NotificationChannel.SMS, NotificationChannel.WECHAT) else None,
    )
    audit_record(
        action=TemplateAudit.NOTIFICATION_TEMPLATE_TEST_SENT,
        obj=queued,
        actor=actor,
        changes={"event": event, "channel": channel, "language": language},
    )
    return queued


# --- Reply templates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyTemplateInput:
    title: str
    language: str
    body: str
    category: str = ""


def _reply_validated(data: ReplyTemplateInput) -> ReplyTemplateInput:
    errors: dict[str, list[Any]] = {}
    title = data.title.strip()
    if not title:
        errors["title"] = [_("Give the template a title.")]
    elif len(title) > 120:
        errors["title"] = [_("Keep the title under 120 characters.")]
    if data.language not in template_languages():
        errors["language"] = [_("Choose the template's language.")]
    if found := template_errors(data.body, REPLY_PLACEHOLDERS):
        errors["body"] = found
    elif len(data.body) > 4000:
        errors["body"] = [_("Keep the text under 4,000 characters.")]
    if len(data.category.strip()) > 60:
        errors["category"] = [_("Keep the category under 60 characters.")]
    if errors:
        raise ValidationFailed(errors, code="template_invalid")
    return ReplyTemplateInput(title=title, language=data.language, body=data.body.strip(), category=data.category.strip())


@transaction.atomic
def reply_template_create(*, actor: User, data: ReplyTemplateInput) -> ReplyTemplate:
    require_reply_manager(actor)
    clean = _reply_validated(data)
    now = clock.now()
    created = ReplyTemplate.objects.create(
        title=clean.title,
        language=clean.language,
        category=clean.category,
        body=clean.body,
        created_by=actor,
        updated_by=actor,
        created_at=now,
        updated_at=now,
    )
    audit_record(action=TemplateAudit.REPLY_TEMPLATE_CREATED, obj=created, actor=actor, changes={"title": clean.title})
    return created


def _lock_reply(template: ReplyTemplate, expected_version: int | None) -> ReplyTemplate:
    locked = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            _("The template was changed since you opened it; reload it and save again."), code="stale_version", field="version"
        )
    return locked


@transaction.atomic
def reply_template_update(
    *, actor: User, template: ReplyTemplate, data: ReplyTemplateInput, expected_version: int | None = None, active: bool = True
) -> ReplyTemplate:
    """Change a reply template (``active=False`` archives it: agents no longer see it)."""
    require_reply_manager(actor)
    clean = _reply_validated(data)
    locked = _lock_reply(template, expected_version)
    before = {"title": locked.title, "body": locked.body, "active": locked.active}
    locked.title, locked.language, locked.category, locked.body = clean.title, clean.language, clean.category, clean.body
    locked.active = active
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = clock.now()
    locked.save(update_fields=["title", "language", "category", "body", "active", "version", "updated_by", "updated_at"])
    action = TemplateAudit.REPLY_TEMPLATE_ARCHIVED if before["active"] and not active else TemplateAudit.REPLY_TEMPLATE_UPDATED
    audit_record(
        action=action,
        obj=locked,
        actor=actor,
        changes={k: [v, getattr(locked, k)] for k, v in before.items() if v != getattr(locked, k)},
    )
    return locked


def reply_values(*, ticket: TicketValues, agent: User) -> dict[str, str]:
    """A ticket's values for a reply template (the caller fetched the ticket in the agent's scope)."""
    customer = getattr(ticket, "customer", None)
    model = getattr(ticket, "product_model", None)
    return prepared(
        {
            "name": ticket.contact_name or getattr(customer, "name", ""),
            "number": ticket.number,
            "due": due_text(getattr(ticket, "due_at", None)),
            "product_model": getattr(model, "name", "") if model is not None else "",
            "agent": str(agent),
        }
    )


def reply_render(*, template: ReplyTemplate, values: dict[str, str]) -> str:
    """The reply with the ticket's values filled in (an unknown placeholder cannot be saved)."""
    return fill(template.body, {p.key: values.get(p.key, "") for p in REPLY_PLACEHOLDERS}, REPLY_PLACEHOLDERS)
