"""What the ticket pages share: the scoped ticket lookup, personal data as the user may see it,
and the detail page with its process panel (used by ``views`` and ``action_views``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape as _e
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines
from django.template.backends.jinja2 import Template as Jinja2Template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from markupsafe import Markup

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record_view
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.core.masking import mask_email
from aftersales.core.web import render_htmx
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.customers.phones import display_phone as phone_for_people

from .action_forms import ActionForm, actions_panel_context
from .choices import EventKind
from .event_text import event_actor, event_text
from .forms import AttachmentForm, NoteForm
from .models import Attachment, Ticket, TicketEvent
from .selectors import ticket_all_attachments, ticket_attachments, ticket_get_for_user, ticket_timeline
from .services.first_response import FirstResponseVia, first_response_event
from .states import FINAL_STATUSES, OPEN_STATUSES, TicketStatus
from .warranty import ticket_warranty_status


def display_phone(user: User, e164: str) -> str:
    """The phone as the user may see it: ``138 1234 5678`` for roles that need it, else
    ``138 **** 5678`` (``customers.phones.display_phone``)."""
    return phone_for_people(e164, masked=not user.sees_personal_data)


def display_email(user: User, email: str) -> str:
    return email if user.sees_personal_data else mask_email(email)


def first_response_summary(events: list[TicketEvent]) -> dict[str, str] | None:
    """``{"via": "Plan sent to the customer", "actor": "王芳"}`` from the marked entry, if any."""
    event = first_response_event(events)
    if event is None:
        return None
    via = FirstResponseVia.label_of(event.data.get("first_response"))
    return {"via": via, "actor": event_actor(event)}


def get_ticket_or_404(user: User, number: str) -> Ticket:
    try:
        return ticket_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None


@dataclass(frozen=True)
class TimelineEntry:
    event: TicketEvent
    status_change: tuple[str, str] | None
    # Precomputed for the template (a ticket page shows every event of the ticket):
    kind_label: str
    actor: str
    attachments: list[Attachment]
    # What the entry says, in the reader's language (``event_text``: the system's deferred
    # words, or what a person typed); empty for an attachment (its file is the entry).
    text: str = ""


def status_label(value: Any) -> str:
    try:
        return str(TicketStatus(value).label)
    except ValueError:
        return str(value)


def timeline_context(ticket: Ticket, user: User, *, attachments: list[Attachment] | None = None) -> dict[str, Any]:
    """The timeline of ``ticket`` as ``user`` sees it. ``attachments``: every attachment of the
    ticket, already read (the ticket page reads them once for the timeline and its list)."""
    events = ticket_timeline(ticket=ticket, user=user, with_attachments=attachments is None)
    by_event: dict[int, list[Attachment]] = {}
    if attachments is not None:
        for attachment in sorted(attachments, key=lambda a: a.pk):
            if attachment.event_id is not None:
                by_event.setdefault(attachment.event_id, []).append(attachment)
    entries = []
    for event in events:
        change = None
        if event.kind == EventKind.STATUS_CHANGED:
            change = (status_label(event.data.get("from")), status_label(event.data.get("to")))
        entries.append(
            TimelineEntry(
                event=event,
                status_change=change,
                kind_label=str(event.get_kind_display()),
                actor=event_actor(event),
                attachments=by_event.get(event.pk, []) if attachments is not None else list(event.attachments.all()),
                text="" if event.kind == EventKind.ATTACHMENT else event_text(event),
            )
        )
    # An archived ticket takes no more entries: the page shows a notice instead of the form.
    return {
        "ticket": ticket,
        "timeline_items": render_timeline_items(entries),
        "archived": ticket.status in FINAL_STATUSES,
        # What stopped the first-response clock (its timeline entry is marked), for the facts.
        "first_response": first_response_summary(events),
    }


_ATTACHMENT_SLOT = 999_999_999


def render_timeline_items(entries: list[TimelineEntry]) -> SafeString:
    """The timeline's ``<li>`` items, rendered in Python like the list's rows (``list_rows``):
    a ticket page shows every event, and through the template engine ten events cost ~0.8 ms.
    The markup is ``tickets/partials/timeline.html``'s, which shows it for reading; every value
    from data goes through ``html.escape``.

    With ``settings.ROW_RENDERING == "jinja2"`` the same markup, byte for byte, comes from the
    Jinja2 template ``tickets/jinja2/tickets/partials/timeline_items.html`` (issue 13)."""
    if settings.ROW_RENDERING == "jinja2":
        return _render_timeline_items_jinja2(entries)
    if not entries:
        return mark_safe(f'<li class="empty">{_e(gettext("Nothing recorded yet."))}</li>')  # noqa: S308
    tz = timezone.get_current_timezone()
    public = _e(gettext("visible to customer"))
    internal = _e(gettext("internal"))
    attachment_url = reverse("tickets:attachment", args=[_ATTACHMENT_SLOT])
    out = []
    for entry in entries:
        event = entry.event
        kind = _e(event.kind)
        local = event.created_at.astimezone(tz)
        item = (
            f'<li class="event kind-{kind} {"is-public" if event.public else "is-internal"}"'
            f' data-test-id="timeline-event" data-kind="{kind}">'
            f'<div class="event-meta"><span class="event-kind">{_e(entry.kind_label)}</span>'
            f'<span class="visibility">{public if event.public else internal}</span>'
            f'<span class="event-actor">{_e(entry.actor)}</span>'
            f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time></div>'
        )
        if entry.status_change:
            item += f'<p class="event-status">{_e(entry.status_change[0])} → {_e(entry.status_change[1])}</p>'
        if entry.text:
            item += f'<p class="event-body prewrap">{_e(entry.text)}</p>'
        for attachment in entry.attachments:
            url = attachment_url.replace(str(_ATTACHMENT_SLOT), str(int(attachment.pk)))
            item += f'<p class="event-attachment"><a href="{url}">{_e(attachment.original_name)}</a></p>'
        out.append(item + "</li>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above escaped by html.escape


@lru_cache(maxsize=1)
def _timeline_template() -> Jinja2Template:
    """The timeline items' Jinja2 template, read and compiled once per process."""
    template = engines["jinja2"].get_template("tickets/partials/timeline_items.html")
    assert isinstance(template, Jinja2Template)
    return template


def _render_timeline_items_jinja2(entries: list[TimelineEntry]) -> SafeString:
    url_head, _slot, url_tail = reverse("tickets:attachment", args=[_ATTACHMENT_SLOT]).partition(str(_ATTACHMENT_SLOT))
    html = _timeline_template().render(
        {
            "entries": entries,
            "tz": timezone.get_current_timezone(),
            # Not escaped, as in the Python rendering (a reversed URL around the attachment's pk).
            "attachment_head": Markup(url_head),  # noqa: S704
            "attachment_tail": Markup(url_tail),  # noqa: S704
        }
    )
    return mark_safe(html)  # noqa: S308 - the autoescaped output of our template


def attachments_context(ticket: Ticket, user: User, *, attachments: list[Attachment] | None = None) -> dict[str, Any]:
    if attachments is None:
        attachments = ticket_attachments(ticket=ticket, user=user)
    else:
        attachments = [a for a in attachments if a.public or not user.is_customer]
    return {"ticket": ticket, "attachments": attachments, "archived": ticket.status in FINAL_STATUSES}


def render_detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    note_form: NoteForm | None = None,
    attachment_form: AttachmentForm | None = None,
    bound_action: ActionForm | None = None,
    status: int = 200,
    fragment: bool = False,
    flash: str = "",
) -> HttpResponse:
    """The detail page; ``fragment``: only its article (htmx answer to an action), with ``flash``."""
    user: User = request.user  # type: ignore[assignment]
    unit = ticket.product_unit
    attachments = ticket_all_attachments(ticket=ticket)
    context: dict[str, Any] = {
        **timeline_context(ticket, user, attachments=attachments),
        **attachments_context(ticket, user, attachments=attachments),
        "customer_phone": display_phone(user, ticket.customer.phone),
        "contact_phone": display_phone(user, ticket.contact_phone),
        "contact_email": display_email(user, ticket.contact_email),
        "unit": unit,
        "warranty": ticket_warranty_status(ticket, clock.local_today()),
        "note_form": note_form or NoteForm(),
        "attachment_form": attachment_form or AttachmentForm(),
        "is_open": ticket.status in OPEN_STATUSES,
        **actions_panel_context(ticket=ticket, user=user, bound=bound_action),
        "flash": flash,
    }
    # An archived ticket's notice says whether this user can reopen it (the panel offers it).
    context["reopen_offered"] = any(form.action == "reopen" for form in context["action_forms"])
    if not fragment and request.method == "GET" and user.sees_personal_data:
        # SPEC §4: every view of personal data is in the audit log (one row per page view).
        audit_record_view(
            action=CustomerAudit.PERSONAL_DATA_VIEWED,
            obj=ticket.customer,
            actor=user,
            changes={"ticket": ticket.number, "fields": ["phone", "contact_phone", "contact_email"]},
        )
    template = "tickets/partials/ticket_article.html" if fragment else "tickets/ticket_detail.html"
    return render_htmx(request, template, context, status=status)
