"""The shapes of the webhook events' ``data`` that more than one emitter shares (docs/webhooks.md):
identifiers, statuses, amounts and times; no names, phone numbers, addresses or free text of
the customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from aftersales.tickets.models import MeasureStatus, SolutionPromise, TicketPlan

# The customer's contact data that ``customer.updated`` names when it changes (the values are
# never sent): what a CRM keeps in step. Tier, consents and notes are not contact data.
CUSTOMER_CONTACT_FIELDS = ("name", "phone", "email", "language", "kind", "addresses")

SUMMARY_LIMIT = 500


def customer_fields(fields: Iterable[str]) -> list[str]:
    """The contact fields among ``fields``, in the catalogue's order."""
    given = set(fields)
    return [name for name in CUSTOMER_CONTACT_FIELDS if name in given]


def plan_payload(plan: TicketPlan) -> dict[str, Any]:
    """A plan as the customer is asked to answer it: its number, status, the diagnosis as its
    summary (the staff's words, cut at 500 characters, as the customer's message carries it),
    the budget and the measures that are not cancelled."""
    measures = plan.measures.exclude(status=MeasureStatus.CANCELLED).order_by("id")
    return {
        "number": plan.number,
        "status": plan.status,
        "summary": plan.diagnosis[:SUMMARY_LIMIT],
        "cost_budget": f"{plan.cost_budget:.2f}",
        "expected_completion_at": plan.expected_completion_at,
        "requires_signed_agreement": plan.requires_signed_agreement,
        "measures": [
            {"kind": m.kind, "amount": f"{m.amount:.2f}", "customer_charge": f"{m.customer_charge:.2f}", "deadline": m.deadline}
            for m in measures
        ],
    }


def promise_payload(promise: SolutionPromise) -> dict[str, Any]:
    """A solution date promised to the customer (承诺解决时间): its revision (1 the first), the
    date and the time given (``HH:MM``, null: until the end of that day), the moment it is broken
    (``deadline``), whether it moves the previous promise later, the reason the customer reads
    (the staff's words to them, cut at 500 characters) and when it was given."""
    return {
        "revision": promise.revision,
        "promised_date": promise.promised_date,
        "promised_time": promise.promised_time.strftime("%H:%M") if promise.promised_time is not None else None,
        "deadline": promise.deadline.astimezone(dt.UTC),  # made in Asia/Shanghai; data's times are UTC
        "revised": promise.revision > 1,
        "later_than_before": promise.later_than_before,
        "reason": promise.reason[:SUMMARY_LIMIT],
        "given_at": promise.given_at,
    }
