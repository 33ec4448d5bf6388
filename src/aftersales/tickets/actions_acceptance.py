"""The quality manager's acceptance of a resolved ticket (验收) — declared in its own module.

A ticket the acceptance rule names waits in AWAITING_ACCEPTANCE instead of closing
(``process.acceptance``); the quality manager, a supervisor or an administrator accepts the
result (→ CLOSED) or sends it back for rework (→ REOPENED). ``who`` is the handlers' capacity;
``offered_to`` narrows it to the roles that decide on results, and the services refuse the rest
(``acceptor_role``).
"""

from __future__ import annotations

from . import acceptance_forms as forms
from . import acceptance_schemas as schemas
from . import action_schemas as body
from .process.acceptance import offered_to_acceptor, ticket_accept_result, ticket_return_for_rework
from .registry import HANDLER, TicketAction, register
from .states import TicketStatus

S = TicketStatus

register(
    TicketAction(
        name="accept_result",
        statuses=frozenset({S.AWAITING_ACCEPTANCE}),
        who=frozenset({HANDLER}),
        service=ticket_accept_result,
        form=forms.AcceptResultForm,
        schema=schemas.AcceptInput,
        offered_to=offered_to_acceptor,
        panel_rank=155,
    )
)
register(
    TicketAction(
        name="return_for_rework",
        statuses=frozenset({S.AWAITING_ACCEPTANCE}),
        who=frozenset({HANDLER}),
        service=ticket_return_for_rework,
        form=forms.ReturnForReworkForm,
        schema=body.ReasonInput,
        offered_to=offered_to_acceptor,
        panel_rank=158,
    )
)
