"""The quote of a chargeable job (out of warranty): estimated before the work and sent to the
customer, who confirms it on site (recorded by the technician) or through a signed link."""

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

from .. import charging
from ..audit_actions import WorkOrderAudit
from ..models import WorkOrder, WorkOrderStatus
from ..permissions import check_dispatcher, check_technician
from ..states import FINAL_STATUSES, QUOTE_STATUSES
from .common import lock_work_order, money, record, save_fields, tell_customer, tell_technician

W = WorkOrderStatus
QUOTE_SALT = "aftersales.fieldservice.quote"


def quote_token_for(work_order: WorkOrder) -> str:
    return signing.dumps({"w": work_order.pk, "t": work_order.ticket_id}, salt=QUOTE_SALT, compress=True)


def quote_path_for(work_order: WorkOrder) -> str:
    return reverse("fieldservice:quote_by_link", kwargs={"token": quote_token_for(work_order)})


def work_order_from_quote_token(token: str) -> WorkOrder:
    max_age = getattr(settings, "PORTAL_LINK_MAX_AGE_DAYS", 60) * 86400
    try:
        payload = signing.loads(token, salt=QUOTE_SALT, max_age=max_age)
        work_order_id, ticket_id = int(payload["w"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("invalid link") from None
    work_order = WorkOrder.objects.select_related("ticket__customer").filter(pk=work_order_id).first()
    if work_order is None or work_order.ticket_id != ticket_id:
        raise NotFound("invalid link")
    return work_order


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
    """The estimate of a chargeable job, sent to the customer with a link to confirm it."""
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
    # A new quote (the work costs more than the customer accepted) waits for a new confirmation.
    locked.quote_confirmed_at, locked.quote_confirmed_via = None, ""
    save_fields(locked, {"quote_lines", "quote_total", "quote_sent_at", "quote_confirmed_at", "quote_confirmed_via"})
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


@transaction.atomic
def work_order_confirm_quote(*, work_order: WorkOrder, actor: User | None, expected_version: int | None = None) -> WorkOrder:
    """The customer confirms the quote: on site, recorded by the technician (``actor``), or in
    the portal through the signed link (``actor=None``)."""
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    if actor is not None:
        check_technician(user=actor, work_order=locked)
    if not locked.quote_sent_at:
        raise DomainError(_("No quote has been given yet."), code="no_quote")
    if locked.quote_confirmed_at:
        raise DomainError(_("The quote is already confirmed."), code="quote_confirmed")
    if locked.status in FINAL_STATUSES or locked.status == W.DONE:
        raise DomainError(_("This work order is finished."), code="work_order_final", field="status")
    locked.quote_confirmed_at = clock.now()
    locked.quote_confirmed_via = "on_site" if actor is not None else "portal"
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
    if actor is None:
        tell_technician(locked, locked.technician, "fieldservice.job.quote_confirmed")
    return locked
