"""Correcting what intake registered (更正信息, SPEC §2.1): the product (the serial number and
with it the catalog's unit, the model, the batch, the purchase date and its proof), when and
where it happened, the contact, the title and the description, and a channel chosen wrongly.

``ticket_correct_details`` is the one door (the ticket page's "Correct details" and the API's
``PATCH /api/v1/tickets/{number}``); ``ticket_record_serial_on_site`` is the technician's part
(the serial number read off the nameplate on site, with the work record). Each:

- checks the input like intake, naming every bad field, before the lock;
- locks the ticket and checks the version read, who may act and the status
  (``lock_for_action``: handlers within their data scope, on a ticket that is not archived —
  closed, rejected, cancelled or merged tickets are read-only);
- derives what intake derives: a serial number finds the catalog's unit (an unknown one is kept
  as reported, without a unit); the unit gives the model (a typed model number stands in only
  without one) and the batch when none is typed; a unit without an owner becomes the
  customer's. A changed province or city gives the region of the new address (else of the
  customer's default address, else the customer's region; when none answers, the region stays)
  and the ticket counts move with it. The warranty status, the 三包 facts and the plan's charges
  read the ticket's unit when they are shown, so they follow at once; the fault rollup picks the
  ticket up on its next run (``updated_at``);
- writes only what changed: one UPDATE (the version goes up), an internal timeline entry naming
  the fields ("信息已更正：序列号、购买日期"), one audit row with each field before → after. The
  customer is not told. When nothing changed: ``nothing_changed``, and nothing is written.

The customer the ticket belongs to stays: correcting the contact does not move the ticket to
another customer. The channel changes only between the channels an agent enters by hand
(``choices.AGENT_CHANNELS``): a ticket the portal, the app or an integration filed keeps its
channel. A correction to "social" sets off the media alert (``effects.TICKET_CHANNEL_CORRECTED``).
Every correction is announced with the details it changed (``effects.TICKET_DETAILS_CORRECTED``):
the triage suggests again, and looks for duplicates again, when what it reads changed.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import IO, Any, Final

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.accounts.regions import region_by_id, region_for
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductModel, ProductUnit
from aftersales.catalog.selectors import unit_find_by_serial
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.customers.models import Address, Customer
from aftersales.customers.phones import normalize_phone
from aftersales.customers.services import normalize_email

from ..attachments import SniffedFile, attachment_stage, sniff_upload, upload_name
from ..audit_actions import TicketAudit
from ..choices import AGENT_CHANNELS, Channel, EventKind, EvidenceKind
from ..counts import ticket_counts_change
from ..effects import TICKET_CHANNEL_CORRECTED, TICKET_DETAILS_CORRECTED
from ..locking import lock_ticket
from ..models import Attachment, Ticket
from ..process.common import lock_for_action, timeline
from ..search import search_grams_for
from ..states import FINAL_STATUSES
from ..titles import title_from_description
from .timeline import archived_refusal


class Keep(Enum):
    """A detail the caller does not correct (the API's partial body leaves it out)."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP

# The details, in the order the timeline names them, with their labels.
LABELS: dict[str, Any] = {
    "channel": _("Channel"),
    "title": _("Title"),
    "description": _("What happened"),
    "contact_name": _("Contact name"),
    "contact_phone": _("Contact phone"),
    "contact_email": _("Contact email"),
    "serial_number": _("Serial number"),
    "product_model_code": _("Product model"),
    "batch": _("Batch / lot"),
    "purchase_date": _("Purchase date"),
    "purchase_proof": _("Proof of purchase"),
    "occurred_at": _("Occurred at"),
    "province": _("Province"),
    "city": _("City"),
    "district": _("District"),
    "address": _("Address"),
    "region": _("Region"),
}
# The ticket's column → the detail it belongs to (the unit and the model follow the serial number).
COLUMN_DETAIL = {
    "channel": "channel",
    "title": "title",
    "description": "description",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
    "contact_email": "contact_email",
    "reported_serial": "serial_number",
    "product_unit": "serial_number",
    "product_model": "product_model_code",
    "reported_batch": "batch",
    "reported_purchase_date": "purchase_date",
    "occurred_at": "occurred_at",
    "province": "province",
    "city": "city",
    "district": "district",
    "address": "address",
    "region": "region",
}
MAX_LENGTH = {
    "title": 200,
    "contact_name": 128,
    "contact_email": 254,
    "serial_number": 64,
    "product_model_code": 64,
    "batch": 64,
    "province": 32,
    "city": 32,
    "district": 32,
    "address": 200,
}
MAX_DESCRIPTION = 20000
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


class NothingChanged(DomainError):
    """Every detail given is as registered: nothing was written."""

    code = "nothing_changed"
    status = 409


@transaction.atomic
def ticket_correct_details(
    *,
    ticket: Ticket,
    actor: User,
    expected_version: int | None = None,
    channel: str | Keep = KEEP,
    title: str | Keep = KEEP,
    description: str | Keep = KEEP,
    contact_name: str | Keep = KEEP,
    contact_phone: str | Keep = KEEP,
    contact_email: str | Keep = KEEP,
    serial_number: str | Keep = KEEP,
    product_model_code: str | Keep = KEEP,
    batch: str | Keep = KEEP,
    purchase_date: dt.date | Keep | None = KEEP,
    occurred_at: dt.datetime | Keep | None = KEEP,
    province: str | Keep = KEEP,
    city: str | Keep = KEEP,
    district: str | Keep = KEEP,
    address: str | Keep = KEEP,
    purchase_proof: IO[bytes] | None = None,
) -> Ticket:
    """Correct the details given (``KEEP``: left as they are); ``purchase_proof``: a file (the
    invoice) kept with the correction as an internal attachment. Returns the ticket as stored."""
    given = {
        "channel": channel,
        "title": title,
        "description": description,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "serial_number": serial_number,
        "product_model_code": product_model_code,
        "batch": batch,
        "purchase_date": purchase_date,
        "occurred_at": occurred_at,
        "province": province,
        "city": city,
        "district": district,
        "address": address,
    }
    cleaned = _clean({name: value for name, value in given.items() if value is not KEEP})
    sniffed = sniff_upload(purchase_proof, field="purchase_proof") if purchase_proof is not None else None
    locked = lock_for_action(ticket=ticket, actor=actor, action="correct_details", expected_version=expected_version)
    proof = (purchase_proof, sniffed) if purchase_proof is not None and sniffed is not None else None
    return _apply(locked, actor=actor, cleaned=cleaned, proof=proof)


@transaction.atomic
def ticket_record_serial_on_site(*, ticket: Ticket, actor: User, serial_number: str, work_order_number: str) -> Ticket | None:
    """The serial number a technician read off the unit on site (``fieldservice``'s work record;
    the caller has checked that ``actor`` is the job's technician, on site, and holds the lock).
    Looked up and followed like a correction; the same serial number: None, nothing written."""
    cleaned = _clean({"serial_number": serial_number})
    locked = lock_ticket(ticket.pk)
    if locked.status in FINAL_STATUSES:
        raise archived_refusal(locked.status)
    try:
        return _apply(locked, actor=actor, cleaned=cleaned, proof=None, work_order=work_order_number)
    except NothingChanged:
        return None


# --- Checking the input (before the lock) ------------------------------------------------------


def _clean(given: dict[str, Any]) -> dict[str, Any]:
    """The details given, trimmed and checked as intake checks them; every bad one named."""
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, Any] = {}
    for name, raw in given.items():
        value = (raw or "").strip() if name not in {"purchase_date", "occurred_at"} else raw
        limit = MAX_LENGTH.get(name)
        if limit is not None and len(value) > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
            continue
        try:
            cleaned.update(_clean_one(name, value))
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors, code="details_invalid")
    return cleaned


def _clean_one(name: str, value: Any) -> dict[str, Any]:
    def refuse(message: Any) -> ValidationFailed:
        return ValidationFailed({name: [message]}, code="details_invalid")

    if name == "channel" and value not in Channel.values:
        raise refuse(_("Choose a valid channel."))
    if name == "description":
        if not value:
            raise refuse(_("Describe what happened."))
        if len(value) > MAX_DESCRIPTION:
            raise refuse(_("The description is too long (at most 20,000 characters)."))
    if name == "contact_name" and not value:
        raise refuse(_("Enter the customer's name."))
    if name == "contact_phone" and value:
        value = normalize_phone(value, field="contact_phone")
    if name == "contact_email" and value:
        value = normalize_email(value, field="contact_email")
    if name == "serial_number":
        value = value.upper()
    if name == "product_model_code":
        model = ProductModel.objects.filter(code=value).first() if value else None
        if value and model is None:
            raise refuse(_("No product model has this number."))
        return {"product_model": model}
    if name == "purchase_date" and value is not None and value > clock.local_today():
        raise refuse(_("The purchase date cannot be in the future."))
    if name == "occurred_at" and value is not None:
        if timezone.is_naive(value):  # a wall-clock time means the business zone (Asia/Shanghai)
            value = timezone.make_aware(value, timezone.get_default_timezone())
        if value > clock.now() + dt.timedelta(minutes=5):
            raise refuse(_("The time it happened cannot be in the future."))
        if value < EARLIEST:  # also: a year 1 in Asia/Shanghai is before year 1 in UTC
            raise refuse(_("The time it happened is too long ago: check the date."))
    return {name: value}


# --- Applying it (under the lock) --------------------------------------------------------------


def _apply(
    locked: Ticket,
    *,
    actor: User,
    cleaned: dict[str, Any],
    proof: tuple[IO[bytes], SniffedFile] | None,
    work_order: str = "",
) -> Ticket:
    changes = _changes(locked, cleaned)
    if not changes and proof is None:
        raise NothingChanged(_("Nothing to correct: every detail is as registered."))
    now = clock.now()
    before = {column: _plain(column, getattr(locked, column)) for column in changes}
    after = {column: _plain(column, value) for column, value in changes.items()}
    derived: dict[str, Any] = {}
    if "title" in changes or "description" in changes:  # the keyword search's index follows
        derived["search_grams"] = search_grams_for(
            changes.get("title", locked.title), changes.get("description", locked.description)
        )
    Ticket.objects.filter(pk=locked.pk).update(**changes, **derived, updated_at=now, version=F("version") + 1)
    if "region" in changes:
        ticket_counts_change(
            before=(locked.status, locked.category_id, locked.region_id),
            after=(locked.status, locked.category_id, changes["region"].pk),
        )
    unit = changes.get("product_unit")
    if unit is not None and unit.customer_id is None:  # as intake: the unit is the customer's now
        ProductUnit.objects.filter(pk=unit.pk, customer__isnull=True).update(customer=locked.customer_id)
    details = [name for name in LABELS if name in {COLUMN_DETAIL[c] for c in changes} or (name == "purchase_proof" and proof)]
    labels = [LABELS[name] for name in details]
    if work_order:
        text = deferred(_("Details corrected on site (work order %(number)s): %(fields)s"), number=work_order, fields=labels)
    else:
        text = deferred(_("Details corrected: %(fields)s"), fields=labels)
    data: dict[str, Any] = {"action": "correct_details", "fields": details}
    if work_order:
        data["work_order"] = work_order
    event = timeline(ticket=locked, actor=actor, public=False, kind=EventKind.FIELD_CHANGED, data=data, text=text)
    audited: dict[str, Any] = {column: [before[column], after[column]] for column in changes}
    if proof is not None:
        audited["purchase_proof"] = _store_proof(locked, actor=actor, event_id=event.pk, proof=proof).pk
    if work_order:
        audited["work_order"] = work_order
    audit_record(action=TicketAudit.DETAILS_CORRECTED, obj=locked, actor=actor, changes=audited)
    fresh = Ticket.objects.select_related("category", "product_model", "product_unit__model", "region", "assignee").get(
        pk=locked.pk
    )
    if "channel" in changes:
        TICKET_CHANNEL_CORRECTED.send(ticket=fresh)
    TICKET_DETAILS_CORRECTED.send(ticket=fresh, fields=tuple(details))
    return fresh


def _changes(locked: Ticket, cleaned: dict[str, Any]) -> dict[str, Any]:
    """Column → new value, for the columns whose value changes."""
    wanted: dict[str, Any] = {}
    for name in ("contact_name", "contact_phone", "contact_email", "occurred_at", "province", "city", "district", "address"):
        if name in cleaned:
            wanted[name] = cleaned[name]
    if "channel" in cleaned and cleaned["channel"] != locked.channel:
        if locked.channel not in AGENT_CHANNELS or cleaned["channel"] not in AGENT_CHANNELS:
            raise ValidationFailed(
                {"channel": [_("Only a channel an agent enters by hand can be corrected, and only to another such channel.")]},
                code="channel_fixed",
            )
        wanted["channel"] = cleaned["channel"]
    if "description" in cleaned:
        wanted["description"] = cleaned["description"]
    if "title" in cleaned:
        # As intake: without a title, the first line of the description stands for it.
        description = wanted.get("description", locked.description)
        wanted["title"] = cleaned["title"] or title_from_description(description)
    unit = locked.product_unit
    if "serial_number" in cleaned:
        serial = cleaned["serial_number"]
        unit = unit_find_by_serial(serial_number=serial) if serial else None
        wanted["reported_serial"] = serial
        wanted["product_unit"] = unit
    # A registered unit knows its model; a typed model number stands in only without one.
    if unit is not None:
        wanted["product_model"] = unit.model
    elif "product_model" in cleaned:
        wanted["product_model"] = cleaned["product_model"]
    if "batch" in cleaned:
        wanted["reported_batch"] = cleaned["batch"] or (unit.batch if unit is not None else "")
    if "purchase_date" in cleaned:
        wanted["reported_purchase_date"] = cleaned["purchase_date"]
    changes = {column: value for column, value in wanted.items() if _differs(locked, column, value)}
    if not (changes.get("contact_phone", locked.contact_phone) or changes.get("contact_email", locked.contact_email)):
        raise ValidationFailed({"contact_phone": [_("Enter a phone number or an email address.")]}, code="details_invalid")
    if "province" in changes or "city" in changes:
        region = _address_region(
            province=changes.get("province", locked.province),
            city=changes.get("city", locked.city),
            customer_id=locked.customer_id,
        )
        if region is not None and region.pk != locked.region_id:
            changes["region"] = region
    return changes


def _differs(locked: Ticket, column: str, value: Any) -> bool:
    if column in {"product_unit", "product_model"}:
        return getattr(locked, f"{column}_id") != (value.pk if value is not None else None)
    return bool(getattr(locked, column) != value)


def _address_region(*, province: str, city: str, customer_id: int) -> Region | None:
    """The region of a corrected address, as intake finds it: the address, else the customer's
    default address, else the customer's region (``intake._derive_region``)."""
    region = region_for(province=province, city=city)
    if region is None:
        home = Address.objects.filter(customer_id=customer_id, is_default=True).values_list("province", "city").first()
        if home is not None:
            region = region_for(province=home[0], city=home[1])
    if region is None:
        region = region_by_id(Customer.objects.filter(pk=customer_id).values_list("region_id", flat=True).first())
    return region


def _plain(column: str, value: Any) -> Any:
    """A value for the audit log: the unit by its serial number, the model and region by code."""
    if value is None:
        return None
    if column == "product_unit":
        return value.serial_number
    if column in {"product_model", "region"}:
        return value.code
    if isinstance(value, dt.date):  # also a datetime
        return value.isoformat()
    return value


def _store_proof(locked: Ticket, *, actor: User, event_id: int, proof: tuple[IO[bytes], SniffedFile]) -> Attachment:
    """The proof of purchase (kind ``purchase_proof``), kept with the correction's timeline entry
    (internal)."""
    fileobj, sniffed = proof
    attachment = attachment_stage(
        ticket_id=locked.pk,
        fileobj=fileobj,
        sniffed=sniffed,
        filename=upload_name(fileobj, default="proof"),
        public=False,
        actor_id=actor.pk,
        kind=EvidenceKind.PURCHASE_PROOF,
    )
    attachment.event_id = event_id
    attachment.save()
    return attachment
