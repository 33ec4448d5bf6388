"""Two parts of the case file that the ticket's later steps add: the solution dates promised to
the customer (承诺解决时间, every revision) and the quality acceptance of the result (质量验收,
every wait with its decision and checklist). ``selectors.case_file_for`` reads them; ``pdf``
prints them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aftersales.quality.acceptance_panel import AcceptanceEntry, ticket_acceptances
from aftersales.tickets.models import SolutionPromise, Ticket


@dataclass(frozen=True)
class PromiseView:
    """One promise as the case file shows it: the first (revision 1) and each revision."""

    revision: int
    promised_date: dt.date
    promised_time: dt.time | None  # None: until the end of that day
    deadline: dt.datetime
    reason: str  # as the customer read it
    postponed: bool  # a revision that moved the date later
    given_by: str  # display name; "" in a customer's copy
    given_at: dt.datetime
    current: bool


def ticket_promise_views(ticket: Ticket, *, customer: bool) -> list[PromiseView]:
    """Every promise of ``ticket``, the first first (one query). The customer was told each of
    them; their copy leaves out who gave it, as the plan's author."""
    promises = SolutionPromise.objects.filter(ticket_id=ticket.pk).select_related("given_by").order_by("revision")
    return [
        PromiseView(
            revision=p.revision,
            promised_date=p.promised_date,
            promised_time=p.promised_time,
            deadline=p.deadline,
            reason=p.reason,
            postponed=p.later_than_before,
            given_by="" if customer or p.given_by is None else str(p.given_by),
            given_at=p.given_at,
            current=p.is_current,
        )
        for p in promises
    ]


def ticket_acceptance_views(ticket: Ticket) -> list[AcceptanceEntry]:
    """The quality acceptance's records of ``ticket``, oldest first as the case file reads (staff
    only: never call it for a customer — the step is internal, their pages say "resolved")."""
    return list(reversed(ticket_acceptances(ticket=ticket)))
