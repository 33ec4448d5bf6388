"""Reads of the API, scoped to the caller: the owner's data scope, narrowed by the key's region.

Built on the ticket, customer and catalog selectors; nothing here widens what the web pages
would show the same user.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, User
from aftersales.catalog.models import ProductModel, ProductUnit
from aftersales.catalog.selectors import unit_find_by_serial
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.customers.search import customer_search
from aftersales.feedback.models import Survey
from aftersales.tickets.models import Attachment, Ticket
from aftersales.tickets.selectors import (  # the keyset helpers of the agent's list, reused as they are
    SORTS,
    _cursor_values,
    _decode_cursor,
    _encode_cursor,
    _order_and_after,
    attachment_get_for_user,
    ticket_load_optional_relations,
    ticket_search_filter,
    tickets_visible_to,
)
from aftersales.tickets.selectors.listing import number_q

from .caller import Caller
from .models import ApiKey, KeyKind

T = TypeVar("T")


def api_tickets_visible(*, caller: Caller) -> QuerySet[Ticket]:
    """The caller's tickets; a key limited to a region sees that region's tickets, and also those
    filed through this key whose address put them in another region (a store in 江苏 that files a
    request for an address in 广东 still follows it: uploads the photos, reads the answer)."""
    qs = tickets_visible_to(caller.user)
    if caller.region_id is not None:
        filed_here = Q(api_key_id=caller.key.pk) if caller.key is not None else Q(pk__in=[])
        qs = qs.filter(Q(region_id=caller.region_id) | filed_here)
    return qs


def api_ticket_get(*, caller: Caller, number: str) -> Ticket:
    """The ticket ``number`` if the caller may see it; ``NotFound`` otherwise (no existence leak)."""
    ticket = (
        api_tickets_visible(caller=caller)
        .select_related("customer", "category", "assignee")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if ticket is None:
        raise NotFound(_("No ticket with this number is visible to you."), code="ticket_not_found")
    return ticket_load_optional_relations(ticket)  # see tickets.selectors.ticket_get_for_user


def api_attachment_get(*, caller: Caller, attachment_id: int) -> Attachment:
    attachment = attachment_get_for_user(user=caller.user, attachment_id=attachment_id)
    ticket = attachment.ticket
    filed_here = caller.key is not None and ticket.api_key_id == caller.key.pk
    if caller.region_id is not None and ticket.region_id != caller.region_id and not filed_here:
        raise NotFound(_("No attachment with this id is visible to you."), code="attachment_not_found")
    return attachment


def api_customers_visible(*, caller: Caller) -> QuerySet[Customer]:
    """Customers a staff caller may see: everybody for an unrestricted "all" scope, otherwise
    those of the region (the key's, else the user's) or with a ticket the caller may see."""
    user = caller.user
    if user.is_customer or not user.is_active:
        return Customer.objects.none()
    unrestricted = user.is_superuser or user.data_scope == DataScope.ALL
    if unrestricted and caller.region_id is None:
        return Customer.objects.all()
    with_ticket = Exists(api_tickets_visible(caller=caller).filter(customer_id=OuterRef("pk")))
    region_id = caller.region_id or (user.region_id if user.data_scope == DataScope.REGION else None)
    condition = Q(with_ticket)
    if region_id is not None:
        condition |= Q(region_id=region_id)
    return Customer.objects.filter(condition)


def api_customer_get(*, caller: Caller, customer_id: int) -> Customer:
    customer = api_customers_visible(caller=caller).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No customer with this id is visible to you."), code="customer_not_found")
    return customer


def api_unit_get(*, caller: Caller, serial_number: str) -> ProductUnit:
    """A registered unit by serial number. Customers see only their own units."""
    unit = unit_find_by_serial(serial_number=serial_number)
    if unit is None or (caller.user.is_customer and (unit.customer is None or unit.customer.user_id != caller.user.pk)):
        raise NotFound(_("No product unit has this serial number."), code="unit_not_found")
    return unit


def api_survey_latest(*, ticket: Ticket) -> Survey | None:
    """The ticket's latest survey (pending, answered or expired). Call with a scoped ticket."""
    return Survey.objects.filter(ticket=ticket).order_by("-sent_at", "-id").first()


def api_keys_of(*, owner_id: int) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(owner_id=owner_id).select_related("region")


def api_sign_in_tokens_of(*, user: User, now: dt.datetime) -> QuerySet[ApiKey]:
    """``user``'s live sign-in tokens (the devices signed in to the app), newest first."""
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    return ApiKey.objects.filter(live, owner=user, kind=KeyKind.SIGN_IN, revoked_at__isnull=True).order_by("-created_at", "-id")


def api_own_customer_id(user: User) -> int | None:
    """A customer's own customer record (their portal account's); None for staff."""
    if not user.is_customer:
        return None
    return Customer.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


# --- Pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiTicketFilters:
    statuses: tuple[str, ...] = ()
    channel: str = ""
    priority: int | None = None
    query: str = ""
    updated_since: dt.datetime | None = None
    customer_id: int | None = None
    # The staff list's drill-downs (``tickets.selectors.listing.TicketFilters``): a product model's
    # code, a responsibility, a request type (each exact; "" = any), a number or its start.
    product_model: str = ""
    responsibility: str = ""
    request_type: str = ""
    number: str = ""
    party: str = ""  # a responsible party's register code


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    next_cursor: str | None
    total: int | None = None


def api_ticket_page(
    *, caller: Caller, filters: ApiTicketFilters, sort: str = "-created", cursor: str | None = None, limit: int = 25
) -> Page[Ticket]:
    """One page of the caller's tickets by keyset (the list pages' cursor format and sort orders)."""
    if sort not in SORTS:
        sort = "-created"
    qs = api_tickets_visible(caller=caller)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.customer_id is not None:  # within what the caller sees: another's customer is an empty page
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.updated_since is not None:
        since = filters.updated_since
        if timezone.is_naive(since):  # a wall-clock time means the business zone (Asia/Shanghai)
            since = timezone.make_aware(since, timezone.get_default_timezone())
        qs = qs.filter(updated_at__gte=since)
    if filters.product_model:
        if not ProductModel.objects.filter(code=filters.product_model).exists():
            raise ValidationFailed({"product_model": [_("No product model has this code.")]}, code="product_model_unknown")
        qs = qs.filter(product_model__code=filters.product_model)
    if filters.responsibility:
        qs = qs.filter(responsibility=filters.responsibility)
    if filters.request_type:
        qs = qs.filter(request_type=filters.request_type)
    if filters.number:
        qs = qs.filter(number_q(filters.number))
    if filters.party:
        qs = qs.filter(responsible_party_ref__code=filters.party.strip().lower())
    if filters.query:
        qs = qs.filter(ticket_search_filter(filters.query))
    total = qs.count()
    after = _decode_cursor(cursor, sort) if cursor else None
    if cursor and after is None:
        raise ValidationFailed({"cursor": [_("This cursor is not valid; start from the first page.")]}, code="cursor_invalid")
    rows = list(_order_and_after(qs, sort, after).select_related("category")[: limit + 1])
    next_cursor = _encode_cursor(_cursor_values(rows[limit - 1], sort)) if len(rows) > limit else None
    return Page(rows=rows[:limit], next_cursor=next_cursor, total=total)


def _id_cursor(value: str) -> int:
    try:
        padded = value + "=" * (-len(value) % 4)
        decoded = int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValidationFailed(
            {"cursor": [_("This cursor is not valid; start from the first page.")]}, code="cursor_invalid"
        ) from None
    return decoded


def api_customer_page(*, caller: Caller, query: str = "", cursor: str | None = None, limit: int = 25) -> Page[Customer]:
    qs = api_customers_visible(caller=caller).select_related("region").order_by("id")
    qs = customer_search(qs, query)  # the staff pages' search: same reading, same indexes
    if cursor:
        qs = qs.filter(id__gt=_id_cursor(cursor))
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        next_cursor = base64.urlsafe_b64encode(str(rows[limit - 1].pk).encode()).decode().rstrip("=")
    return Page(rows=rows[:limit], next_cursor=next_cursor)
