"""The quote of a chargeable job (out of warranty): estimated before the work and sent to the
customer, who answers it — confirms it, or declines it with an optional reason — on site
(recorded by the technician), through the signed link, or in the app.

A declined quote stops the job ("quote declined", ``states.TRANSITIONS``): none of the visit's
steps leads on from there. The dispatcher, the ticket's handler and the technician are told;
staff cancel the job (``dispatch.work_order_cancel``) or give a new quote, which the customer
answers again: confirmed, the job goes back to dispatch for a new appointment. A declined quote
is never confirmed later, and an answered quote is not answered twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound
from aftersales.core.i18n import deferred
from aftersales.core.links import absolute_url
from aftersales.notifications.services import notify_staff
from aftersales.tickets.process.common import optional_text

from .. import charging
from ..audit_actions import WorkOrderAudit
from ..models import QuoteAnswerVia, WorkOrder, WorkOrderStatus
from ..permissions import check_dispatcher, check_technician
from ..states import FINAL_STATUSES, QUOTE_STATUSES
from .common import lock_work_order, money, move, record, save_fields, tell_customer, tell_technician

W = WorkOrderStatus
QUOTE_SALT = "aftersales.fieldservice.quote"
DECLINE_REASON_LIMIT = 1000
DECLINE_FIELDS = ("quote_declined_at", "quote_declined_via", "quote_declined_by", "quote_decline_reason")


class QuoteLinkExpired(NotFound):
    """The quote's signed link is older than ``PORTAL_LINK_MAX_AGE_DAYS``: the page says so."""

    code = "quote_link_expired"


def quote_token_for(work_order: WorkOrder) -> str:
    return signing.dumps({"w": work_order.pk, "t": work_order.ticket_id}, salt=QUOTE_SALT, compress=True)


def quote_path_for(work_order: WorkOrder) -> str:
    return reverse("fieldservice:quote_by_link", kwargs={"token": quote_token_for(work_order)})


def work_order_from_quote_token(token: str) -> WorkOrder:
    max_age = getattr(settings, "PORTAL_LINK_MAX_AGE_DAYS", 60) * 86400
    try:
        payload = signing.loads(token, salt=QUOTE_SALT, max_age=max_age)
        work_order_id, ticket_id = int(payload["w"]), int(payload["t"])
    except signing.SignatureExpired:
        raise QuoteLinkExpired(_("This link has expired; ask us for the quote again.")) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("invalid link") from None
    work_order = WorkOrder.objects.select_related("ticket__customer").filter(pk=work_order_id).first()
    if work_order is None or work_order.ticket_id != ticket_id:
        raise NotFound("invalid link")
    return work_order


def quote_declined(work_order: WorkOrder) -> bool:
    """The customer declined the quote sent (a new quote empties the decline)."""
    return work_order.quote_declined_at is not None


def quote_awaits_answer(work_order: WorkOrder) -> bool:
    """A quote was sent and the customer has neither confirmed nor declined it."""
    return (
        work_order.chargeable
        and work_order.quote_sent_at is not None
        and work_order.quote_confirmed_at is None
        and not quote_declined(work_order)
    )


@transaction.atomic
def work_order_prepare_quote(
    *,
    work_order: WorkOrder,
    actor: User,
    estimated_hours: object,
    parts_estimate: object = 0,
    estimated_km: object = 0,
    expected_version: int | None = None,
) -> WorkOrder:
    """The estimate of a chargeable job, sent to the customer with a link to answer it; also a
    new quote after the customer declined one."""
    hours = money(estimated_hours, field="estimated_hours", allow_zero=False)
    parts = money(parts_estimate, field="parts_estimate")
    km = money(estimated_km, field="estimated_km")
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    if locked.technician_id != actor.pk:
        check_dispatcher(user=actor, work_order=locked)
    if not locked.chargeable:
        raise DomainError(_("This job is free of charge: no quote needed."), code="not_chargeable")
    if locked.status not in QUOTE_STATUSES:
        raise DomainError(_("A quote can be given only before the work."), code="quote_not_available", field="status")
    lines = charging.quote_lines(locked, estimated_hours=hours, parts_estimate=parts, estimated_km=km)
    locked.quote_lines = [line.as_dict() for line in lines]
    locked.quote_total = sum((line.charge_amount for line in lines), Decimal(0))
    locked.quote_sent_at = clock.now()
    # A new quote (the work costs more than the customer accepted, or they declined the last one)
    # waits for a new answer.
    locked.quote_confirmed_at, locked.quote_confirmed_via = None, ""
    locked.quote_declined_at, locked.quote_declined_via, locked.quote_declined_by, locked.quote_decline_reason = (
        None,
        "",
        None,
        "",
    )
    save_fields(
        locked, {"quote_lines", "quote_total", "quote_sent_at", "quote_confirmed_at", "quote_confirmed_via", *DECLINE_FIELDS}
    )
    record(
        work_order=locked,
        actor=actor,
        action=WorkOrderAudit.QUOTE_SENT,
        body=deferred(_("Quote sent to the customer: %(total)s CNY."), total=str(locked.quote_total)),
        public=True,
        changes={"quote_total": str(locked.quote_total)},
    )
    tell_customer(locked, "fieldservice.quote", total=locked.quote_total, link=absolute_url(quote_path_for(locked)))
    return locked


def _check_answerable(locked: WorkOrder) -> None:
    """The quote waits for the customer's answer: sent, not yet confirmed nor declined, the job
    not finished (the errors say which)."""
    if not locked.quote_sent_at:
        raise DomainError(_("No quote has been given yet."), code="no_quote")
    if locked.quote_confirmed_at:
        raise DomainError(_("The quote is already confirmed."), code="quote_confirmed")
    if quote_declined(locked):
        raise DomainError(
            _("The customer declined this quote; it can be confirmed only once a new quote is given."), code="quote_declined"
        )
    if locked.status in FINAL_STATUSES or locked.status == W.DONE:
        raise DomainError(_("This work order is finished."), code="work_order_final", field="status")
    if locked.status not in QUOTE_STATUSES:
        raise DomainError(_("A quote can be answered only before the work."), code="quote_not_available", field="status")


@transaction.atomic
def work_order_confirm_quote(*, work_order: WorkOrder, actor: User | None, expected_version: int | None = None) -> WorkOrder:
    """The customer confirms the quote: on site, recorded by the technician (``actor``), or in
    the portal through the signed link or in the app (``actor=None``). A new quote confirmed
    after a declined one sends the job back to dispatch: the dispatcher books the visit again."""
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    if actor is not None:
        check_technician(user=actor, work_order=locked)
    _check_answerable(locked)
    locked.quote_confirmed_at = clock.now()
    locked.quote_confirmed_via = QuoteAnswerVia.ON_SITE if actor is not None else QuoteAnswerVia.PORTAL
    save_fields(locked, {"quote_confirmed_at", "quote_confirmed_via"})
    body = (
        _("The customer confirmed the quote (%(total)s CNY) on site.")
        if actor is not None
        else _("The customer confirmed the quote (%(total)s CNY) in the portal.")
    )
    record(
        work_order=locked,
        actor=actor,
        action=WorkOrderAudit.QUOTE_CONFIRMED,
        body=deferred(body, total=str(locked.quote_total)),
        public=True,
    )
    if locked.status == W.QUOTE_DECLINED:
        _back_to_dispatch(locked, actor=actor)
    elif actor is None:
        tell_technician(locked, locked.technician, "fieldservice.job.quote_confirmed")
    return locked


def _back_to_dispatch(locked: WorkOrder, *, actor: User | None) -> None:
    """The new quote after a declined one is confirmed: the job goes back to the dispatch board
    (its window kept as a proposal) to be booked again; the technician and the dispatcher hear."""
    technician, dispatcher = locked.technician, locked.dispatched_by
    locked.technician, locked.outlet, locked.dispatched_at, locked.dispatched_by, locked.accepted_at = (
        None,
        None,
        None,
        None,
        None,
    )
    move(
        locked,
        to=W.TO_DISPATCH,
        actor=actor,
        body=deferred(_("Back to dispatch: the customer confirmed the new quote; book the visit again.")),
        fields={"technician", "outlet", "dispatched_at", "dispatched_by", "accepted_at"},
        changes={"technician": [technician.pk if technician else None, None]},
    )
    _tell_staff(
        locked,
        [technician, dispatcher],
        actor=actor,
        event="fieldservice.job.quote_confirmed_again",
        subject=_("New quote confirmed for %(number)s"),
        body=_("The customer confirmed the new quote (%(total)s CNY): the job is back on the dispatch board to be booked again."),
    )


@transaction.atomic
def work_order_decline_quote(
    *,
    work_order: WorkOrder,
    actor: User | None,
    reason: str = "",
    via: str = "",
    customer: User | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """The customer declines the quote, with an optional ``reason``: on site, recorded by the
    technician (``actor``), or themselves (``actor=None``) through the signed link (``via``
    ``portal``) or in the app (``via`` ``app``, ``customer``: their account). The job stops
    ("quote declined"); the dispatcher, the ticket's handler and the technician are told what to
    do next: cancel the job or give a new quote."""
    text = optional_text(reason, field="reason", limit=DECLINE_REASON_LIMIT)
    if actor is not None:
        answered_via = QuoteAnswerVia.ON_SITE
    elif via in (QuoteAnswerVia.PORTAL, QuoteAnswerVia.APP):
        answered_via = QuoteAnswerVia(via)
    else:
        answered_via = QuoteAnswerVia.PORTAL
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    if actor is not None:
        check_technician(user=actor, work_order=locked)
    _check_answerable(locked)
    locked.quote_declined_at = clock.now()
    locked.quote_declined_via = answered_via
    locked.quote_declined_by = actor or (customer if answered_via == QuoteAnswerVia.APP else None)
    locked.quote_decline_reason = text
    values = {"total": str(locked.quote_total), "via": answered_via.label}
    body = (
        deferred(_("The customer declined the quote (%(total)s CNY, %(via)s): %(reason)s"), reason=text, **values)
        if text
        else deferred(_("The customer declined the quote (%(total)s CNY, %(via)s)."), **values)
    )
    move(
        locked,
        to=W.QUOTE_DECLINED,
        actor=actor,
        body=body,
        public=True,
        fields=set(DECLINE_FIELDS),
        changes={"via": str(answered_via), "reason": text, "quote_total": str(locked.quote_total)},
    )
    _tell_staff(
        locked,
        [locked.dispatched_by, locked.ticket.assignee, locked.technician],
        actor=actor,
        event="fieldservice.job.quote_declined",
        subject=_("Quote declined for %(number)s"),
        body=_("The customer declined the quote (%(total)s CNY). Reason: %(reason)s. Cancel the job or give a new quote."),
        reason=text or "—",
    )
    return locked


def _tell_staff(
    locked: WorkOrder,
    users: list[User | None],
    *,
    actor: User | None,
    event: str,
    subject: object,
    body: object,
    **params: object,
) -> None:
    """An in-app message to each of ``users`` (but whoever did it), linking to the job's page."""
    recipients = [u for u in users if u is not None and (actor is None or u.pk != actor.pk)]
    notify_staff(
        users=recipients,
        template="fieldservice.job",
        event=event,
        subject=subject,
        body=body,
        ticket=locked.ticket,
        params={"number": locked.number, "total": str(locked.quote_total), **params},
        link=reverse("fieldservice:detail", args=[locked.number]),
        link_text=_("Open the job:"),
    )
