"""Likely duplicates of a new ticket: open tickets of the same customer, phone, serial or address,
registered within a window (``TRIAGE_DUPLICATE_DAYS``), whose text is similar.

Similarity is the cosine of the two texts' sets of character bigrams, taken on the normalised
text (``core.text.normalise``: NFKC, lower case — the ticket search's bigrams,
``tickets.search.normalised_bigrams``), so ＭＰ３ and MP3 count alike. A candidate counts from
``TRIAGE_DUPLICATE_THRESHOLD``; the best ``MAX_DUPLICATES`` are kept with their score and why they
are candidates (same customer, phone, serial, address).

The candidates are read in one statement bounded by the window (``created_at``'s index) and by
the keys: the customer (``ticket_customer_idx``: customer, created_at), the registered unit (its
foreign-key index), customers with the same phone (``Customer.phone``'s index); the reported
phone, serial and address are compared within the window (see docs/triage.md for the indexes
that make those keyed too). At most ``MAX_CANDIDATES`` newest candidates are compared."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.tickets.models import Ticket
from aftersales.tickets.search import normalised_bigrams
from aftersales.tickets.states import OPEN_STATUS_LIST

MAX_DUPLICATES = 5
MAX_CANDIDATES = 200
MAX_PHONE_CUSTOMERS = 20

SAME_CUSTOMER = "same_customer"
SAME_PHONE = "same_phone"
SAME_SERIAL = "same_serial"
SAME_ADDRESS = "same_address"
REASON_LABELS = {
    SAME_CUSTOMER: _("same customer"),
    SAME_PHONE: _("same phone"),
    SAME_SERIAL: _("same serial number"),
    SAME_ADDRESS: _("same address"),
}


def window_days() -> int:
    return int(getattr(settings, "TRIAGE_DUPLICATE_DAYS", 30))


def threshold() -> float:
    return float(getattr(settings, "TRIAGE_DUPLICATE_THRESHOLD", 0.3))


@dataclass(frozen=True)
class Duplicate:
    ticket_id: int
    number: str
    score: float
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"ticket_id": self.ticket_id, "number": self.number, "score": self.score, "reasons": list(self.reasons)}


def text_of(title: str, description: str) -> set[str]:
    return normalised_bigrams(f"{title}\n{description}")


def similarity(a: set[str], b: set[str]) -> float:
    """Cosine of two sets of bigrams: shared / sqrt(|a| · |b|), 0..1."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _address_key(province: str, city: str, district: str, address: str) -> str:
    return "|".join(part.strip() for part in (province, city, district, address)) if address.strip() else ""


def find_duplicates(ticket: Ticket, *, now: dt.datetime | None = None) -> list[Duplicate]:
    """The likely duplicates of ``ticket`` among open tickets of the window, best first."""
    now = now or clock.now()
    since = now - dt.timedelta(days=window_days())
    phone = (ticket.contact_phone or "").strip()
    serial = (ticket.reported_serial or "").strip()
    keys = Q(customer_id=ticket.customer_id)
    if ticket.product_unit_id is not None:
        keys |= Q(product_unit_id=ticket.product_unit_id)
    if phone:
        phone_customers = list(
            Customer.objects.filter(phone=phone).exclude(pk=ticket.customer_id).values_list("pk", flat=True)[:MAX_PHONE_CUSTOMERS]
        )
        if phone_customers:
            keys |= Q(customer_id__in=phone_customers)
        keys |= Q(contact_phone=phone)
    if serial:
        keys |= Q(reported_serial=serial)
    if (ticket.address or "").strip():
        keys |= Q(city=ticket.city, address=ticket.address)
    candidates = (
        Ticket.objects.filter(keys, created_at__gte=since, created_at__lte=now, status__in=OPEN_STATUS_LIST)
        .exclude(pk=ticket.pk)
        .select_related("customer")
        .only(
            "id",
            "number",
            "title",
            "description",
            "customer_id",
            "customer__phone",
            "contact_phone",
            "reported_serial",
            "product_unit_id",
            "province",
            "city",
            "district",
            "address",
            "created_at",
        )
        .order_by("-created_at")[:MAX_CANDIDATES]
    )
    mine = text_of(ticket.title, ticket.description)
    my_address = _address_key(ticket.province, ticket.city, ticket.district, ticket.address)
    my_phones = {p for p in (phone, ticket.customer.phone if ticket.customer_id else "") if p}
    limit = threshold()
    found: list[Duplicate] = []
    for other in candidates:
        score = similarity(mine, text_of(other.title, other.description))
        if score < limit:
            continue
        reasons: list[str] = []
        if other.customer_id == ticket.customer_id:
            reasons.append(SAME_CUSTOMER)
        if my_phones & {p for p in (other.contact_phone, other.customer.phone) if p}:
            reasons.append(SAME_PHONE)
        same_unit = ticket.product_unit_id is not None and other.product_unit_id == ticket.product_unit_id
        if same_unit or (serial and other.reported_serial == serial):
            reasons.append(SAME_SERIAL)
        if my_address and _address_key(other.province, other.city, other.district, other.address) == my_address:
            reasons.append(SAME_ADDRESS)
        found.append(Duplicate(ticket_id=other.pk, number=other.number, score=round(score, 3), reasons=tuple(reasons)))
    found.sort(key=lambda d: (-d.score, -d.ticket_id))
    return found[:MAX_DUPLICATES]
