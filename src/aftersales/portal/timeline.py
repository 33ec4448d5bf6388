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
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.fieldservice.models import WorkOrder
from aftersales.tickets.customer_timeline import BOOKING, PHRASES, WITH_TEXT, event_key
from aftersales.tickets.event_text import event_text
from aftersales.tickets.models import MeasureKind, TicketEvent

from .contact import visit_phone


@dataclass(frozen=True)
class Visit:
    """Who comes and when, as the customer may see it: the name, and the number to call about
    the visit (the hotline or a forwarding number: ``contact.visit_phone``; empty when none is
    configured), never the technician's own."""

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


def _visits(ticket_id: int, numbers: set[str]) -> dict[str, Visit]:
    orders = WorkOrder.objects.filter(ticket_id=ticket_id, number__in=numbers).select_related("technician")
    return {
        order.number: Visit(
            technician=str(order.technician) if order.technician else "",
            phone=visit_phone().shown,  # the hotline or a forwarding number, never the technician's own
            start=order.appointment_start,
            end=order.appointment_end,
        )
        for order in orders
    }


def customer_timeline(
    *, ticket_id: int, events: list[TicketEvent], survey_link: str = "", quote_links: Mapping[str, str] | None = None
) -> list[Step]:
    """The customer's steps from the ticket's public events, oldest first; ``survey_link``
    (the satisfaction survey waiting for an answer) adds "please rate" at the end;
    ``quote_links`` (work-order number → its quote page) links "We sent you a quote"."""
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
        link = (quote_links or {}).get(str(event.data.get("work_order"))) or "" if key == "visit:quote_sent" else ""
        step = Step(key=key, at=event.created_at, phrase=text, text=said, visit=visit, link=link)
        if steps and steps[-1].phrase == step.phrase and not step.text and step.visit is None:
            continue  # the same step twice in a row says nothing new
        steps.append(step)
    if survey_link:
        steps.append(Step(key="rate", at=None, phrase=str(PHRASES["rate"]), link=survey_link))
    return steps
