"""Assignment: several tickets to one person at once (staff only).

Assigning or taking one ticket are process actions (``POST /tickets/{number}/actions/assign``
and ``…/claim``, generated from ``tickets.actions``); this is the list's bulk assignment, each
ticket through the same service, with a result per ticket.
"""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from pydantic import Field

from aftersales.accounts.models import Role, User
from aftersales.core.errors import ValidationFailed
from aftersales.tickets.action_schemas import Input
from aftersales.tickets.services import tickets_bulk_assign
from aftersales.tickets.services.assignment import BULK_ASSIGN_MAX

from ..idempotency import idempotent
from ..models import Scope
from ..selectors import api_tickets_visible
from .common import idempotency_header as _idem
from .common import problems, staff_caller

router = Router(tags=["assignment"])

TicketNumber = Annotated[str, Field(min_length=1, max_length=32)]


class BulkAssignIn(Input):
    tickets: Annotated[list[TicketNumber], Field(min_length=1, max_length=BULK_ASSIGN_MAX, description="Ticket numbers.")]
    assignee: Annotated[str, Field(max_length=150)] | None = Field(
        description="Username of the staff member; null puts the tickets back in the unassigned queue."
    )
    note: Annotated[str, Field(max_length=2000)] = ""


class BulkAssignItemOut(Schema):
    number: str
    assigned: bool
    version: int | None = Field(None, description="The ticket's new version (its ETag) when assigned.")
    code: str | None = Field(None, description="Why not, when refused (a problem code, e.g. ticket_final).")
    detail: str | None = None


class BulkAssignOut(Schema):
    assigned: int
    refused: int
    items: list[BulkAssignItemOut]


def _assignee(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True).exclude(role=Role.CUSTOMER).first()
    if user is None:
        raise ValidationFailed({"assignee": [_("No active staff member has this username.")]}, code="owner_invalid")
    return user


@router.post(
    "/tickets/bulk-assign",
    response={200: BulkAssignOut, **problems(403, 409, 422)},
    summary="Assign several tickets to one person (a result per ticket)",
)
@idempotent
def bulk_assign(request: HttpRequest, payload: BulkAssignIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.TICKETS_WRITE)
    result = tickets_bulk_assign(
        actor=caller.user,
        numbers=payload.tickets,
        assignee=_assignee(payload.assignee),
        note=payload.note,
        within=api_tickets_visible(caller=caller),
    )
    items = [
        BulkAssignItemOut(
            number=item.number,
            assigned=item.assigned,
            version=item.version,
            code=item.code or None,
            detail=item.message or None,
        )
        for item in result.items
    ]
    return 200, BulkAssignOut(assigned=len(result.assigned), refused=len(result.refused), items=items)
