"""Events of the apps below webhooks (and of feedback, beside it) become webhook events:
receivers named by dotted path in ``tickets/effects.py``, ``tickets/process/acceptance.py``,
``sla/effects.py``, ``feedback/effects.py``, ``customers/effects.py`` and
``notifications/effects.py``, called inside the change's transaction; the event is recorded there
and delivered after commit.

Each asks for the subscriptions first: with none (the usual case) nothing else is read. The
apps above webhooks (field service, returns, compensation, crisis) call ``webhook_emit`` from
their own ``effects.py`` (``payloads.py`` has the shapes they share).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from aftersales.accounts.models import User
from aftersales.customers.models import Customer
from aftersales.notifications.links import customer_ticket_url
from aftersales.notifications.models import Notification
from aftersales.tickets.models import AgreementDecision, CustomerAgreement, SolutionPromise, Ticket, TicketPlan
from aftersales.tickets.states import TicketStatus

from .models import EventType
from .payloads import customer_fields, plan_payload, promise_payload
from .services import webhook_emit, webhook_emit_for_ticket, webhook_subscriptions_for


def _emit(event: EventType, ticket_id: int | None, build: Callable[[], Mapping[str, Any]] | None = None, **extra: Any) -> None:
    webhook_emit_for_ticket(event=event, ticket_id=ticket_id, build=build, **extra)


def ticket_created(*, ticket: Ticket) -> None:
    _emit(EventType.TICKET_CREATED, ticket.pk)


def ticket_status_changed(*, ticket: Ticket, before: TicketStatus, after: TicketStatus, now: dt.datetime) -> None:
    _emit(EventType.TICKET_STATUS_CHANGED, ticket.pk, from_status=before.value, to_status=after.value)


def sla_breached(*, ticket: Ticket, metric: str) -> None:
    _emit(EventType.SLA_BREACHED, ticket.pk, metric=metric)


def plan_offered(*, ticket: Ticket, plan: TicketPlan) -> None:
    """``tickets.effects.PLAN_OFFERED``: the plan and the customer's signed link to answer it."""

    def build() -> dict[str, Any]:
        link = customer_ticket_url(ticket) if ticket.customer_id is not None else None
        return {"plan": plan_payload(plan), "customer_url": link}

    _emit(EventType.PLAN_OFFERED, ticket.pk, build)


def plan_answered(*, ticket: Ticket, plan: TicketPlan, agreement: CustomerAgreement) -> None:
    """``tickets.effects.PLAN_ANSWERED``: ``plan.agreed`` or ``plan.declined``."""
    event = EventType.PLAN_AGREED if agreement.decision == AgreementDecision.ACCEPTED else EventType.PLAN_DECLINED
    _emit(
        event,
        ticket.pk,
        lambda: {
            "plan": plan_payload(plan),
            "method": agreement.method,
            "answered_at": agreement.agreed_at,
        },
    )


def ticket_solution_promised(*, ticket: Ticket, promise: SolutionPromise, now: dt.datetime) -> None:
    """``tickets.effects.TICKET_SOLUTION_PROMISED``: ``ticket.solution_promised``, the first
    promise and every revision, with the deadline of the promise it replaces (null for the first)."""

    def build() -> dict[str, Any]:
        previous = None
        if promise.revision > 1:
            previous = (
                SolutionPromise.objects.filter(ticket_id=ticket.pk, revision=promise.revision - 1)
                .values_list("deadline", flat=True)
                .first()
            )
        return {"promise": promise_payload(promise), "previous_deadline": previous}

    _emit(EventType.TICKET_SOLUTION_PROMISED, ticket.pk, build)


def acceptance_requested(*, ticket: Ticket, via: str, reasons: list[str], now: dt.datetime) -> None:
    """``process.acceptance.TICKET_ACCEPTANCE_REQUESTED``: ``ticket.awaiting_acceptance``, once
    per wait — how the ticket would have closed and the acceptance rule's conditions it meets."""
    _emit(EventType.TICKET_AWAITING_ACCEPTANCE, ticket.pk, via=str(via), reasons=list(reasons), requested_at=now)


def acceptance_decided(*, ticket: Ticket, actor: User, accepted: bool, comment: str, now: dt.datetime) -> None:
    """``process.acceptance.TICKET_ACCEPTANCE_DECIDED``: ``ticket.result_accepted`` or
    ``ticket.returned_for_rework``. Sent before the ticket moves: ``to_status`` names the status
    it moves to (the ``ticket.status_changed`` that follows carries the move). The decider's role,
    not their name; whether there is a comment, not the comment (internal)."""
    event = EventType.TICKET_RESULT_ACCEPTED if accepted else EventType.TICKET_RETURNED_FOR_REWORK
    _emit(
        event,
        ticket.pk,
        decided_at=now,
        decided_by_role=actor.role or None,
        to_status=(TicketStatus.CLOSED if accepted else TicketStatus.REOPENED).value,
        has_comment=bool(comment),
    )


def survey_answered(
    *,
    ticket: Ticket,
    survey_id: int,
    round: int,
    answers: Mapping[str, object],
    has_comment: bool,
    answered_at: dt.datetime | None,
    by_staff: bool,
) -> None:
    """``feedback.effects.SURVEY_ANSWERED``: the scores, not the comment (the customer's words)."""
    scores = {k: v for k, v in answers.items() if k not in ("solved", "nps")}
    _emit(
        EventType.SURVEY_ANSWERED,
        ticket.pk,
        survey=survey_id,
        round=round,
        scores=scores,
        solved=answers.get("solved"),
        nps=answers.get("nps"),
        has_comment=has_comment,
        answered_at=answered_at,
        by_staff=by_staff,
    )


def customer_contact_changed(*, customer_id: int, fields: list[str]) -> None:
    """``customers.effects.CUSTOMER_CONTACT_CHANGED``: which contact data changed, never the data
    (a receiver reads the customer through the API with a key allowed to see it)."""
    changed = customer_fields(fields)
    subscriptions = webhook_subscriptions_for(EventType.CUSTOMER_UPDATED) if changed else []
    if not subscriptions:
        return
    customer = Customer.objects.select_related("region").filter(pk=customer_id).first()
    if customer is None:
        return
    payload = {
        "customer": {
            "id": customer.pk,
            "external_code": customer.external_code or None,
            "region": customer.region.code if customer.region is not None else None,
            "version": customer.version,
            "updated_at": customer.updated_at,
        },
        "fields": changed,
    }
    webhook_emit(event=EventType.CUSTOMER_UPDATED, payload=payload, region=customer.region, subscriptions=subscriptions)


def notification_undelivered(*, notification: Notification, fallback: Notification | None, text: object) -> None:
    """``notifications.effects.NOTIFICATION_UNDELIVERED``: which message, on which channel, and
    where it went next — never its recipient or its text."""
    _emit(
        EventType.NOTIFICATION_FAILED,
        notification.ticket_id,
        notification={
            "id": notification.pk,
            "kind": notification.template,
            "channel": notification.channel,
            "code": notification.delivery_code or None,
            "created_at": notification.created_at,
        },
        fallback={"id": fallback.pk, "channel": fallback.channel} if fallback is not None else None,
    )
