"""Intake: a request from any channel becomes a numbered ticket (SPEC §2.1).

``ticket_intake`` is the one door for every channel (pages, API, email, WeChat): validation that
names every bad field, the customer match, idempotency keys, and the ticket, its first timeline
event and its audit row committed before the number is acknowledged.

The evidence given with the request (photos, the invoice, a proof of purchase: ``IntakeFile``)
is checked as every upload is (``attachments.sniff_evidence``) before the transaction, written to
storage before the number is taken (the day's counter row is not held while files are written)
and registered after the created event, each file with its own timeline entry and audit row —
all in the intake's transaction: a request is stored with all its files or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, Team, User
from aftersales.accounts.regions import region_by_id, region_for
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductModel, ProductUnit
from aftersales.catalog.selectors import unit_find_by_serial
from aftersales.core import clock, idempotency
from aftersales.core.errors import ValidationFailed
from aftersales.core.i18n import actor_code
from aftersales.customers.models import Address, Customer
from aftersales.customers.phones import normalize_phone
from aftersales.customers.selectors import customer_find_by_email, customer_find_by_phone
from aftersales.customers.services import customer_create, normalize_email
from aftersales.notifications.services import notify_ticket_received, ticket_received_templates, wechat_recipient

from ..attachments import SniffedFile, attachment_stage, content_digest, sniff_evidence
from ..audit_actions import TicketAudit
from ..choices import Channel, EventKind, EvidenceKind, Priority, RequestType
from ..counts import ticket_counts_change
from ..effects import TICKET_CREATED, TICKET_OPENED
from ..models import Attachment, Ticket, TicketCategory, TicketEvent
from ..numbering import next_ticket_number
from ..search import search_grams_for
from ..titles import title_from_description
from ..when_where import ABOUT_KEY, PRECISION_KEY, Precision
from .assignment import ticket_auto_assign_queue
from .later import ticket_created_later_queue

# Columns that mirror the SLA clocks on the ticket row; the receivers of TICKET_OPENED set them
# on the instance and they are written with the number, in one UPDATE.
MIRRORED_COLUMNS = ("sla_state", "first_response_due_at", "due_at")


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
class IntakeFile:
    """A file given as evidence with the request (SPEC §2.1) and what it is (``EvidenceKind``).
    A photo or video is visible to the customer; an invoice, a proof of purchase or another
    file is internal (as the correction's proof of purchase)."""

    kind: str
    file: IO[bytes]
    name: str = ""

    @property
    def public(self) -> bool:
        return self.kind == EvidenceKind.PHOTO


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
    elif occurred_at is not None and occurred_at < dt.datetime(1900, 1, 1, tzinfo=dt.UTC):
        # Also: year 1 in Asia/Shanghai is before year 1 in UTC (stored as UTC: an overflow).
        errors["occurred_at"] = [_("The time it happened is too long ago: check the date.")]
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
        title=title or title_from_description(description),
        priority=Priority.URGENT if data.safety_hazard else priority,
        category=category,
        product_model=product_model,
        occurred_at=occurred_at,
        now=now,
    )
    return cleaned


def _intake_notes(data: IntakeInput) -> dict[str, Any]:
    """What a web form said of the "when" (``when_where``: a date only, about then, unknown),
    kept in the registered entry's data; other ``extra`` keys are not stored."""
    notes = {key: data.extra[key] for key in (PRECISION_KEY, ABOUT_KEY) if key in data.extra}
    if notes.get(PRECISION_KEY, Precision.TIME) not in Precision.values:
        notes.pop(PRECISION_KEY)
    if ABOUT_KEY in notes:
        notes[ABOUT_KEY] = bool(notes[ABOUT_KEY])
    return notes


def _match_customer(data: IntakeInput, cleaned: dict[str, Any], *, actor: User | None, actor_label: str) -> tuple[Customer, bool]:
    """The customer the request is from, and whether intake created them."""
    if actor is not None and actor.is_customer:
        # A signed-in customer files for themselves, whatever number they type: matching by the
        # typed phone could file the ticket under somebody else, who would then read it.
        own = Customer.objects.filter(user=actor).first()
        if own is not None:
            return own, False
    customer = None
    if cleaned.get("phone"):
        customer = customer_find_by_phone(phone_e164=cleaned["phone"])
    if customer is None and cleaned.get("email"):
        customer = customer_find_by_email(email=cleaned["email"])
    if customer is not None:
        return customer, False
    # A new customer is in the region of the address they gave (customer_create looks it up).
    customer = customer_create(
        name=data.customer_name,
        phone=cleaned.get("phone", ""),
        email=cleaned.get("email", ""),
        province=data.province,
        city=data.city,
        actor=actor,
        actor_label=actor_label,
    )
    return customer, True


def _derive_region(data: IntakeInput, *, customer: Customer, new_customer: bool, fallback: Region | None) -> Region | None:
    """The ticket's region, the first that answers: the ticket's address (province/city) in the
    region table, the customer's default address, ``fallback`` (the API key's region), the
    customer's region; None when nothing does (the supervisors' "no region" queue).

    Steady state costs no query for the table (``accounts.regions`` caches it); only a known
    customer's default address is read, and only when the ticket's own address names no region."""
    region = region_for(province=data.province, city=data.city)
    if region is None and not new_customer:
        home = Address.objects.filter(customer=customer, is_default=True).values_list("province", "city").first()
        if home is not None:
            region = region_for(province=home[0], city=home[1])
    return region or fallback or region_by_id(customer.region_id)


def ticket_intake(
    *,
    data: IntakeInput,
    actor: User | None = None,
    actor_label: str = "",
    idempotency_key: str | None = None,
    team: Team | None = None,
    region: Region | None = None,
    api_key_id: int | None = None,
    evidence: Sequence[IntakeFile] = (),
) -> IntakeResult:
    """Register a request from any channel and give it its number.

    The ticket's region comes from its address (``_derive_region``); ``region`` (an API key's
    region) stands in only when neither the ticket's nor the customer's address names one.

    Guarantees: the ticket, its customer link and its first timeline event are committed before
    this returns (the caller may acknowledge the number); the same ``idempotency_key`` with the
    same input returns the original ticket and creates nothing; with different input it raises
    ``Conflict``; invalid input raises ``ValidationFailed`` naming every bad field.

    ``evidence``: the files given with the request (``attachments.MAX_REQUEST_FILES`` at most);
    a refused file refuses the request (``ValidationFailed`` on ``evidence_<kind>``, every bad
    file named; too many: on ``evidence``). The files count in the key's input: the same key with
    other files is a ``Conflict``, a replay stores none of them again.
    """
    key = idempotency.clean_key(idempotency_key, field="idempotency_key")
    fingerprint = _fingerprint(data, evidence)
    if key is not None:
        existing = _replay(key, fingerprint)
        if existing is not None:
            return IntakeResult(existing, created=False)
    cleaned, checked = _validate_with_evidence(data, evidence)
    staged: list[Attachment] = []
    try:
        ticket = _create_ticket(
            data,
            cleaned,
            actor=actor,
            actor_label=actor_label,
            key=key,
            fingerprint=fingerprint,
            team=team,
            region=region,
            api_key_id=api_key_id,
            evidence=checked,
            staged=staged,
        )
    except IntegrityError:
        _discard(staged)
        # A concurrent request with the same key won the race: answer with its ticket.
        if key is None:
            raise
        existing = _replay(key, fingerprint)
        if existing is None:
            raise
        return IntakeResult(existing, created=False)
    except BaseException:
        _discard(staged)
        raise
    return IntakeResult(ticket, created=True)


# --- The evidence ---------------------------------------------------------------------------


def _fingerprint(data: IntakeInput, evidence: Sequence[IntakeFile]) -> str:
    """The idempotency fingerprint: the input's, and with files each file's kind, name and bytes
    (read as sent; a request without files keeps the fingerprint it always had)."""
    if not evidence:
        return data.fingerprint()
    digest = hashlib.sha256(data.fingerprint().encode())
    for item in evidence:
        digest.update(f"\n{item.kind}\n{item.name}\n{content_digest(item.file)}".encode())
    return digest.hexdigest()


def _validate_with_evidence(
    data: IntakeInput, evidence: Sequence[IntakeFile]
) -> tuple[dict[str, Any], list[tuple[IntakeFile, SniffedFile]]]:
    """``_validate_intake`` and the files' checks together: every bad field and file named at once."""
    file_errors: ValidationFailed | None = None
    checked: list[tuple[IntakeFile, SniffedFile]] = []
    if evidence:
        try:
            sniffed = sniff_evidence([(item.kind, item.file) for item in evidence])
            checked = list(zip(evidence, sniffed, strict=True))
        except ValidationFailed as exc:
            file_errors = exc
    try:
        cleaned = _validate_intake(data)
    except ValidationFailed as exc:
        if file_errors is None:
            raise
        raise ValidationFailed({**exc.errors, **file_errors.errors}, code=exc.code) from None
    if file_errors is not None:
        raise file_errors
    return cleaned, checked


def _stage_evidence(ticket: Ticket, evidence: list[tuple[IntakeFile, SniffedFile]], *, actor: User | None) -> list[Attachment]:
    """The files written to storage, each of its kind (their rows are saved with their timeline
    entries)."""
    actor_id = actor.pk if actor is not None else None
    return [
        attachment_stage(
            ticket_id=ticket.pk,
            fileobj=item.file,
            sniffed=sniffed,
            filename=item.name,
            public=item.public,
            actor_id=actor_id,
            kind=item.kind,
        )
        for item, sniffed in evidence
    ]


def _register_evidence(
    ticket: Ticket, staged: list[Attachment], evidence: list[tuple[IntakeFile, SniffedFile]], *, actor: User | None, label: str
) -> None:
    """Each file on the timeline after the created entry (its kind in the entry's data) and audited."""
    for attachment, (item, _sniffed) in zip(staged, evidence, strict=True):
        attachment.event = TicketEvent.objects.create(
            ticket=ticket,
            kind=EventKind.ATTACHMENT,
            actor=actor,
            actor_label=label,
            public=attachment.public,
            body=attachment.original_name,
            data={"content_type": attachment.content_type, "size": attachment.size, "evidence": item.kind},
            created_at=ticket.created_at,
        )
        attachment.save()
        audit_record(
            action=TicketAudit.ATTACHMENT_ADDED,
            obj=ticket,
            actor=actor,
            actor_label=label,
            changes={"attachment": attachment.pk, "evidence": item.kind},
        )


def _discard(staged: list[Attachment]) -> None:
    """The files of an intake that was not stored: removed from storage again."""
    for attachment in staged:
        if attachment.file.name:
            attachment.file.delete(save=False)


def _replay(key: str, fingerprint: str) -> Ticket | None:
    """The ticket an earlier intake with this key created (core's one idempotency store)."""
    record = idempotency.find(owner=idempotency.INTAKE, key=key, fingerprint=fingerprint, field="idempotency_key")
    if record is None or record.object_id is None:
        return None
    return Ticket.objects.get(pk=record.object_id)


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
    api_key_id: int | None = None,
    evidence: list[tuple[IntakeFile, SniffedFile]] | None = None,
    staged: list[Attachment] | None = None,
) -> Ticket:
    # Without a user the channel is the actor, by its code (said in the reader's language).
    label = actor_label or (str(actor) if actor else actor_code("channel", data.channel))
    customer, new_customer = _match_customer(data, cleaned, actor=actor, actor_label=label)
    region = _derive_region(data, customer=customer, new_customer=new_customer, fallback=region)
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
        region=region,
        api_key_id=api_key_id,
        created_at=now,
        updated_at=now,
    )
    if key is not None:
        # A concurrent intake with the same key blocks here until it commits, then fails
        # (IntegrityError) and this whole transaction rolls back: ticket_intake replays.
        idempotency.remember(owner=idempotency.INTAKE, key=key, fingerprint=fingerprint, object_id=ticket.pk, status=201)
    if unit is not None and unit.customer_id is None:
        ProductUnit.objects.filter(pk=unit.pk, customer__isnull=True).update(customer=customer)
    if evidence:  # the files are written now, not while the number's counter row is locked
        staged = staged if staged is not None else []
        staged.extend(_stage_evidence(ticket, evidence, actor=actor))
    ticket_auto_assign_queue(ticket=ticket)  # a matching assignment rule's job (none active: no query)
    # What intake sets off before the number (the SLA clocks: their deadlines land on the
    # instance and reach the row with the number's UPDATE): tickets/effects.py; then the counts.
    when_numbered = [then for then in TICKET_OPENED.send(ticket=ticket) if then is not None]
    ticket_counts_change(before=None, after=(ticket.status, ticket.category_id, ticket.region_id))
    received_texts = ticket_received_templates(language=customer.language)  # edited texts, read now
    # The customer's bound WeChat account, read now too (a customer created by this intake has none).
    received_wechat = "" if new_customer or not customer.consent_contact else wechat_recipient(customer_id=customer.pk)
    # --- From here to the commit the day's counter row is locked: only the statements that need
    # the number run after it (ticket number + SLA deadlines in one UPDATE, the created event,
    # the audit rows that name the ticket, the customer's notification). Everything else is done.
    ticket.number = next_ticket_number(day=clock.local_date(now))  # the local day of created_at
    final = {"number": ticket.number, **{name: getattr(ticket, name) for name in MIRRORED_COLUMNS}}
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
        data={"channel": data.channel, "number": ticket.number, "safety_hazard": data.safety_hazard, **_intake_notes(data)},
        created_at=now,
    )
    for then in when_numbered:
        then()
    audit_record(action=TicketAudit.CREATED, obj=ticket, actor=actor, actor_label=label, changes={"channel": data.channel})
    if evidence and staged:
        _register_evidence(ticket, staged, evidence, actor=actor, label=label)
    notify_ticket_received(ticket=ticket, saved_templates=received_texts, wechat=received_wechat)
    TICKET_CREATED.send(ticket=ticket)
    ticket_created_later_queue(ticket_id=ticket.pk)
    return ticket
