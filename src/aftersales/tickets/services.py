"""Writes for tickets: intake, transitions, timeline entries, attachments.

Every function here is the one door for its business action: pages, the API, email intake and
background jobs all call it. Each runs in one transaction, writes the timeline and the audit log
in that transaction, and defers side effects (notifications, jobs) until after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, Team, User
from aftersales.analytics.counts import ticket_counts_change
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductModel, ProductUnit
from aftersales.catalog.selectors import unit_find_by_serial
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.customers.phones import normalize_phone
from aftersales.customers.selectors import customer_find_by_email, customer_find_by_phone
from aftersales.customers.services import customer_create, normalize_email
from aftersales.sla.services import (
    sla_audit_started,
    sla_on_status_change,
    sla_record_first_response,
    sla_start_for_ticket,
    sla_ticket_deadlines,
)

from .attachments import sniff_upload
from .choices import Channel, EventKind, Priority, RequestType
from .models import Attachment, Ticket, TicketCategory, TicketEvent
from .numbering import next_ticket_number
from .search import search_grams_for
from .states import FINAL_STATUSES, TicketStatus, can_transition


@dataclass
class IntakeInput:
    """What any channel submits. Required: channel, name, a phone or email, what happened."""

    channel: str
    customer_name: str
    description: str
    request_type: str = RequestType.REPAIR
    title: str = ""
    phone: str = ""
    email: str = ""
    serial_number: str = ""
    product_model_code: str = ""
    batch: str = ""
    purchase_date: dt.date | None = None
    occurred_at: dt.datetime | None = None
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""
    category_code: str = ""
    priority: int = Priority.NORMAL
    safety_hazard: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        payload = asdict(self)
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    created: bool


def _validate_intake(data: IntakeInput) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, Any] = {}
    if data.channel not in Channel.values:
        errors["channel"] = [_("Choose a valid channel.")]
    if data.request_type not in RequestType.values:
        errors["request_type"] = [_("Choose a valid request type.")]
    if not (data.customer_name or "").strip():
        errors["customer_name"] = [_("Enter the customer's name.")]
    elif len(data.customer_name.strip()) > 128:
        errors["customer_name"] = [_("At most %(limit)d characters.") % {"limit": 128}]
    description = (data.description or "").strip()
    if not description:
        errors["description"] = [_("Describe what happened.")]
    elif len(description) > 20000:
        errors["description"] = [_("The description is too long (at most 20,000 characters).")]
    title = (data.title or "").strip()
    if len(title) > 200:
        errors["title"] = [_("The title is too long (at most 200 characters).")]
    if not data.phone and not data.email:
        errors["phone"] = [_("Enter a phone number or an email address.")]
    if data.phone:
        try:
            cleaned["phone"] = normalize_phone(data.phone)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if data.email:
        try:
            cleaned["email"] = normalize_email(data.email)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    try:
        priority = Priority(int(data.priority))
    except (TypeError, ValueError):
        errors["priority"] = [_("Choose a valid priority.")]
        priority = Priority.NORMAL
    now = clock.now()
    occurred_at = data.occurred_at
    if occurred_at is not None and timezone.is_naive(occurred_at):
        # A form or client that sends a wall-clock time means the business zone (Asia/Shanghai).
        occurred_at = timezone.make_aware(occurred_at, timezone.get_default_timezone())
    if occurred_at is not None and occurred_at > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = [_("The time it happened cannot be in the future.")]
    if data.purchase_date is not None and data.purchase_date > clock.local_today():
        errors["purchase_date"] = [_("The purchase date cannot be in the future.")]
    category = None
    if data.category_code:
        category = TicketCategory.objects.filter(code=data.category_code, active=True).first()
        if category is None:
            errors["category_code"] = [_("Choose a valid category.")]
    product_model = None
    if data.product_model_code:
        product_model = ProductModel.objects.filter(code=data.product_model_code.strip()).first()
        if product_model is None:
            errors["product_model_code"] = [_("No product model has this number.")]
    for name, limit in (("province", 32), ("city", 32), ("district", 32), ("address", 200), ("serial_number", 64), ("batch", 64)):
        if len(getattr(data, name) or "") > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
    if errors:
        raise ValidationFailed(errors, code="intake_invalid")
    # Anything the agent marks as a safety hazard is urgent (SPEC §2.4).
    cleaned.update(
        description=description,
        title=title or description.splitlines()[0][:60],
        priority=Priority.URGENT if data.safety_hazard else priority,
        category=category,
        product_model=product_model,
        occurred_at=occurred_at,
        now=now,
    )
    return cleaned


def _match_customer(data: IntakeInput, cleaned: dict[str, Any], *, actor: User | None, actor_label: str) -> Customer:
    if actor is not None and actor.is_customer:
        # A signed-in customer files for themselves, whatever number they type: matching by the
        # typed phone could file the ticket under somebody else, who would then read it.
        own = Customer.objects.filter(user=actor).first()
        if own is not None:
            return own
    customer = None
    if cleaned.get("phone"):
        customer = customer_find_by_phone(phone_e164=cleaned["phone"])
    if customer is None and cleaned.get("email"):
        customer = customer_find_by_email(email=cleaned["email"])
    if customer is None:
        customer = customer_create(
            name=data.customer_name,
            phone=cleaned.get("phone", ""),
            email=cleaned.get("email", ""),
            actor=actor,
            actor_label=actor_label,
        )
    return customer


def ticket_intake(
    *,
    data: IntakeInput,
    actor: User | None = None,
    actor_label: str = "",
    idempotency_key: str | None = None,
    team: Team | None = None,
    region: Region | None = None,
) -> IntakeResult:
    """Register a request from any channel and give it its number.

    Guarantees: the ticket, its customer link and its first timeline event are committed before
    this returns (the caller may acknowledge the number); the same ``idempotency_key`` with the
    same input returns the original ticket and creates nothing; with different input it raises
    ``Conflict``; invalid input raises ``ValidationFailed`` naming every bad field.
    """
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 128:
        raise ValidationFailed({"idempotency_key": [_("The idempotency key is longer than 128 characters.")]})
    fingerprint = data.fingerprint()
    if key is not None:
        existing = _replay(key, fingerprint)
        if existing is not None:
            return IntakeResult(existing, created=False)
    cleaned = _validate_intake(data)
    try:
        ticket = _create_ticket(
            data, cleaned, actor=actor, actor_label=actor_label, key=key, fingerprint=fingerprint, team=team, region=region
        )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its ticket.
        if key is None:
            raise
        existing = _replay(key, fingerprint)
        if existing is None:
            raise
        return IntakeResult(existing, created=False)
    return IntakeResult(ticket, created=True)


def _replay(key: str, fingerprint: str) -> Ticket | None:
    existing = Ticket.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.intake_fingerprint != fingerprint:
        raise Conflict(
            _("This idempotency key was already used for a different request."),
            code="idempotency_key_reused",
            field="idempotency_key",
        )
    return existing


@transaction.atomic
def _create_ticket(
    data: IntakeInput,
    cleaned: dict[str, Any],
    *,
    actor: User | None,
    actor_label: str,
    key: str | None,
    fingerprint: str,
    team: Team | None,
    region: Region | None,
) -> Ticket:
    from aftersales.notifications.services import notify_ticket_received

    label = actor_label or (str(actor) if actor else str(Channel(data.channel).label))
    customer = _match_customer(data, cleaned, actor=actor, actor_label=label)
    unit: ProductUnit | None = unit_find_by_serial(serial_number=data.serial_number) if data.serial_number else None
    # A registered unit knows its model; a typed model number only stands in when there is none.
    product_model = unit.model if unit is not None else cleaned["product_model"]
    now = cleaned["now"]
    title, description = cleaned["title"], cleaned["description"]
    # The number is taken LAST (see below): until then the row carries a unique placeholder that
    # no other transaction can see (the row is uncommitted) and that never survives the commit.
    ticket = Ticket.objects.create(
        number=f"~{uuid.uuid4().hex[:31]}",
        title=title,
        description=description,
        search_grams=search_grams_for(title, description),
        channel=data.channel,
        request_type=data.request_type,
        category=cleaned["category"],
        priority=cleaned["priority"],
        safety_hazard=data.safety_hazard,
        customer=customer,
        contact_name=data.customer_name.strip()[:128],
        contact_phone=cleaned.get("phone", ""),
        contact_email=cleaned.get("email", ""),
        product_unit=unit,
        product_model=product_model,
        reported_serial=(data.serial_number or "").strip().upper(),
        reported_batch=(data.batch or "").strip() or (unit.batch if unit else ""),
        reported_purchase_date=data.purchase_date,
        occurred_at=cleaned["occurred_at"],
        province=(data.province or "").strip(),
        city=(data.city or "").strip(),
        district=(data.district or "").strip(),
        address=(data.address or "").strip(),
        created_by=actor if actor is not None and not actor.is_customer else None,
        team=team,
        region=region or customer.region,
        idempotency_key=key,
        intake_fingerprint=fingerprint,
        created_at=now,
        updated_at=now,
    )
    if unit is not None and unit.customer_id is None:
        ProductUnit.objects.filter(pk=unit.pk, customer__isnull=True).update(customer=customer)
    # Clocks are inserted now; their deadlines reach the ticket row with the number's UPDATE.
    clocks = sla_start_for_ticket(ticket=ticket, new_ticket=True)
    ticket_counts_change(before=None, after=(ticket.status, ticket.category_id, ticket.region_id))
    # --- From here to the commit the day's counter row is locked: only the statements that need
    # the number run after it (ticket number + SLA deadlines in one UPDATE, the created event,
    # the audit rows that name the ticket, the customer's notification). Everything else is done.
    ticket.number = next_ticket_number(day=clock.local_date(now))  # the local day of created_at
    final = {"number": ticket.number, **sla_ticket_deadlines(clocks)} if clocks else {"number": ticket.number}
    Ticket.objects.filter(pk=ticket.pk).update(**final)
    for name, value in final.items():  # the caller gets the ticket as stored
        setattr(ticket, name, value)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.CREATED,
        actor=actor,
        actor_label=label,
        public=True,
        body=description[:500],
        data={"channel": data.channel, "number": ticket.number, "safety_hazard": data.safety_hazard},
        created_at=now,
    )
    sla_audit_started(ticket=ticket, clocks=clocks)
    audit_record(action="ticket.created", obj=ticket, actor=actor, actor_label=label, changes={"channel": data.channel})
    notify_ticket_received(ticket=ticket)
    return ticket


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise Conflict(
            _("This ticket was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )


def _lock(ticket_id: int) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket_id)


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    to_status: TicketStatus | str,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
    public: bool = True,
) -> Ticket:
    """Move ``ticket`` to ``to_status`` if the transition table allows it; record why."""
    locked = _lock(ticket.pk)
    _check_version(locked, expected_version)
    target = TicketStatus(to_status)
    current = locked.status_enum
    if not can_transition(current, target):
        raise DomainError(
            _("A ticket cannot move from “%(current)s” to “%(target)s”.") % {"current": current.label, "target": target.label},
            code="illegal_transition",
            field="status",
        )
    now = clock.now()
    updates: dict[str, Any] = {"status": target, "updated_at": now, "version": locked.version + 1}
    if target == TicketStatus.RESOLVED:
        updates["resolved_at"] = now
    if target in FINAL_STATUSES:
        updates["closed_at"] = now
    if target == TicketStatus.REOPENED:
        updates["escalation_level"] = locked.escalation_level + 1
        updates["closed_at"] = None
    Ticket.objects.filter(pk=locked.pk).update(**updates)
    ticket_counts_change(
        before=(current.value, locked.category_id, locked.region_id), after=(target.value, locked.category_id, locked.region_id)
    )
    TicketEvent.objects.create(
        ticket=locked,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        actor_label=str(actor) if actor else "system",
        public=public,
        body=reason,
        data={"from": current.value, "to": target.value},
        created_at=now,
    )
    audit_record(action="ticket.status_changed", obj=locked, actor=actor, changes={"status": [current.value, target.value]})
    sla_on_status_change(ticket=locked, old_status=current, new_status=target, now=now)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def ticket_add_note(*, ticket: Ticket, actor: User, body: str, public: bool = False, kind: str = EventKind.NOTE) -> TicketEvent:
    """Add a timeline entry (internal note, message to the customer, call record).

    Allowed on every ticket, closed ones included: later additions to an archived ticket are
    new timeline events, never edits.
    """
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({"body": [_("Write something first.")]}, code="note_empty")
    if len(text) > 20000:
        raise ValidationFailed({"body": [_("The text is too long (at most 20,000 characters).")]}, code="note_too_long")
    if kind not in {EventKind.NOTE, EventKind.MESSAGE_OUT, EventKind.MESSAGE_IN, EventKind.CALL}:
        raise ValidationFailed({"kind": [_("Choose a valid entry type.")]}, code="note_kind")
    now = clock.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_label=str(actor),
        public=public or kind in {EventKind.MESSAGE_OUT, EventKind.MESSAGE_IN},
        body=text,
        created_at=now,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    # Decided by the row, not by the caller's copy, which may be stale: set once, never moved.
    if (
        kind in {EventKind.MESSAGE_OUT, EventKind.CALL}
        and not actor.is_customer
        and Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=True).update(first_responded_at=now)
    ):
        sla_record_first_response(ticket=ticket, at=now)
    audit_record(action=f"ticket.{kind}", obj=ticket, actor=actor)
    return event


@transaction.atomic
def ticket_add_customer_message(
    *,
    ticket: Ticket,
    body: str,
    actor: User | None = None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
    audit_actor: User | None = None,
) -> TicketEvent:
    """A message from the customer on the timeline (public), from any channel — also from a
    customer without a portal account (``actor=None``, named by ``actor_label``, e.g. the sender
    of an email). ``audit_actor`` is the staff member who released a held message, if any.
    Counts as contact from the customer (auto-close waits for the customer's silence)."""
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({"body": [_("Write something first.")]}, code="note_empty")
    now = clock.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.MESSAGE_IN,
        actor=actor,
        actor_label=(actor_label or (str(actor) if actor is not None else ""))[:128],
        public=True,
        body=text[:20000],
        data=data or {},
        created_at=now,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now, last_customer_contact_at=now)
    audit_record(
        action="ticket.message_in",
        obj=ticket,
        actor=audit_actor or actor,
        actor_label="" if audit_actor or actor else (actor_label or "customer")[:128],
        changes={"event": event.pk, **(data or {})},
    )
    return event


@transaction.atomic
def ticket_add_attachment(
    *, ticket: Ticket, actor: User | None, fileobj: IO[bytes], filename: str, public: bool = True
) -> Attachment:
    """Store an uploaded file under a generated name after checking its real type and size."""
    sniffed = sniff_upload(fileobj)
    now = clock.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.ATTACHMENT,
        actor=actor,
        actor_label=str(actor) if actor else "system",
        public=public,
        body=(filename or "")[:200],
        data={"content_type": sniffed.content_type, "size": sniffed.size},
        created_at=now,
    )
    attachment = Attachment(
        ticket=ticket,
        event=event,
        original_name=(filename or "file")[:200],
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        public=public,
        uploaded_by=actor,
    )
    attachment.file.save(f"upload{sniffed.extension}", File(fileobj), save=False)
    attachment.save()
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    audit_record(action="ticket.attachment_added", obj=ticket, actor=actor, changes={"attachment": attachment.pk})
    return attachment


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User, expected_version: int | None = None) -> Ticket:
    locked = _lock(ticket.pk)
    _check_version(locked, expected_version)
    if locked.status in FINAL_STATUSES:
        raise DomainError(_("A closed ticket cannot be reassigned."), code="ticket_final", field="assignee")
    if assignee is not None and (assignee.is_customer or not assignee.is_active):
        raise ValidationFailed({"assignee": [_("Choose an active staff member.")]}, code="assignee_invalid")
    before = locked.assignee_id
    now = clock.now()
    updates: dict[str, Any] = {"assignee": assignee, "updated_at": now, "version": F("version") + 1}
    if locked.team_id is None and assignee is not None and assignee.team_id is not None:
        # The ticket joins the assignee's team, so the team lead's "team" scope sees it.
        updates["team_id"] = assignee.team_id
    Ticket.objects.filter(pk=locked.pk).update(**updates)
    TicketEvent.objects.create(
        ticket=locked,
        kind=EventKind.ASSIGNMENT,
        actor=actor,
        actor_label=str(actor),
        public=False,
        body=str(assignee) if assignee else "",
        data={"from": before, "to": assignee.pk if assignee else None},
        created_at=now,
    )
    audit_record(
        action="ticket.assigned", obj=locked, actor=actor, changes={"assignee": [before, assignee.pk if assignee else None]}
    )
    if assignee is not None and assignee.pk != actor.pk:
        _notify_assignee(ticket=locked, assignee=assignee)
    locked.refresh_from_db()
    return locked


def _notify_assignee(*, ticket: Ticket, assignee: User) -> None:
    from django.utils import translation

    from aftersales.notifications.services import notify_staff

    with translation.override(assignee.language or "zh-hans"):
        subject = _("Ticket %(number)s was assigned to you") % {"number": ticket.number}
        body = _("%(title)s — please contact the customer; the first response is due %(due)s.") % {
            "title": ticket.title,
            "due": clock.local_date(ticket.first_response_due_at) if ticket.first_response_due_at else "—",
        }
    notify_staff(users=[assignee], template="ticket_assigned", subject=str(subject), body=str(body), ticket=ticket)
