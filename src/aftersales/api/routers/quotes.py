"""The quotes of a ticket's chargeable jobs, for the customer's app (docs/api-app.md, "Confirm a
repair quote"): ``GET /tickets/{number}/quotes`` reads them, ``POST /tickets/{number}/quotes/
{wo_number}/confirm`` is the customer's confirmation — the service the quote link calls
(``fieldservice.services.work_order_confirm_quote``, as the portal: ``confirmed_via`` ``portal``,
the technician told), ``POST …/decline`` the customer's "no" with an optional reason
(``work_order_decline_quote``, ``declined_via`` ``app``: the job stops, staff are told). Staff keep
their own path: the technician records an answer given on site with the work order's actions
``confirm-quote`` and ``decline-quote``.

No ``from __future__ import annotations`` here: django-ninja reads the handlers' types.
"""

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Router, Schema
from pydantic import Field

from aftersales.fieldservice.models import QuoteAnswerVia, WorkOrder
from aftersales.fieldservice.services import work_order_confirm_quote
from aftersales.fieldservice.services.quote import DECLINE_REASON_LIMIT, work_order_decline_quote

from ..auth import caller_of, customer_caller_of
from ..caller import Caller
from ..conditional import checked_version, work_order_etag
from ..models import Scope
from ..selectors import api_ticket_get
from ..workorders import presenters as work_order_present
from ..workorders.schemas import MONEY, QuoteLineOut
from ..workorders.selectors import api_ticket_quote_get, api_ticket_quotes
from .common import problems

router = Router(tags=["tickets"])
IF_MATCH_DOC = "The quote's etag as read (GET /tickets/{number}/quotes); 412 when stale, 428 when missing."


class TicketQuoteOut(Schema):
    work_order: str = Field(description="The work order's number: POST …/quotes/{work_order}/confirm.")
    status: str = Field(description="The work order's status.")
    status_label: str
    sent_at: dt.datetime = Field(description="When the quote was sent to the customer.")
    total: str = Field(description=MONEY)
    lines: list[QuoteLineOut]
    confirmed_at: dt.datetime | None = Field(description="Null until the customer confirms.")
    confirmed_via: str = Field(
        description="on_site (recorded by the technician) or portal (the link or the app); empty until confirmed."
    )
    declined_at: dt.datetime | None = Field(description="Null unless the customer declined it (then it cannot be confirmed).")
    declined_via: str = Field(
        description="on_site (recorded by the technician), portal (the link) or app; empty unless declined."
    )
    decline_reason: str = Field(description="What the customer said when declining; may be empty.")
    etag: str = Field(description="Send in If-Match to confirm or decline: a newer quote, or the job moving on, changes it.")


class QuoteDeclineIn(Schema):
    reason: str = Field("", max_length=DECLINE_REASON_LIMIT, description="Why (optional), as the customer says it.")


def _quote(work_order: WorkOrder) -> TicketQuoteOut:
    quote = work_order_present.quote(work_order)
    return TicketQuoteOut(
        work_order=work_order.number,
        status=work_order.status,
        status_label=str(work_order.get_status_display()),
        sent_at=cast(dt.datetime, quote.sent_at),  # only quoted work orders are listed (api_ticket_quotes)
        total=quote.total,
        lines=quote.lines,
        confirmed_at=quote.confirmed_at,
        confirmed_via=quote.confirmed_via,
        declined_at=quote.declined_at,
        declined_via=quote.declined_via,
        decline_reason=quote.decline_reason,
        etag=work_order_etag(work_order),
    )


@router.get(
    "/tickets/{number}/quotes",
    response={200: list[TicketQuoteOut], **problems(403, 404)},
    summary="The quotes of the ticket's chargeable jobs (what the customer is asked to confirm), oldest first",
    description="A customer reads every quote sent to them on their ticket; staff those of the work orders they may see. "
    "A quote not confirmed yet has confirmed_at null.",
)
def list_quotes(request: HttpRequest, number: str) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    return [_quote(work_order) for work_order in api_ticket_quotes(caller=caller, ticket=ticket)]


@router.post(
    "/tickets/{number}/quotes/{wo_number}/confirm",
    response={200: TicketQuoteOut, **problems(403, 404, 409, 412, 428)},
    summary="The customer confirms a repair quote, as by the quote's link",
    description="A customer's own token, key or session (tickets:write); staff record a confirmation given on site "
    "with the work order's action confirm-quote (403 customer_only here). 409: already confirmed (quote_confirmed), "
    "the job finished (work_order_final), the ticket closed (ticket_final), or the customer declined the quote "
    "(quote_declined: only a new quote can be confirmed).",
)
def confirm_quote(
    request: HttpRequest,
    number: str,
    wo_number: str,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = customer_caller_of(
        request,
        Scope.TICKETS_WRITE,
        refusal=_("Only the customer confirms here; the technician records a confirmation given on site with confirm-quote."),
    )
    work_order, version = _answering(request, caller, number, wo_number)
    work_order_confirm_quote(work_order=work_order, actor=None, expected_version=version)
    return _answered(caller, response, number, wo_number)


@router.post(
    "/tickets/{number}/quotes/{wo_number}/decline",
    response={200: TicketQuoteOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="The customer declines a repair quote, as on the quote's page",
    description="A customer's own token, key or session (tickets:write), with an optional reason; staff record a refusal "
    "given on site with the work order's action decline-quote (403 customer_only here). The job stops (status "
    "quote_declined); the dispatcher, the ticket's handler and the technician are told to cancel it or give a new "
    "quote, which the customer answers again. 409: already confirmed (quote_confirmed) or declined (quote_declined), "
    "the job finished (work_order_final) or the ticket closed (ticket_final).",
)
def decline_quote(
    request: HttpRequest,
    number: str,
    wo_number: str,
    response: HttpResponse,
    payload: QuoteDeclineIn,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = customer_caller_of(
        request,
        Scope.TICKETS_WRITE,
        refusal=_("Only the customer declines here; the technician records a refusal given on site with decline-quote."),
    )
    work_order, version = _answering(request, caller, number, wo_number)
    work_order_decline_quote(
        work_order=work_order,
        actor=None,
        reason=payload.reason,
        via=QuoteAnswerVia.APP,
        customer=caller.user,
        expected_version=version,
    )
    return _answered(caller, response, number, wo_number)


def _answering(request: HttpRequest, caller: Caller, number: str, wo_number: str) -> tuple[WorkOrder, int]:
    """The customer's quoted work order and the version they read (If-Match)."""
    ticket = api_ticket_get(caller=caller, number=number)
    work_order = api_ticket_quote_get(caller=caller, ticket=ticket, number=wo_number)
    version = checked_version(
        request,
        work_order,
        missing=_("Send the quote's etag in If-Match (read the ticket's quotes first)."),
        stale=_("The quote or its job changed since you read it; read the quotes again and answer the one shown."),
    )
    return work_order, version


def _answered(caller: Caller, response: HttpResponse, number: str, wo_number: str) -> TicketQuoteOut:
    ticket = api_ticket_get(caller=caller, number=number)
    fresh = api_ticket_quote_get(caller=caller, ticket=ticket, number=wo_number)
    response["ETag"] = work_order_etag(fresh)
    return _quote(fresh)
