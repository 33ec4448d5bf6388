"""What a customer reads of their ticket's timeline: one phrase per step they care about, in
words a customer understands — the portal's timeline (``portal.timeline``) and the API's for a
customer's key or session (``api.presenters.event``) both read it here.

The ticket's timeline is written for the department (status codes, work-order numbers, check-in
times and positions, internal notes, parts, SLA warnings, staff names). ``PHRASES`` is the one
place that says what a customer reads for which event. An event whose key is not in ``PHRASES``
is never shown to a customer, so a new kind of event stays internal until somebody writes its
customer phrase here. Only public events are read in the first place
(``tickets.selectors.ticket_public_timeline``).

Keys: ``created``; ``status:<new status>``; ``ticket:<action>`` (a ticket change with
``data["action"]``); ``visit:<action>`` (a work order's change, ``data["work_order"]`` set);
``rma:<status>`` (a return or exchange moved, ``data["rma"]`` set: written by the returns app as
a public message to the customer, its text shown with the phrase); ``message_out`` /
``message_in`` / ``call`` / ``attachment``; ``rate`` (the survey waiting).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import EventKind
from .event_text import event_text
from .models import MeasureKind, MeasureStatus, TicketEvent
from .states import TicketStatus

S = TicketStatus

PHRASES: dict[str, Promise] = {
    "created": _("We received your request"),
    # Status changes the customer notices (the others are the department's internal steps).
    f"status:{S.VERIFYING}": _("We are checking your request"),
    f"status:{S.AWAITING_INFO}": _("We need more information from you"),
    f"status:{S.ANALYSING}": _("We are working out a solution"),
    f"status:{S.AWAITING_CUSTOMER}": _("Our proposal is ready for you"),
    "status:in_progress:resumed": _("We are working on it again"),
    f"status:{S.ON_HOLD}": _("Paused for a moment (waiting for parts or an appointment)"),
    f"status:{S.RESOLVED}": _("Your problem is solved"),
    f"status:{S.REOPENED}": _("We are looking into it again"),
    f"status:{S.CLOSED}": _("Request closed"),
    f"status:{S.REJECTED}": _("We cannot take on this request"),
    f"status:{S.CANCELLED}": _("Request cancelled"),
    f"status:{S.MERGED}": _("Combined with your other request"),
    # The plan and its steps.
    "ticket:plan_accepted": _("You accepted the proposal"),
    "ticket:plan_declined": _("You declined the proposal; we are preparing a new one"),
    "ticket:measure_done": _("Done: %(what)s"),
    # The technician's visit.
    "visit:created": _("We are arranging a technician's visit"),
    "visit:status.dispatched": _("Technician booked"),
    "visit:status.rescheduled": _("Appointment changed"),
    "visit:rescheduled": _("Appointment changed"),
    "visit:status.on_the_way": _("The technician is on the way"),
    "visit:quote_sent": _("We sent you a quote for the repair"),
    "visit:quote_confirmed": _("You confirmed the quote"),
    "visit:status.quote_declined": _("You declined the quote; we will contact you"),
    "visit:status.done": _("Visit done"),
    "visit:status.customer_accepted": _("You confirmed the work"),
    "visit:status.failed": _("The visit could not be completed; we will arrange another one"),
    "visit:status.cancelled": _("Visit cancelled"),
    # A return or exchange (the returns app's steps, returns.models.RmaStatus).
    "rma:authorised": _("Your return or exchange is authorised"),
    "rma:awaiting_pickup": _("Waiting for your product to be picked up or dropped off"),
    "rma:in_transit": _("Your product is on its way back to us"),
    "rma:received": _("We received your product"),
    "rma:inspected": _("We checked the product you sent back"),
    "rma:inspection_failed": _("The check of the product you sent back found a problem"),
    "rma:replacement_shipped": _("Your replacement is on its way"),
    "rma:delivered": _("Your replacement was delivered"),
    "rma:completed": _("Your return or exchange is completed"),
    "rma:cancelled": _("Your return or exchange was cancelled"),
    # Messages.
    "message_out": _("Message from us"),
    "message_in": _("Your message"),
    "call": _("We spoke on the phone"),
    "attachment": _("File added"),
    "rate": _("Please rate our service"),
}

# The keys whose event text the customer reads (written for them or by them; an attachment's
# text is the file's name); every other event shows its phrase only.
WITH_TEXT = frozenset(
    {"message_out", "message_in", "attachment", f"status:{S.REJECTED}", "ticket:plan_declined"}
    | {key for key in PHRASES if key.startswith("rma:")}  # the RMA number, the carrier and tracking number
)
# Booking steps: the latest of a visit shows who comes and when.
BOOKING = frozenset({"visit:status.dispatched", "visit:status.rescheduled", "visit:rescheduled"})


def event_key(event: TicketEvent) -> str | None:
    """The ``PHRASES`` key of an event, or ``None`` for an event the customer never reads."""
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    if event.kind == EventKind.CREATED:
        return "created"
    if event.kind == EventKind.STATUS_CHANGED:
        before, after = data.get("from"), data.get("to")
        if after == S.IN_PROGRESS:
            # Accepting the plan starts the work: the acceptance says it already.
            return "status:in_progress:resumed" if before in {S.ON_HOLD, S.REOPENED} else None
        return f"status:{after}"
    if data.get("rma") and data.get("status"):
        return f"rma:{data['status']}"
    if event.kind in {EventKind.MESSAGE_OUT, EventKind.MESSAGE_IN, EventKind.CALL, EventKind.ATTACHMENT}:
        return str(event.kind)
    if event.kind == EventKind.FIELD_CHANGED:
        action = data.get("action")
        if data.get("work_order"):
            return f"visit:{action}"
        if action == "measure_updated":
            return "ticket:measure_done" if data.get("status") == MeasureStatus.DONE else None
        return f"ticket:{action}"
    return None  # internal notes, assignments, notifications, SLA warnings …


@dataclass(frozen=True)
class CustomerWording:
    """An event as a customer reads it: the step's ``key``, its ``phrase``, and the event's own
    ``text`` where the customer reads that too (a message, a file's name, a refusal's reason)."""

    key: str
    phrase: str
    text: str


def customer_phrase(event: TicketEvent, key: str) -> str:
    """The phrase of ``event`` (its ``key`` in ``PHRASES``), filled in where it names something."""
    phrase = PHRASES[key]
    if key == "ticket:measure_done":
        kind = (event.data if isinstance(event.data, dict) else {}).get("kind")
        what = MeasureKind(kind).label if kind in MeasureKind.values else _("a step of the plan")
        return str(phrase) % {"what": what}
    return str(phrase)


def customer_wording(event: TicketEvent) -> CustomerWording | None:
    """``event`` as the customer reads it, or ``None`` for an event a customer never reads."""
    key = event_key(event)
    if key is None or key not in PHRASES:
        return None
    said = event_text(event) if key in WITH_TEXT else ""  # the system's words in the reader's language
    return CustomerWording(key=key, phrase=customer_phrase(event, key), text=said)
