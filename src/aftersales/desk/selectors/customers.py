"""Reads of the staff's customer pages (``desk.customer_views``): which customers a member of
staff sees, the list with its search, and the customer's page — contacts, addresses, consents
and their history, and the service history (tickets, product units with their warranty,
revisits, satisfaction) — each masked for roles that need no full number.

Who sees which customer (docs/customers.md, "Who sees what"):

* staff whose data scope is everything (and superusers): every customer;
* other staff: the customers of the tickets they see and those of their region — the intake's
  rule (``tickets.selectors.lookup.customers_visible_to``), the API's ``GET /customers`` likewise;
* technicians: only the customers of the work orders dispatched to them (and of tickets they
  see);
* customers (portal users): none — the pages refuse them.

Phones, emails and street addresses are shown in full only to the roles that work with
personal data (``User.sees_personal_data``); the list masks them for everybody (the page of one
customer shows them, and its view is audited).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet

from aftersales.accounts.models import Role, User
from aftersales.catalog.models import ProductUnit
from aftersales.catalog.warranty import WarrantyStatus, warranty_status
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.core.masking import mask_email
from aftersales.customers.models import Address, ConsentRecord, Contact, Customer, CustomerTier
from aftersales.customers.permissions import can_edit_customers, can_set_tier
from aftersales.customers.phones import display_phone
from aftersales.customers.search import customer_search
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.fieldservice.permissions import work_orders_visible_to
from aftersales.revisits.selectors import CustomerRevisits, customer_revisits
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import sees_every_ticket, tickets_visible_to
from aftersales.tickets.selectors.lookup import customers_visible_to as intake_customers_visible_to
from aftersales.tickets.states import OPEN_STATUS_LIST

PAGE_SIZE = 25
# The list counts its matches exactly up to this many ("more than 200" above), as the ticket
# search does: each one counted is a row read, and eight pages are more than anybody reads.
CUSTOMER_TOTAL_CAP = 200
TICKETS_ON_PAGE = 50
UNITS_ON_PAGE = 50
CONSENTS_ON_PAGE = 20


def sees_customer_pages(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def customers_visible_to(user: User) -> QuerySet[Customer]:
    """The customers ``user`` sees on the customer pages (the module's doc)."""
    if not sees_customer_pages(user):
        return Customer.objects.none()
    if user.role == Role.TECHNICIAN and not user.is_superuser:
        jobs = work_orders_visible_to(user).filter(ticket__customer_id=OuterRef("pk"))
        tickets = tickets_visible_to(user).filter(customer_id=OuterRef("pk"))
        return Customer.objects.filter(Q(Exists(jobs)) | Q(Exists(tickets)))
    return intake_customers_visible_to(user)


def customer_get_for_user(*, user: User, customer_id: int) -> Customer:
    """The customer ``customer_id`` if ``user`` may see them; ``NotFound`` otherwise (no
    existence leak)."""
    customer = customers_visible_to(user).select_related("region", "user").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("customer not found", code="customer_not_found")
    return customer


# --- The list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    kind: str
    tier: str
    tier_label: str
    phone: str
    email: str
    region: str
    erased: bool


@dataclass(frozen=True)
class CustomerListPage:
    rows: list[CustomerRow]
    next_after: int | None  # the keyset cursor of the next page (the last id shown), None on the last
    total: int = 0  # the matches of the search on every page, at most CUSTOMER_TOTAL_CAP
    total_capped: bool = False  # more matches than ``total``


def customer_list_for_user(*, user: User, query: str = "", tier: str = "", after: int | None = None) -> CustomerListPage:
    """One page of the customers ``user`` sees, newest first, by keyset (``id < after``): the
    search (``customers.search``: name part, phone or its last digits, email, external code) and
    the tier narrow it. Phones and emails are masked on the list for everybody."""
    qs = customer_search(customers_visible_to(user), query)
    if tier in CustomerTier.values:
        qs = qs.filter(tier=tier)
    total = qs.order_by()[: CUSTOMER_TOTAL_CAP + 1].count()
    if after is not None:
        qs = qs.filter(id__lt=after)
    found = list(
        qs.select_related("region")
        .order_by("-id")[: PAGE_SIZE + 1]
        .values_list("id", "name", "kind", "tier", "phone", "email", "region__name", "erased_at")
    )
    rows = [
        CustomerRow(
            id=pk,
            name=name,
            kind=kind,
            tier=tier_value,
            tier_label=str(CustomerTier(tier_value).label) if tier_value in CustomerTier.values else tier_value,
            phone="" if erased_at else display_phone(phone, masked=True),
            email="" if erased_at else mask_email(email),
            region=region or "",
            erased=erased_at is not None,
        )
        for pk, name, kind, tier_value, phone, email, region, erased_at in found[:PAGE_SIZE]
    ]
    return CustomerListPage(
        rows=rows,
        next_after=rows[-1].id if len(found) > PAGE_SIZE else None,
        total=min(total, CUSTOMER_TOTAL_CAP),
        total_capped=total > CUSTOMER_TOTAL_CAP,
    )


# --- The customer's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressView:
    address: Address
    text: str  # the whole address, or province/city/district and a masked street


@dataclass(frozen=True)
class ContactView:
    contact: Contact
    phone: str
    email: str


@dataclass(frozen=True)
class UnitView:
    unit: ProductUnit
    warranty: WarrantyStatus


@dataclass
class CustomerFile:
    """Everything the customer's page shows ``viewer``; nothing personal of an erased customer."""

    customer: Customer
    masked: bool
    erased: bool
    may_edit: bool
    may_set_tier: bool
    phone: str = ""
    email: str = ""
    notes: str = ""
    addresses: list[AddressView] = field(default_factory=list)
    contacts: list[ContactView] = field(default_factory=list)
    consents: list[ConsentRecord] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    tickets_total: int = 0  # every ticket of the customer
    tickets_visible: int = 0  # those the viewer may open
    tickets_open: int = 0
    units: list[UnitView] = field(default_factory=list)
    units_total: int = 0
    revisits: CustomerRevisits = field(default_factory=CustomerRevisits)
    surveys_answered: int = 0
    satisfaction: float | None = None  # the mean overall score (1–5) of the answered surveys
    has_portal_account: bool = False

    @property
    def tickets_hidden(self) -> int:
        return self.tickets_total - self.tickets_visible


def _masked_street(address: Address) -> str:
    head = f"{address.province}{address.city}{address.district}"
    return f"{head} ***" if address.detail else head


def customer_file(*, user: User, customer: Customer, today: dt.date | None = None) -> CustomerFile:
    """The customer's page for ``user``; ``customer`` was read for them (``customer_get_for_user``)."""
    today = today or clock.local_today()
    masked = not user.sees_personal_data
    erased = customer.erased_at is not None
    page = CustomerFile(
        customer=customer,
        masked=masked,
        erased=erased,
        may_edit=can_edit_customers(user) and not erased,
        may_set_tier=can_set_tier(user) and not erased,
        has_portal_account=customer.user_id is not None,
    )
    if not erased:
        page.phone = display_phone(customer.phone, masked=masked)
        page.email = mask_email(customer.email) if masked else customer.email
        page.notes = "" if masked else customer.notes
        page.addresses = [
            AddressView(a, _masked_street(a) if masked else f"{a}{' ' + a.postal_code if a.postal_code else ''}")
            for a in customer.addresses.order_by("-is_default", "id")
        ]
        page.contacts = [
            ContactView(c, display_phone(c.phone, masked=masked), mask_email(c.email) if masked else c.email)
            for c in customer.contacts.order_by("id")
        ]
        page.consents = list(customer.consents.select_related("actor")[:CONSENTS_ON_PAGE])
    _service_history(page, user, customer, today)
    return page


def _service_history(page: CustomerFile, user: User, customer: Customer, today: dt.date) -> None:
    mine = Ticket.objects.filter(customer=customer)
    counts: dict[str, Any] = mine.aggregate(total=Count("id"), open=Count("id", filter=Q(status__in=OPEN_STATUS_LIST)))
    page.tickets_total, page.tickets_open = counts["total"], counts["open"]
    visible = tickets_visible_to(user).filter(customer=customer)
    page.tickets_visible = page.tickets_total if sees_every_ticket(user) else visible.count()
    page.tickets = list(visible.select_related("category").order_by("-created_at", "-id")[:TICKETS_ON_PAGE])
    units = (
        ProductUnit.objects.filter(customer=customer)
        .select_related("model__category", "model__warranty_policy")
        .order_by("-purchase_date", "-id")
    )
    page.units = [UnitView(u, warranty_status(u, today)) for u in units[:UNITS_ON_PAGE]]
    page.units_total = len(page.units) if len(page.units) < UNITS_ON_PAGE else units.count()
    page.revisits = customer_revisits(user=user, customer=customer)
    answered = Survey.objects.filter(ticket__customer=customer, status=SurveyStatus.SUBMITTED).aggregate(
        n=Count("id"), mean=Avg("overall")
    )
    page.surveys_answered = answered["n"]
    page.satisfaction = float(answered["mean"]) if answered["mean"] is not None else None


def customer_for_editing(*, user: User, customer_id: int) -> Customer:
    """The customer ``user`` edits, with the addresses, read in their scope."""
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    customer = Customer.objects.prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("-is_default", "id"))
    ).get(pk=customer.pk)
    return customer
