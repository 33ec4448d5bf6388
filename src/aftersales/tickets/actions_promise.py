"""Promising the customer a solution date (SLA: "tell the customer when it will be solved").

Allowed while the ticket is open and not resolved, to handlers (agents, supervisors, quality
managers, administrators — not technicians, not the customer); ``process.promise`` has the rules.
The page's panel and ``POST /api/v1/tickets/{number}/actions/promise-solution-date`` follow.
"""

from __future__ import annotations

from .process.promise import ACTION, ticket_promise_solution_date
from .promise_forms import PromiseSolutionDateForm, PromiseSolutionDateInput
from .registry import HANDLER, TicketAction, register
from .states import OPEN_STATUSES

register(
    TicketAction(
        name=ACTION,
        statuses=OPEN_STATUSES,
        who=frozenset({HANDLER}),
        service=ticket_promise_solution_date,
        form=PromiseSolutionDateForm,
        schema=PromiseSolutionDateInput,
        # After the plan's steps, before the rare ones (hold, reject …).
        panel_rank=115,
    )
)
