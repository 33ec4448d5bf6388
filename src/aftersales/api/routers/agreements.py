"""The customer's answer to the plan offered, as the portal takes it (accept and sign on the
screen, or decline), and the signed agreement's file.

``plan-answer`` calls the agreement service the portal calls (``tickets.process.
ticket_record_agreement``): the drawn signature is stored on the agreement as the portal's is.
Staff record an answer the customer gave them with the process action ``record-agreement``.
"""

from typing import Annotated, Any

from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Router

from aftersales.core.errors import NotFound
from aftersales.fieldservice.uploads import decode_signature
from aftersales.tickets.action_schemas import refuse_fields
from aftersales.tickets.downloads import agreement_document_response
from aftersales.tickets.process import ticket_record_agreement
from aftersales.tickets.selectors.agreements import agreement_document_get_for_user
from aftersales.tickets.services.agreements import agreement_document_record_view

from .. import app_schemas, presenters, schemas
from ..auth import caller_of, customer_caller_of
from ..conditional import ticket_etag, version_from_if_match
from ..models import Scope
from ..selectors import api_ticket_get
from .common import MAX_ID, problems

router = Router(tags=["tickets"])
AgreementId = Annotated[int, Path(ge=1, le=MAX_ID)]
IF_MATCH_DOC = "The ETag of the ticket as read (GET /tickets/{number}); 412 when stale, 428 when missing."
FILE_RESPONSE = {
    200: {
        "description": "The signed agreement with its stored type (the PNG drawn in the portal or app, or a scan).",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _signature_document(payload: app_schemas.PlanAnswerIn) -> ContentFile[bytes] | None:
    """The drawn signature as the agreement's file; refused on a decline (nothing is signed)."""
    if not payload.signature:
        return None
    if not payload.accepted:
        refuse_fields(["signature"])
    return ContentFile(decode_signature(payload.signature, field="signature"), name="signature.png")


@router.post(
    "/tickets/{number}/plan-answer",
    response={200: schemas.TicketOut, **problems(403, 404, 409, 412, 413, 422, 428)},
    summary="The customer accepts (and signs) or declines the plan offered, as in the portal",
    description=(
        "A customer's own key or session (tickets:write), while `actions` lists record_agreement. "
        "Accepting a plan that needs the signed agreement takes `signature` (422 document_required "
        "without). Staff record the customer's answer with the action record-agreement instead."
    ),
)
def answer_plan(
    request: HttpRequest,
    number: str,
    payload: app_schemas.PlanAnswerIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = customer_caller_of(
        request,
        Scope.TICKETS_WRITE,
        refusal=_("Only the customer answers here; record the customer's answer with the action record-agreement."),
    )
    ticket = api_ticket_get(caller=caller, number=number)
    version = version_from_if_match(request, ticket)
    ticket_record_agreement(
        ticket=ticket,
        actor=caller.user,
        accepted=payload.accepted,
        note=payload.note,
        document=_signature_document(payload),
        expected_version=version,
    )
    fresh = api_ticket_get(caller=caller, number=number)
    response["ETag"] = ticket_etag(fresh)
    return presenters.ticket_detail(fresh, caller.user)


@router.get(
    "/tickets/{number}/agreements/{agreement_id}/document",
    response={200: None, **problems(403, 404)},
    summary="The signed agreement of a plan (ids: ?expand=agreements, where signed_document is true)",
    openapi_extra={"responses": FILE_RESPONSE},
)
def agreement_document(request: HttpRequest, number: str, agreement_id: AgreementId) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)  # within the key's region, as every read
    try:
        document = agreement_document_get_for_user(user=caller.user, number=ticket.number, agreement_id=agreement_id)
    except NotFound:
        raise NotFound(
            _("No signed agreement with this id is on file for this ticket."), code="agreement_document_not_found"
        ) from None
    answer = agreement_document_response(document, inline=False)
    agreement_document_record_view(document=document, viewer=caller.user, inline=False)  # staff: audited
    return answer
