"""Reads of refunds and compensations, always scoped to the reader: what belongs to the tickets
``tickets_visible_to(user)`` returns (a customer their own; staff by their data scope)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.core.masking import mask_name
from aftersales.customers.models import Customer
from aftersales.remedies.models import Purchase
from aftersales.remedies.selectors import purchase_of
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure, PlanStatus, Ticket
from aftersales.tickets.selectors.scope import tickets_visible_to

from .models import Compensation, CompensationKind, FulfilmentStatus, Refund
from .services import can_decide, can_fulfil, recent_window_days, refund_paid_so_far, ticket_daily_rate
from .states import VOID_STATUSES

FS = FulfilmentStatus
# Who sees a customer's bank account in full: those who pay it.
BANK_DETAIL_ROLES = frozenset({Role.FINANCE, Role.ADMINISTRATOR})


def refunds_visible_to(user: User) -> QuerySet[Refund]:
    return Refund.objects.filter(ticket__in=tickets_visible_to(user)).select_related(
        "ticket", "customer", "measure", "purchase", "requested_by", "decided_by", "fulfilled_by"
    )


def compensations_visible_to(user: User) -> QuerySet[Compensation]:
    return Compensation.objects.filter(ticket__in=tickets_visible_to(user)).select_related(
        "ticket", "customer", "measure", "gift_part", "warehouse", "requested_by", "decided_by", "fulfilled_by"
    )


def refund_get_for_user(*, user: User, number: str) -> Refund:
    found = refunds_visible_to(user).filter(number=number).first()
    if found is None:
        raise NotFound(_("No such refund."), code="not_found")
    return found


def compensation_get_for_user(*, user: User, number: str) -> Compensation:
    found = compensations_visible_to(user).filter(number=number).first()
    if found is None:
        raise NotFound(_("No such compensation."), code="not_found")
    return found


def refunds_to_pay(*, user: User) -> QuerySet[Refund]:
    """The finance role's queue: approved refunds to pay, then paid ones to confirm; oldest first."""
    return refunds_visible_to(user).filter(status__in=[FS.APPROVED, FS.PAID]).order_by("status", "requested_at", "id")


def compensations_to_fulfil(*, user: User) -> QuerySet[Compensation]:
    """What the user's role fulfils (marketing: coupons, points, free service; warehouse: gifts;
    finance: cash; administrators: all), approved or issued and awaiting confirmation."""
    qs = compensations_visible_to(user).filter(status__in=[FS.APPROVED, FS.PAID])
    if not (user.is_superuser or user.role == Role.ADMINISTRATOR):
        kinds = [k for k in CompensationKind.values if can_fulfil(user, Compensation(kind=k))]
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("status", "requested_at", "id")


def awaiting_decision(*, user: User) -> tuple[list[Refund], list[Compensation]]:
    """The requests the user may approve: urgent tickets first (SPEC §2.4), then oldest first."""
    order = ("ticket__priority", "requested_at", "id")
    waiting_refunds = refunds_visible_to(user).filter(status=FS.AWAITING_APPROVAL).order_by(*order)[:100]
    waiting_comps = compensations_visible_to(user).filter(status=FS.AWAITING_APPROVAL).order_by(*order)[:100]
    refunds = [r for r in waiting_refunds if can_decide(user, r)]
    comps = [c for c in waiting_comps if can_decide(user, c)]
    return refunds, comps


def ticket_refunds(*, user: User, ticket: Ticket) -> list[Refund]:
    return list(refunds_visible_to(user).filter(ticket=ticket).order_by("requested_at", "id"))


def ticket_compensations(*, user: User, ticket: Ticket) -> list[Compensation]:
    return list(compensations_visible_to(user).filter(ticket=ticket).order_by("requested_at", "id"))


def open_measures(*, ticket: Ticket, kind: str) -> list[PlanMeasure]:
    """The REFUND or COMPENSATION measures of the current agreed plan not yet finished."""
    return list(
        PlanMeasure.objects.filter(plan__ticket=ticket, plan__is_current=True, plan__status=PlanStatus.AGREED, kind=kind)
        .exclude(status__in=[MeasureStatus.DONE, MeasureStatus.CANCELLED])
        .order_by("position", "id")
    )


def refund_measures(*, ticket: Ticket) -> list[PlanMeasure]:
    return open_measures(ticket=ticket, kind=MeasureKind.REFUND)


def compensation_measures(*, ticket: Ticket) -> list[PlanMeasure]:
    return open_measures(ticket=ticket, kind=MeasureKind.COMPENSATION)


@dataclass(frozen=True)
class HistoryEntry:
    number: str
    what: str  # "refund" | "compensation"
    label: object
    ticket_number: str
    amount: Decimal
    status: str
    status_label: object
    requested_at: dt.datetime
    recent: bool


@dataclass(frozen=True)
class CustomerHistory:
    customer: Customer
    entries: list[HistoryEntry]
    window_days: int
    recent_count: int  # compensations and refunds (not refused or cancelled) within the window
    recent_total: Decimal

    @property
    def warning(self) -> bool:
        return self.recent_count > 0


def customer_history(*, user: User, customer: Customer, exclude: Refund | Compensation | None = None) -> CustomerHistory:
    """The customer's refunds and compensations the reader may see, newest first, and the abuse
    check: how many (not refused or cancelled) fall in the last ``COMPENSATION_RECENT_DAYS`` days
    — counted over every ticket of the customer, whoever handled it, so an agent cannot miss one
    of another region (only the count and total, not the other tickets' details)."""
    days = recent_window_days()
    since = clock.now() - dt.timedelta(days=days)
    entries: list[HistoryEntry] = []
    for item in list(refunds_visible_to(user).filter(customer=customer)[:50]) + list(
        compensations_visible_to(user).filter(customer=customer)[:50]
    ):
        is_refund = isinstance(item, Refund)
        entries.append(
            HistoryEntry(
                number=item.number,
                what="refund" if is_refund else "compensation",
                label=_("Refund") if isinstance(item, Refund) else CompensationKind(item.kind).label,
                ticket_number=item.ticket.number,
                amount=item.amount,
                status=item.status,
                status_label=FS(item.status).label,
                requested_at=item.requested_at,
                recent=item.requested_at >= since and item.status not in VOID_STATUSES,
            )
        )
    entries.sort(key=lambda e: e.requested_at, reverse=True)
    count = 0
    total = Decimal("0")
    for model in (Refund, Compensation):
        qs = model.objects.filter(customer=customer, requested_at__gte=since).exclude(status__in=VOID_STATUSES)
        if exclude is not None and isinstance(exclude, model):
            qs = qs.exclude(pk=exclude.pk)
        for amount in qs.values_list("amount", flat=True):
            count += 1
            total += amount
    return CustomerHistory(customer=customer, entries=entries, window_days=days, recent_count=count, recent_total=total)


def customer_get_for_history(*, user: User, customer_id: int) -> Customer:
    """A customer whose tickets the staff user sees."""
    if user.is_customer:
        raise NotFound(_("No such customer."), code="not_found")
    customer = Customer.objects.filter(pk=customer_id, tickets__in=tickets_visible_to(user)).distinct().first()
    if customer is None:
        raise NotFound(_("No such customer."), code="not_found")
    return customer


def bank_account_shown(user: User, refund: Refund) -> str:
    """The account number in full for finance and administrators; masked for everyone else."""
    number = refund.account_number
    if not number:
        return ""
    if user.is_superuser or user.role in BANK_DETAIL_ROLES:
        return number
    return "**** " + number[-4:]


def account_name_shown(user: User, refund: Refund) -> str:
    name = refund.account_name
    if not name or user.is_superuser or user.role in BANK_DETAIL_ROLES:
        return name
    return mask_name(name)


def _comparable_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def account_holder_differs(refund: Refund) -> bool:
    """The bank account's holder is neither the customer nor the ticket's contact person: money
    to a third party's account, which finance checks before paying (a refund paid to the wrong
    person is lost). An empty holder (no bank transfer) differs from no one."""
    holder = _comparable_name(refund.account_name or "")
    if not holder:
        return False
    names = {_comparable_name(refund.customer.name), _comparable_name(refund.ticket.contact_name or "")}
    return holder not in names


@dataclass(frozen=True)
class RefundLimits:
    purchase: Purchase | None
    refunded: Decimal
    left: Decimal | None
    daily_rate: Decimal


def refund_limits(*, ticket: Ticket) -> RefundLimits:
    """What the refund form shows: the unit's recorded purchase (``remedies.Purchase``), what is
    refunded so far, the daily rate of the ticket's 三包 policy."""
    purchase = purchase_of(unit_id=ticket.product_unit_id)
    refunded = refund_paid_so_far(purchase) if purchase else Decimal("0")
    left = (purchase.price_paid - refunded) if purchase else None
    return RefundLimits(purchase=purchase, refunded=refunded, left=left, daily_rate=ticket_daily_rate(ticket))
