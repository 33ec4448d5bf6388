"""The machinery of the process actions' registry (the declarations are in ``tickets.actions``).

A ``TicketAction`` is everything about one process step in one place: its name, the statuses it
is allowed in and who may take it (``permissions.ticket_check_action`` reads them), the service
that performs it, the form of the ticket page's actions panel, and the request body of its API
endpoint with the function that turns that body into the service's arguments. The web panel
(``action_forms.actions_panel_context``), the web endpoint (``action_views.ticket_action``), the
API endpoints (``api.routers.actions``) and "available actions" all read ``ACTIONS``.

This module imports no service, form or schema, so the permission rules can read the registry
without an import cycle; ``tickets.actions`` (imported by ``TicketsConfig.ready``) fills it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .states import TicketStatus

if TYPE_CHECKING:
    from pydantic import BaseModel

    from aftersales.accounts.models import User

    from .models import Ticket
    from .selectors import ProcessOverview

# Capacities a user may hold on a ticket (``permissions._capacities``).
CUSTOMER = "customer"
HANDLER = "handler"
APPROVER = "approver"


class ApiCaller(Protocol):
    """What an action's API converter may ask of the caller: who it is, and a ticket by number
    within the caller's reach (``NotFound`` otherwise)."""

    @property
    def user(self) -> User: ...

    def ticket(self, number: str) -> Ticket: ...


def plain_body(payload: BaseModel, caller: ApiCaller, ticket: Ticket) -> dict[str, Any]:
    """The request body as the service's keyword arguments, field for field."""
    return payload.model_dump()


def always(overview: ProcessOverview) -> bool:
    return True


@dataclass(frozen=True)
class TicketAction:
    name: str
    statuses: frozenset[TicketStatus]
    who: frozenset[str]
    # Called as service(ticket=, actor=, expected_version=, **arguments).
    service: Callable[..., object] | None = None
    # The actions panel's form (``action_forms.ActionForm``); None: not offered on the page.
    form: type[Any] | None = None
    # The API request body; None: no API endpoint (the step is taken elsewhere, e.g. a survey).
    schema: type[BaseModel] | None = None
    from_api: Callable[[Any, ApiCaller, Ticket], dict[str, Any]] = plain_body
    # An extra condition for offering the form on the page (the plan's state, measures to update).
    offered: Callable[[ProcessOverview], bool] = always
    # A condition on the ticket and the user for offering it on the page and in "available
    # actions" ("take it": not already theirs); the service checks the same and says why.
    offered_to: Callable[[Ticket, User], bool] | None = None
    # Position in the panel: the step that moves the ticket forward first, rare and final ones last.
    panel_rank: int = 100

    @property
    def slug(self) -> str:
        """The action's URL segment (``/actions/record-verification``)."""
        return self.name.replace("_", "-")

    def perform(self, *, ticket: Ticket, actor: User, expected_version: int | None, **arguments: Any) -> object:
        if self.service is None:
            raise LookupError(f"the action {self.name!r} has no service")
        return self.service(ticket=ticket, actor=actor, expected_version=expected_version, **arguments)


# Name → declaration, in the order of the process (the order "available actions" lists them).
ACTIONS: dict[str, TicketAction] = {}


def register(action: TicketAction) -> TicketAction:
    if action.name in ACTIONS:
        raise ValueError(f"the ticket action {action.name!r} is declared twice")
    ACTIONS[action.name] = action
    return action


def panel_actions() -> list[TicketAction]:
    """The actions with a form, in the panel's order."""
    with_forms = [a for a in ACTIONS.values() if a.form is not None]
    return sorted(with_forms, key=lambda a: a.panel_rank)


def api_actions() -> list[TicketAction]:
    """The actions with an API endpoint, in the order of the process."""
    return [a for a in ACTIONS.values() if a.schema is not None]
