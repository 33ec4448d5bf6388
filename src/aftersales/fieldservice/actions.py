"""Every action on a work order, declared once.

A ``WorkOrderAction`` holds everything about one step: its name, the statuses it is allowed
from (read off the status machine in ``states.py`` where the step moves the status), who may
take it (a rule of ``permissions.py``), the page's form (``action_forms``), the API request body
and the function that turns it into the service's arguments (``action_schemas``), and the
service that performs it. Who reads the declarations:

* the work order's page: ``views.work_order_action`` performs the posted action, and the page
  shows the forms of ``work_order_available_actions`` (``detail.html`` has no rule of its own);
* the API: ``POST /api/v1/work-orders/{number}/actions/<slug>`` for each action with a body
  (``schema``), and the list of moves the caller may make (``actions`` of a work order);
  an action with its own API endpoint (a multipart upload, a claim) names it (``api_endpoint``).

The services still check everything themselves (a step may be refused for a reason only the
locked row shows); tests/fieldservice/test_actions.py checks, status by status and move by move,
that what is available here is exactly what the services accept.

To add a step: write its service, declare it here (with its form reader in ``action_forms`` and
its API body in ``action_schemas``), put its form in ``detail.html`` under
``{% if "<name>" in available %}``, and test it; the API endpoint and the lists of available
actions follow from the declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, Field

from aftersales.accounts.models import User
from aftersales.tickets.action_schemas import Input
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES

from . import action_forms as form
from . import action_schemas as body
from . import services
from .models import ExpenseClaim, WorkOrder, WorkOrderStatus
from .permissions import (
    dispatcher,
    dispatcher_or_handler,
    expense_decider,
    its_technician,
    technician_or_dispatcher,
)
from .services.quote import DECLINE_REASON_LIMIT, quote_awaits_answer, work_order_decline_quote
from .states import FINAL_STATUSES, QUOTE_STATUSES, statuses_that_allow

W = WorkOrderStatus
ALL_STATUSES = frozenset(W.values)
WebForm = Callable[[HttpRequest, WorkOrder], dict[str, Any]]


def always(work_order: WorkOrder) -> bool:
    return True


@dataclass(frozen=True)
class WorkOrderAction:
    name: str
    statuses: frozenset[str]
    who: Callable[[User, WorkOrder], bool]
    # Called as service(work_order=, actor=, [expected_version=,] **arguments).
    service: Callable[..., object]
    # The page's form: the posted fields → the service's arguments.
    web_form: WebForm
    # The page's message once it is done.
    done: Any
    # The page's URL segment (``/fieldservice/wo/<number>/do/<web_name>/``) when not the name.
    page_name: str = ""
    # The API body of ``POST …/actions/<slug>`` and the function that turns it into arguments;
    # None: the action has its own API endpoint (``api_endpoint``).
    schema: type[BaseModel] | None = None
    from_api: Callable[[Any], dict[str, Any]] = body.body_fields
    api_endpoint: str = ""
    # An extra condition on the work order (a quote still open …).
    offered: Callable[[WorkOrder], bool] = always
    # Still allowed once the ticket is closed (only cancelling a job and deciding its claims).
    on_final_ticket: bool = False
    # The service takes the version the caller read (``expected_version``).
    versioned: bool = True
    # The page shows a form for it (``complete`` is offered there as its two halves).
    on_page: bool = True

    @property
    def slug(self) -> str:
        """The API URL segment (``/actions/check-in``)."""
        return self.name.replace("_", "-")

    @property
    def web_name(self) -> str:
        return self.page_name or self.name

    def allowed(self, user: User, work_order: WorkOrder) -> bool:
        """May ``user`` take this step on ``work_order`` now (the service decides in the end)?"""
        if work_order.ticket.status in TICKET_FINAL_STATUSES and not self.on_final_ticket:
            return False
        return work_order.status in self.statuses and self.offered(work_order) and self.who(user, work_order)

    def perform(self, *, work_order: WorkOrder, actor: User, expected_version: int | None = None, **arguments: Any) -> Any:
        if self.versioned:
            arguments["expected_version"] = expected_version
        return self.service(work_order=work_order, actor=actor, **arguments)


# Name → declaration, in the order the API lists the moves.
ACTIONS: dict[str, WorkOrderAction] = {}


def register(action: WorkOrderAction) -> WorkOrderAction:
    if action.name in ACTIONS or action.web_name in {a.web_name for a in ACTIONS.values()}:
        raise ValueError(f"the work-order action {action.name!r} is declared twice")
    ACTIONS[action.name] = action
    return action


def work_order_available_actions(user: User, work_order: WorkOrder) -> list[WorkOrderAction]:
    """The steps ``user`` may take on ``work_order`` now, in the order of ``ACTIONS``."""
    return [action for action in ACTIONS.values() if action.allowed(user, work_order)]


def web_action(web_name: str) -> WorkOrderAction | None:
    """The action the page posts to ``…/do/<web_name>/``."""
    return next((a for a in ACTIONS.values() if a.web_name == web_name), None)


def api_actions() -> list[WorkOrderAction]:
    """The actions taken through ``POST …/actions/<slug>``, in the order of ``ACTIONS``."""
    return [a for a in ACTIONS.values() if a.schema is not None]


# --- conditions and adapters ---------------------------------------------------------------------


def _quote_open(work_order: WorkOrder) -> bool:
    # Also once confirmed: a job that costs more than the customer accepted needs a new quote.
    return work_order.chargeable


class QuoteDeclineInput(Input):
    reason: str = Field("", max_length=DECLINE_REASON_LIMIT, description="Why the customer declined (optional, as they said it).")


def _decide_expense(*, work_order: WorkOrder, actor: User, claim: ExpenseClaim, approve: bool) -> object:
    return services.expense_claim_decide(claim=claim, actor=actor, approve=approve)


# --- the declarations, in the order the API lists them -------------------------------------------

# The dispatcher assigns (or reassigns) the job.
register(
    WorkOrderAction(
        name="dispatch",
        statuses=statuses_that_allow(W.DISPATCHED),
        who=dispatcher,
        service=services.work_order_dispatch,
        web_form=form.dispatch,
        done=_("Dispatched."),
        schema=body.DispatchInput,
        from_api=body.dispatch_arguments,
    )
)
# The technician's visit.
register(
    WorkOrderAction(
        name="accept",
        statuses=statuses_that_allow(W.ACCEPTED),
        who=its_technician,
        service=services.work_order_accept,
        web_form=form.no_fields,
        done=_("Job accepted."),
        schema=body.WorkOrderNoInput,
    )
)
register(
    WorkOrderAction(
        name="depart",
        statuses=statuses_that_allow(W.ON_THE_WAY),
        who=its_technician,
        service=services.work_order_depart,
        web_form=form.no_fields,
        done=_("On the way."),
        schema=body.WorkOrderNoInput,
    )
)
register(
    WorkOrderAction(
        name="check_in",
        # Checking in from "accepted" passes "on the way" on the way.
        statuses=statuses_that_allow(W.ON_SITE) | statuses_that_allow(W.ON_THE_WAY),
        who=its_technician,
        service=services.work_order_check_in,
        web_form=form.location,
        done=_("Checked in."),
        schema=body.LocationInput,
    )
)
register(
    WorkOrderAction(
        name="record_work",
        statuses=frozenset({W.ON_SITE}),  # no move: the work is written down on site
        who=its_technician,
        service=services.work_order_record_work,
        web_form=form.record_work,
        done=_("Work recorded."),
        schema=body.RecordWorkInput,
    )
)
register(
    WorkOrderAction(
        name="check_out",
        statuses=statuses_that_allow(W.DONE),
        who=its_technician,
        service=services.work_order_check_out,
        web_form=form.location,
        done=_("Checked out: work done."),
        schema=body.LocationInput,
    )
)
register(
    WorkOrderAction(
        name="complete",  # record_work and check_out in one transaction
        statuses=statuses_that_allow(W.DONE),
        who=its_technician,
        service=services.work_order_complete,
        web_form=form.complete,
        done=_("Checked out: work done."),
        schema=body.CompleteInput,
        on_page=False,
    )
)
register(
    WorkOrderAction(
        name="customer_accept",
        statuses=statuses_that_allow(W.CUSTOMER_ACCEPTED),
        who=its_technician,
        service=services.work_order_customer_accept,
        web_form=form.customer_accept,
        done=_("Accepted by the customer."),
        schema=body.CustomerAcceptInput,
        from_api=body.customer_accept_arguments,
    )
)
# The quote of a chargeable job, before the work (no move).
register(
    WorkOrderAction(
        name="prepare_quote",
        page_name="quote",
        statuses=QUOTE_STATUSES,
        who=technician_or_dispatcher,
        service=services.work_order_prepare_quote,
        web_form=form.quote,
        done=_("Quote sent to the customer."),
        schema=body.QuoteInput,
        offered=_quote_open,
    )
)
register(
    WorkOrderAction(
        name="confirm_quote",
        statuses=QUOTE_STATUSES,
        who=its_technician,
        service=services.work_order_confirm_quote,
        web_form=form.no_fields,
        done=_("The customer's confirmation is recorded."),
        schema=body.WorkOrderNoInput,
        offered=quote_awaits_answer,
    )
)
# The customer's "no", said to the technician on site: the job stops until staff cancel it or the
# customer confirms a new quote (the customer's own doors: the link, the app).
register(
    WorkOrderAction(
        name="decline_quote",
        statuses=QUOTE_STATUSES,
        who=its_technician,
        service=work_order_decline_quote,
        web_form=form.reason,
        done=_("The customer's refusal of the quote is recorded."),
        schema=QuoteDeclineInput,
        offered=quote_awaits_answer,
    )
)
# A new window: a move once the job is dispatched; before that, the window only (no move).
register(
    WorkOrderAction(
        name="reschedule",
        statuses=statuses_that_allow(W.RESCHEDULED) | {W.TO_DISPATCH},
        who=technician_or_dispatcher,
        service=services.work_order_reschedule,
        web_form=form.reschedule,
        done=_("Rescheduled."),
        schema=body.RescheduleInput,
    )
)
register(
    WorkOrderAction(
        name="fail",
        statuses=statuses_that_allow(W.FAILED),
        who=technician_or_dispatcher,
        service=services.work_order_fail,
        web_form=form.reason,
        done=_("Recorded as failed."),
        schema=body.WorkOrderReasonInput,
    )
)
register(
    WorkOrderAction(
        name="cancel",
        statuses=statuses_that_allow(W.CANCELLED),
        who=dispatcher_or_handler,
        service=services.work_order_cancel,
        web_form=form.reason,
        done=_("Cancelled."),
        schema=body.WorkOrderReasonInput,
        on_final_ticket=True,
    )
)
# Files and claims: each has its own API endpoint (multipart bodies, a claim's id); no move.
register(
    WorkOrderAction(
        name="photo",
        statuses=frozenset({W.ON_SITE}),
        who=its_technician,
        service=services.work_order_add_photo,
        web_form=form.photo,
        done=_("Photo added."),
        api_endpoint="/work-orders/{wo_number}/photos",
        versioned=False,
    )
)
register(
    WorkOrderAction(
        name="permit",
        statuses=ALL_STATUSES - FINAL_STATUSES,
        who=dispatcher_or_handler,
        service=services.work_order_add_permit,
        web_form=form.permit,
        done=_("Permit added."),
        api_endpoint="/work-orders/{wo_number}/permits",
        versioned=False,
    )
)
register(
    WorkOrderAction(
        name="send_code",
        statuses=frozenset({W.DONE}),
        who=its_technician,
        service=services.acceptance_code_send,
        web_form=form.no_fields,
        done=_("Code sent to the customer."),
        api_endpoint="/work-orders/{wo_number}/acceptance-code",
        versioned=False,
    )
)
register(
    WorkOrderAction(
        name="expense",
        statuses=ALL_STATUSES - {W.TO_DISPATCH, W.CANCELLED},
        who=its_technician,
        service=services.expense_claim_submit,
        web_form=form.expense,
        done=_("Expense claimed."),
        api_endpoint="/work-orders/{wo_number}/expenses",
        versioned=False,
    )
)
register(
    WorkOrderAction(
        name="decide_expense",
        statuses=ALL_STATUSES,
        who=expense_decider,
        service=_decide_expense,
        web_form=form.decide_expense,
        done=_("Decision recorded."),
        api_endpoint="/work-orders/{wo_number}/expenses/{claim_id}/decide",
        on_final_ticket=True,
        versioned=False,
    )
)
