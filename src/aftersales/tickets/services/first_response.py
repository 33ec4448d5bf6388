"""The first response: the first customer-facing contact by staff stops the first-response clock.

Customer-facing is what reaches the customer from a person: a message or a call recorded on the
timeline, a verification call, a request for information, the plan sent to them, a rejection
with its reason, their answer taken by phone. Internal notes, automatic acknowledgements and the
customer's own messages do not count. The contact's timeline entry is marked
(``data["first_response"]`` = what it was), so the ticket page says what stopped the clock; the
SLA app meets the clock through ``tickets.effects.TICKET_FIRST_RESPONSE``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock

from ..effects import TICKET_FIRST_RESPONSE
from ..models import Ticket, TicketEvent


class FirstResponseVia(models.TextChoices):
    """What stopped the first-response clock (stored on the contact's timeline entry)."""

    MESSAGE = "message", _("Message to the customer")
    CALL = "call", _("Phone call with the customer")
    VERIFICATION = "verification", _("Verification contact with the customer")
    INFORMATION_REQUEST = "information_request", _("Information requested from the customer")
    PLAN_SENT = "plan_sent", _("Plan sent to the customer")
    REJECTION = "rejection", _("Rejection sent to the customer")
    AGREEMENT = "agreement", _("Customer's answer taken by staff")

    @classmethod
    def label_of(cls, value: object) -> str:
        try:
            return str(cls(str(value)).label)
        except ValueError:
            return str(value or "")


class CustomerContact(models.TextChoices):
    """How staff reached the customer while working a step (e.g. the verification call)."""

    PHONE = "phone", _("By phone")
    MESSAGE = "message", _("By message (SMS, WeChat, e-mail)")
    IN_PERSON = "in_person", _("In person")


def ticket_record_first_response(
    *, ticket: Ticket, actor: User | None, via: FirstResponseVia, event: TicketEvent | None = None
) -> bool:
    """Record ``via`` as the ticket's first response if it is the first customer-facing contact by
    staff (``actor`` a staff member; the system and the customer never count). Decided by the row,
    not the caller's copy: set once, never moved. ``event`` is the contact's timeline entry (by
    default the ticket's latest); it is marked with what it was. Runs in the caller's
    transaction. Returns whether this contact was the first response."""
    if actor is None or actor.is_customer or not actor.is_active:
        return False
    if event is None:
        event = TicketEvent.objects.filter(ticket_id=ticket.pk).order_by("-created_at", "-pk").first()
    at = event.created_at if event is not None else clock.now()
    if not Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=True).update(first_responded_at=at):
        return False
    if event is not None:
        event.data = {**(event.data or {}), "first_response": str(via)}
        TicketEvent.objects.filter(pk=event.pk).update(data=event.data)
    TICKET_FIRST_RESPONSE.send(ticket=ticket, at=at)
    return True


def first_response_event(events: list[TicketEvent]) -> TicketEvent | None:
    """The timeline entry that stopped the first-response clock, among ``events`` already read."""
    return next((e for e in events if (e.data or {}).get("first_response")), None)
