"""The portal's reads of the customer's own records: their customer row, registered units and
default address (scoped to the customer given), the plan they accepted (to the ticket given)."""

from __future__ import annotations

from django.db.models import F

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductUnit
from aftersales.customers.models import Address, Customer
from aftersales.customers.selectors import customer_with_addresses
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
