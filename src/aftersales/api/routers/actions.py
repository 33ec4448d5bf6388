"""The process actions: one POST per step, guarded by If-Match (the ticket's ETag).

No ``from __future__ import annotations`` here: each generated handler's body type must be a
real class for django-ninja to read.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router
from pydantic import BaseModel

from .. import presenters, schemas
from ..auth import caller_of
from ..conditional import ticket_etag, version_from_if_match
from ..inputs import ACTIONS, Converter
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


def _make_handler(action: str, body: type[BaseModel], convert: Converter, service: Any) -> Any:
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
        service(ticket=ticket, actor=caller.user, expected_version=version, **convert(payload, caller, ticket))
        fresh = api_ticket_get(caller=caller, number=number)
        response["ETag"] = ticket_etag(fresh)
        return presenters.ticket_detail(fresh, caller.user)

    handler.__name__ = f"action_{action}"
    handler.__qualname__ = handler.__name__
    return handler


for _action, (_body, _convert, _service) in ACTIONS.items():
    router.add_api_operation(
        f"/tickets/{{number}}/actions/{_action.replace('_', '-')}",
        ["POST"],
        _make_handler(_action, _body, _convert, _service),
        response={200: schemas.TicketOut, **problems(403, 404, 409, 412, 422, 428)},
        summary=f"Process action: {_action.replace('_', ' ')}",
    )
