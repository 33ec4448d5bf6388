"""The parts of the customer's ticket page besides the plan to sign (``views._render_ticket``):

- the timeline, its "We sent you a quote" linked to the quote's page;
- the technician's jobs that cost money: a quote waiting for the customer's answer (amount, lines,
  the link to the quote page to agree or decline), the quote they confirmed, the final charge
  (the work order's charge lines);
- the accepted plan's amounts as they stand now: per measure the final charge, else the quote
  the customer confirmed, else the plan's estimate — never the estimate once it is replaced;
- the message form (a message, photos or files) while the ticket is open, and the cancel form
  where the ticket's cancel action is open to the customer (``ticket_available_actions``);
- whom to call: the service hotline (``contact``);
- the expected solution date promised to the customer (``tickets.process.promise``) while the
  ticket is not resolved, in the reader's language, with the reason they were told.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.core.i18n import rendered
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.process.promise import promise_date_text, ticket_current_promise
from aftersales.tickets.selectors import ticket_public_timeline
from aftersales.tickets.states import FINAL_STATUSES, OPEN_STATUSES

from .contact import service_hotline, visit_phone
from .message_forms import CancelRequestForm, TicketMessageForm
from .selectors import QUOTE_WAITING, PortalJob, portal_quote_links, portal_ticket_jobs
from .timeline import customer_timeline

TO_CUSTOMER = frozenset({MeasureKind.REFUND, MeasureKind.COMPENSATION})  # paid to the customer
ESTIMATE, QUOTE, CHARGED = "estimate", "quote", "charged"


@dataclass(frozen=True)
class MeasureNow:
    """A measure of the accepted plan with what the customer pays for it now and why:
    ``basis`` estimate (the plan's), quote (the quote they confirmed) or charged (the work done)."""

    measure: PlanMeasure
    pays: Decimal
    basis: str

    @property
    def to_customer(self) -> bool:
        return self.measure.kind in TO_CUSTOMER


def measures_now(measures: list[PlanMeasure], jobs: list[PortalJob]) -> list[MeasureNow]:
    rows = []
    for measure in measures:
        if measure.kind in TO_CUSTOMER:
            rows.append(MeasureNow(measure, Decimal(measure.amount or 0), ESTIMATE))
            continue
        own = [job for job in jobs if job.measure_id == measure.pk and job.pays is not None]
        if not own:
            rows.append(MeasureNow(measure, Decimal(measure.customer_charge or 0), ESTIMATE))
            continue
        charged_only = all(job.charge_total is not None for job in own)
        rows.append(
            MeasureNow(measure, sum((job.pays or Decimal(0) for job in own), Decimal(0)), CHARGED if charged_only else QUOTE)
        )
    return rows


def totals_now(rows: list[MeasureNow]) -> dict[str, Any]:
    """What the customer pays in all now and receives, and on what basis (the most final one)."""
    paying = [row for row in rows if not row.to_customer]
    bases = {row.basis for row in paying if row.basis != ESTIMATE}
    basis = CHARGED if bases == {CHARGED} else QUOTE if bases else ESTIMATE
    return {
        "pays": sum((row.pays for row in paying), Decimal(0)),
        "receives": sum((row.pays for row in rows if row.to_customer), Decimal(0)),
        "basis": basis,
    }


def _urls(request: HttpRequest, ticket: Ticket) -> dict[str, str]:
    """The form targets: the signed link's own URLs on a page opened from it, else the ticket's."""
    match = request.resolver_match
    token = match.kwargs.get("token") if match is not None else None
    if token:
        return {
            "message_url": reverse("portal:message_by_link", kwargs={"token": token}),
            "cancel_url": reverse("portal:cancel_by_link", kwargs={"token": token}),
        }
    return {
        "message_url": reverse("portal:message", args=[ticket.number]),
        "cancel_url": reverse("portal:cancel", args=[ticket.number]),
    }


def expected_solution(ticket: Ticket) -> dict[str, str] | None:
    """The date (and time) the customer was promised and why, while the ticket is not resolved."""
    if ticket.status not in OPEN_STATUSES:
        return None
    promise = ticket_current_promise(ticket=ticket)
    if promise is None:
        return None
    date = rendered(promise_date_text(promised_date=promise.promised_date, promised_time=promise.promised_time))
    return {"date": date, "reason": promise.reason}


def may_cancel(ticket: Ticket, actor: User | None) -> bool:
    """The customer may cancel now (the ticket's cancel action, its statuses and who)."""
    return actor is not None and "cancel" in ticket_available_actions(user=actor, ticket=ticket)


def ticket_page_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    actor: User | None,
    accepted_measures: list[PlanMeasure],
    message_form: TicketMessageForm | None = None,
    cancel_form: CancelRequestForm | None = None,
) -> dict[str, Any]:
    jobs = portal_ticket_jobs(ticket=ticket)
    rows = measures_now(accepted_measures, jobs)
    is_open = ticket.status not in FINAL_STATUSES
    return {
        # The survey is offered once, at the top of the page, not again at the timeline's end.
        "steps": customer_timeline(
            ticket_id=ticket.pk, events=ticket_public_timeline(ticket=ticket), quote_links=portal_quote_links(jobs=jobs)
        ),
        "jobs": jobs,
        "quotes_waiting": [job for job in jobs if job.quote is not None and job.quote.state == QUOTE_WAITING],
        "accepted_rows": rows,
        "accepted_now": totals_now(rows),
        # A form sent back with its errors is shown whatever the ticket's status now (the errors say why).
        "message_form": message_form or (TicketMessageForm() if is_open else None),
        "cancel_form": cancel_form or (CancelRequestForm(version=ticket.version) if may_cancel(ticket, actor) else None),
        "expected_solution": expected_solution(ticket),
        "hotline": service_hotline(),
        "visit_phone": visit_phone(),
        **_urls(request, ticket),
    }
