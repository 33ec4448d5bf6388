"""The portal's reads of the customer's own records: their customer row, registered units and
default address (scoped to the customer given), the plan they accepted, the ticket's jobs with
their quotes and charges (to the ticket given), their in-app messages (to the user given)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from aftersales.accounts.models import User
from aftersales.billing.selectors import CustomerCharge, customer_charges_for
from aftersales.catalog.models import ProductUnit
from aftersales.customers.models import Address, Customer
from aftersales.customers.selectors import customer_with_addresses
from aftersales.fieldservice.charging import CHARGED_STATUSES
from aftersales.fieldservice.models import WorkOrder, WorkOrderKind, WorkOrderStatus, charge_text
from aftersales.fieldservice.services.quote import quote_path_for
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.selectors import notifications_inbox
from aftersales.tickets.models import AgreementDecision, CustomerAgreement, PlanStatus, Ticket, TicketPlan
from aftersales.tickets.process import ticket_current_plan

UNITS_OFFERED = 50  # the newest registered units a customer chooses from


def portal_customer_for(*, user: User) -> Customer | None:
    """The customer record of a portal account, with its addresses (the default first)."""
    own = Customer.objects.filter(user=user).values_list("pk", flat=True).first()
    return customer_with_addresses(customer_id=own) if own is not None else None


def portal_units_of(*, customer: Customer) -> list[ProductUnit]:
    """The customer's registered units, newest purchase first."""
    return list(
        ProductUnit.objects.filter(customer=customer)
        .select_related("model")
        .order_by(F("purchase_date").desc(nulls_last=True), "-id")[:UNITS_OFFERED]
    )


def portal_default_address(*, customer: Customer) -> Address | None:
    """The default address (``customer_with_addresses`` orders it first), else the first one."""
    addresses = list(customer.addresses.all())
    return addresses[0] if addresses else None


def portal_accepted_plan(*, ticket: Ticket) -> tuple[TicketPlan, CustomerAgreement] | None:
    """The current plan the customer accepted, with their acceptance (what they signed); call
    only with a ticket the caller may see (their own, or one opened by its signed link)."""
    plan = ticket_current_plan(ticket=ticket)
    if plan is None or plan.status != PlanStatus.AGREED:
        return None
    agreement = plan.agreements.filter(decision=AgreementDecision.ACCEPTED).order_by("-agreed_at", "-id").first()
    return (plan, agreement) if agreement is not None else None


# --- The ticket's jobs as the customer sees them: the quote to answer, what they pay ----------


@dataclass(frozen=True)
class MoneyLine:
    """One line of a quote or a charge, in the reader's language (never the cost)."""

    what: str
    amount: Decimal
    free: bool


@dataclass(frozen=True)
class PortalQuote:
    """A quote sent for a job: ``state`` waiting (the customer answers on ``url``, the quote's
    signed page), confirmed or declined."""

    total: Decimal
    lines: list[MoneyLine]
    state: str
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None
    url: str


@dataclass(frozen=True)
class PortalJob:
    """A technician's job on the ticket: what it is, when, its quote and its final charge (the
    work order's charge lines, once the work is done), and whether that charge is paid
    (``payment``: the billing app's receivable as the customer reads it; ``None`` while there is
    none — a free job, or the work not finished)."""

    work_order_id: int
    number: str
    measure_id: int | None
    kind: str
    start: dt.datetime | None
    quote: PortalQuote | None
    charge_total: Decimal | None
    charge_lines: list[MoneyLine] = field(default_factory=list)
    payment: CustomerCharge | None = None

    @property
    def pays(self) -> Decimal | None:
        """What the customer pays for this job as far as known now: the final charge, else the
        quote they confirmed; ``None``: the plan's estimate still stands."""
        if self.charge_total is not None:
            return self.charge_total
        if self.quote is not None and self.quote.state == QUOTE_CONFIRMED:
            return self.quote.total
        return None


QUOTE_WAITING, QUOTE_CONFIRMED, QUOTE_DECLINED = "waiting", "confirmed", "declined"


def _quote_of(order: WorkOrder) -> PortalQuote | None:
    if not order.chargeable or order.quote_sent_at is None:
        return None
    if order.quote_confirmed_at is not None:
        state, answered = QUOTE_CONFIRMED, order.quote_confirmed_at
    elif order.quote_declined_at is not None:
        state, answered = QUOTE_DECLINED, order.quote_declined_at
    else:
        state, answered = QUOTE_WAITING, None
    lines = [
        MoneyLine(
            what=charge_text(line, "description"),
            amount=Decimal(str(line.get("charge_amount") or 0)),
            free=bool(line.get("free")),
        )
        for line in (order.quote_lines or [])
        if isinstance(line, dict)
    ]
    return PortalQuote(
        total=Decimal(order.quote_total),
        lines=lines,
        state=state,
        sent_at=order.quote_sent_at,
        answered_at=answered,
        url=quote_path_for(order),
    )


def portal_ticket_jobs(*, ticket: Ticket) -> list[PortalJob]:
    """The ticket's jobs that say something about money — a quote sent, or the work charged —
    oldest first, each charged one with what is paid of it; cancelled jobs left out. Call only
    with a ticket the caller may see."""
    orders = list(
        WorkOrder.objects.filter(ticket=ticket)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .prefetch_related("charge_lines")
        .order_by("created_at", "id")
    )
    payments = customer_charges_for([o.pk for o in orders if o.costed_at is not None and o.status in CHARGED_STATUSES])
    jobs = []
    for order in orders:
        charged = order.costed_at is not None and order.status in CHARGED_STATUSES
        quote = _quote_of(order)
        if quote is None and not charged:
            continue
        charge_lines = (
            [
                MoneyLine(what=line.shown_description, amount=Decimal(line.charge_amount), free=line.free)
                for line in order.charge_lines.all()
            ]
            if charged
            else []
        )
        jobs.append(
            PortalJob(
                work_order_id=order.pk,
                number=order.number,
                measure_id=order.measure_id,
                kind=str(WorkOrderKind(order.kind).label) if order.kind in WorkOrderKind.values else "",
                start=order.appointment_start,
                quote=quote,
                charge_total=Decimal(order.charge_total) if charged else None,
                charge_lines=charge_lines,
                payment=payments.get(order.pk) if charged else None,
            )
        )
    return jobs


def portal_quote_links(*, jobs: list[PortalJob]) -> dict[str, str]:
    """Work-order number → its quote page (the timeline's "We sent you a quote" links there)."""
    return {job.number: job.quote.url for job in jobs if job.quote is not None}


# --- The customer's in-app messages -----------------------------------------------------------


def portal_messages(*, user: User, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    """The customer's own in-app copies of the messages we sent them, newest first."""
    return notifications_inbox(user=user, unread_only=unread_only, limit=limit)


def portal_unread_messages(*, user: User) -> int:
    return Notification.objects.filter(user=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).count()
