"""Showing one masked value in full, with a reason, audited (PIPL: every reveal of masked data).

A role that sees customers' personal data masked (``User.sees_personal_data`` false: technicians,
warehouse keepers, appraisers…) may ask to see one value of a ticket it may open — the customer's
phone, the contact phone or the e-mail — for one page view, giving a reason from a short list and
a free text. Each reveal is an audit row (who, whose data, which field, why); more than
``PRIVACY_REVEALS_PER_HOUR`` (default 30) reveals by one user in an hour are refused, and the
refusal is an audit row too. Nothing is stored beyond the audit rows: a reload shows the value
masked again.

The same service reveals the site of a work order (``privacy_reveal_work_order``): the address
and the on-site contact that ``fieldservice.permissions.site_details`` masks for whoever may open
the work order but is not the technician it is dispatched to (a technician after the job was
cancelled or failed, the warehouse, finance…). Same reasons, same audit action, same hourly limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.models import AuditEvent
from aftersales.audit.services import audit_record_view
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.phones import display_phone
from aftersales.fieldservice.models import WorkOrder
from aftersales.fieldservice.permissions import sees_site_details
from aftersales.fieldservice.selectors import work_order_get_for_user
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import ticket_get_for_user

from .audit_actions import PrivacyAudit
from .selectors import privacy_can_handle


class RevealField(models.TextChoices):
    PHONE = "phone", _("Customer's phone")
    CONTACT_PHONE = "contact_phone", _("Contact phone")
    CONTACT_EMAIL = "contact_email", _("Email")


class WorkOrderRevealField(models.TextChoices):
    """The masked parts of a work order's site (``fieldservice.permissions.site_details``)."""

    SITE_ADDRESS = "site_address", _("Address")
    SITE_CONTACT = "site_contact", _("Contact")


class RevealReason(models.TextChoices):
    CALL = "call_customer", _("Call the customer about this ticket")
    VISIT = "arrange_visit", _("Arrange a visit, pickup or delivery")
    IDENTITY = "verify_identity", _("Verify the caller's identity")
    OTHER = "other", _("Other (explain)")


def label_of(choices: type[models.TextChoices], value: Any) -> str:
    """The label of a stored code in the reader's language (the code itself if unknown)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def reveal_field_label(value: Any) -> str:
    """The label of a revealed field of a ticket or of a work order's site."""
    if value in WorkOrderRevealField.values:
        return label_of(WorkOrderRevealField, value)
    return label_of(RevealField, value)


class RevealLimitReached(DomainError):
    code = "reveal_limit_reached"
    status = 429


def reveals_per_hour() -> int:
    return int(getattr(settings, "PRIVACY_REVEALS_PER_HOUR", 30))


def privacy_may_reveal(*, user: User) -> bool:
    """Staff who see personal data masked; the others see it in full already."""
    return bool(user.is_authenticated and not user.is_customer and not user.sees_personal_data)


def _value(ticket: Ticket, field: str) -> str:
    if field == RevealField.PHONE:
        return display_phone(ticket.customer.phone)
    if field == RevealField.CONTACT_PHONE:
        return display_phone(ticket.contact_phone)
    return ticket.contact_email or ""


@dataclass(frozen=True)
class Revealed:
    ticket: Ticket
    field: str
    value: str
    # A phone number to call (``tel:``) next to the value, when the value holds one.
    tel: str = ""


def privacy_reveal_check(*, user: User, number: str, field: str) -> Ticket:
    """The ticket whose ``field`` ``user`` may ask to see (``NotFound`` outside their scope)."""
    if field not in RevealField.values:
        raise NotFound("no such field")
    if not privacy_may_reveal(user=user):
        raise PermissionDenied(_("Your role sees this value in full already."))
    return ticket_get_for_user(user=user, number=number)


def _checked_detail(reason: str, detail: str) -> str:
    """``detail`` stripped; ``ValidationFailed`` without a listed reason, or without a detail for
    "other"."""
    detail = (detail or "").strip()
    errors: dict[str, list[Any]] = {}
    if reason not in RevealReason.values:
        errors["reason"] = [_("Choose why you need to see this value.")]
    elif reason == RevealReason.OTHER and not detail:
        errors["detail"] = [_("Say why you need to see this value.")]
    if len(detail) > 200:
        errors["detail"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationFailed(errors)
    return detail


def _audit_within_limit(*, user: User, ticket: Ticket, changes: dict[str, Any]) -> None:
    """The audit row of one reveal; over the hourly limit the refusal's row and
    ``RevealLimitReached`` instead."""
    since = clock.now() - dt.timedelta(hours=1)
    done = AuditEvent.objects.filter(actor=user, action=PrivacyAudit.REVEALED, created_at__gte=since).count()
    limit = reveals_per_hour()
    if done >= limit:
        audit_record_view(
            action=PrivacyAudit.REVEAL_REFUSED, obj=ticket.customer, actor=user, changes={**changes, "limit": limit}
        )
        raise RevealLimitReached(
            _("You have seen %(limit)d masked values in the last hour: the limit. Ask a supervisor.") % {"limit": limit}
        )
    audit_record_view(action=PrivacyAudit.REVEALED, obj=ticket.customer, actor=user, changes=changes)


def privacy_reveal(*, user: User, number: str, field: str, reason: str, detail: str) -> Revealed:
    """Reveal ``field`` of ticket ``number`` to ``user`` for one page view, audited.

    Refused (``ValidationFailed``) without a listed reason, or without a detail for "other";
    refused (``RevealLimitReached``, audited) over the hourly limit."""
    ticket = privacy_reveal_check(user=user, number=number, field=field)
    detail = _checked_detail(reason, detail)
    changes = {"ticket": ticket.number, "field": field, "reason": reason, "detail": detail}
    _audit_within_limit(user=user, ticket=ticket, changes=changes)
    return Revealed(ticket=ticket, field=field, value=_value(ticket, field))


def privacy_reveal_work_order_check(*, user: User, number: str, field: str) -> WorkOrder:
    """The work order whose masked site ``field`` ``user`` may ask to see (``NotFound`` outside
    their scope; ``PermissionDenied`` when they see the site in full already)."""
    if field not in WorkOrderRevealField.values:
        raise NotFound("no such field")
    if not user.is_authenticated or user.is_customer:
        raise NotFound("work order not found")
    work_order = work_order_get_for_user(user=user, number=number)
    if sees_site_details(user, work_order):
        raise PermissionDenied(_("You see this value in full already."))
    return work_order


def _site_value(work_order: WorkOrder, field: str) -> tuple[str, str]:
    if field == WorkOrderRevealField.SITE_ADDRESS:
        area = " ".join(p for p in (work_order.province, work_order.city, work_order.district) if p)
        return " ".join(p for p in (area, work_order.address) if p), ""
    phone = display_phone(work_order.contact_phone)
    return " ".join(p for p in (work_order.contact_name, phone) if p), work_order.contact_phone or ""


def privacy_reveal_work_order(*, user: User, number: str, field: str, reason: str, detail: str) -> Revealed:
    """Reveal the masked site ``field`` of work order ``number`` to ``user`` for one page view:
    the same reasons, audit action (on the ticket's customer) and hourly limit as
    ``privacy_reveal``."""
    work_order = privacy_reveal_work_order_check(user=user, number=number, field=field)
    detail = _checked_detail(reason, detail)
    ticket = work_order.ticket
    changes = {
        "ticket": ticket.number,
        "work_order": work_order.number,
        "field": field,
        "reason": reason,
        "detail": detail,
    }
    _audit_within_limit(user=user, ticket=ticket, changes=changes)
    value, tel = _site_value(work_order, field)
    return Revealed(ticket=ticket, field=field, value=value, tel=tel)


REVEAL_ACTIONS = (PrivacyAudit.REVEALED, PrivacyAudit.REVEAL_REFUSED)


def privacy_reveals_log(
    *, user: User, actor: str = "", customer_id: int | None = None, refused_only: bool = False
) -> QuerySet[AuditEvent]:
    """The audit rows of reveals and refused reveals, newest first, for the privacy handlers
    (``selectors.privacy_can_handle``); filtered by the actor's user name, the customer, refusals."""
    if not privacy_can_handle(user=user):
        return AuditEvent.objects.none()
    rows = AuditEvent.objects.filter(action__in=REVEAL_ACTIONS).select_related("actor")
    if refused_only:
        rows = rows.filter(action=PrivacyAudit.REVEAL_REFUSED)
    if actor:
        rows = rows.filter(actor__username=actor)
    if customer_id is not None:
        rows = rows.filter(object_type="customers.customer", object_id=str(customer_id))
    return rows.order_by("-created_at", "-id")
