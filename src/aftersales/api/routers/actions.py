"""The process actions: one POST per step, guarded by If-Match (the ticket's ETag).

No ``from __future__ import annotations`` here: each generated handler's body type must be a
real class for django-ninja to read.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from aftersales.tickets.registry import TicketAction, api_actions

from .. import presenters, schemas
from ..auth import caller_of
from ..caller import Caller
from ..conditional import ticket_etag, version_from_if_match
from ..models import Scope
from ..selectors import api_ticket_get
from .common import problems

router = Router(tags=["process actions"])
IF_MATCH_DOC = "The ETag of the ticket as read (GET /tickets/{number}); 412 when stale, 428 when missing."


@router.get(
    "/tickets/{number}/actions", response={200: schemas.ActionsOut, **problems(403, 404)}, summary="Actions you may take now"
)
def list_actions(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    response["ETag"] = ticket_etag(ticket)
    detail = presenters.ticket_detail(ticket, caller.user)
    return schemas.ActionsOut(number=ticket.number, version=ticket.version, status=ticket.status, actions=detail.actions)


class _ActionCaller:
    """The caller as an action's body converter sees it (``tickets.registry.ApiCaller``)."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @property
    def user(self) -> Any:
        return self._caller.user

    def ticket(self, number: str) -> Any:
        return api_ticket_get(caller=self._caller, number=number)


def _make_handler(declared: TicketAction) -> Any:
    body = declared.schema

    def handler(
        request: HttpRequest,
        number: str,
        payload: body,  # type: ignore[valid-type]
        response: HttpResponse,
        if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
    ) -> Any:
        caller = caller_of(request, Scope.TICKETS_WRITE)
        ticket = api_ticket_get(caller=caller, number=number)
        version = version_from_if_match(request, ticket)
        arguments = declared.from_api(payload, _ActionCaller(caller), ticket)
        declared.perform(ticket=ticket, actor=caller.user, expected_version=version, **arguments)
        fresh = api_ticket_get(caller=caller, number=number)
        response["ETag"] = ticket_etag(fresh)
        return presenters.ticket_detail(fresh, caller.user)

    handler.__name__ = f"action_{declared.name}"
    handler.__qualname__ = handler.__name__
    return handler


# One endpoint per declared action with an API body (tickets.actions), in the process's order.
# ``actions`` lists the names (start_verification); the URL writes them with dashes
# (start-verification), and takes them as listed too, an alias left out of the document.
for _declared in api_actions():
    for _path_name in dict.fromkeys((_declared.slug, _declared.name)):
        router.add_api_operation(
            f"/tickets/{{number}}/actions/{_path_name}",
            ["POST"],
            _make_handler(_declared),
            response={200: schemas.TicketOut, **problems(403, 404, 409, 412, 422, 428)},
            summary=f"Process action: {_declared.name.replace('_', ' ')}",
            include_in_schema=_path_name == _declared.slug,
        )
