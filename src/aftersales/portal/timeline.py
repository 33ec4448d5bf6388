"""The customer's timeline: what happened to their request, in words a customer understands.

The ticket's timeline is written for the department (status codes, work-order numbers, check-in
times and positions, internal notes, parts, SLA warnings). The portal shows only the steps a
customer cares about, each as one phrase from ``PHRASES`` — the one place that says what a
customer reads for which event. An event whose key is not in ``PHRASES`` is never shown, so a
new kind of event stays internal until somebody writes its customer phrase here. Only public
events are read in the first place (``tickets.selectors.ticket_public_timeline``).

Keys: ``created``; ``status:<new status>``; ``ticket:<action>`` (a ticket change with
``data["action"]``); ``visit:<action>`` (a work order's change, ``data["work_order"]`` set);
``rma:<status>`` (a return or exchange moved, ``data["rma"]`` set: written by the returns app as
a public message to the customer, its text shown with the phrase); ``message_out`` /
``message_in`` / ``call`` / ``attachment``; ``rate`` (the survey waiting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.core.masking import mask_phone
from aftersales.fieldservice.models import WorkOrder
from aftersales.tickets.choices import EventKind
from aftersales.tickets.event_text import event_text
from aftersales.tickets.models import MeasureKind, MeasureStatus, TicketEvent
from aftersales.tickets.states import TicketStatus

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


@dataclass(frozen=True)
class Visit:
    """Who comes and when, as the customer may see it: the name and a masked phone."""

    technician: str
    phone: str
    start: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True)
class Step:
    key: str
    at: dt.datetime | None
    phrase: str
    text: str = ""
    visit: Visit | None = None
    link: str = ""


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


def _visits(ticket_id: int, numbers: set[str]) -> dict[str, Visit]:
    orders = WorkOrder.objects.filter(ticket_id=ticket_id, number__in=numbers).select_related("technician")
    return {
        order.number: Visit(
            technician=str(order.technician) if order.technician else "",
            phone=mask_phone(order.technician.phone) if order.technician else "",
            start=order.appointment_start,
            end=order.appointment_end,
        )
        for order in orders
    }


def customer_timeline(*, ticket_id: int, events: list[TicketEvent], survey_link: str = "") -> list[Step]:
    """The customer's steps from the ticket's public events, oldest first; ``survey_link``
    (the satisfaction survey waiting for an answer) adds "please rate" at the end."""
    keyed = [(event, key) for event in events if (key := event_key(event)) in PHRASES]
    latest_booking: dict[str, int] = {}
    for event, key in keyed:
        if key in BOOKING:
            latest_booking[str(event.data["work_order"])] = event.pk
    visits = _visits(ticket_id, set(latest_booking)) if latest_booking else {}
    steps: list[Step] = []
    for event, key in keyed:
        phrase = PHRASES[key]
        visit = None
        if key == "ticket:measure_done":
            kind = event.data.get("kind")
            what = MeasureKind(kind).label if kind in MeasureKind.values else _("a step of the plan")
            text = str(phrase) % {"what": what}
        else:
            text = str(phrase)
        if key in BOOKING and latest_booking.get(str(event.data["work_order"])) == event.pk:
            visit = visits.get(str(event.data["work_order"]))
        said = event_text(event) if key in WITH_TEXT else ""  # the system's words in the reader's language
        step = Step(key=key, at=event.created_at, phrase=text, text=said, visit=visit)
        if steps and steps[-1].phrase == step.phrase and not step.text and step.visit is None:
            continue  # the same step twice in a row says nothing new
        steps.append(step)
    if survey_link:
        steps.append(Step(key="rate", at=None, phrase=str(PHRASES["rate"]), link=survey_link))
    return steps
