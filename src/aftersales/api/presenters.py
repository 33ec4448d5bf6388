"""Model → response body, with personal data masked for roles that have no need to see it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductUnit
from aftersales.catalog.warranty import warranty_status
from aftersales.core.masking import mask_email, mask_name, mask_phone
from aftersales.customers.models import Customer
from aftersales.feedback.models import Survey
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.states import TicketStatus

from . import schemas


def _phone(user: User, e164: str) -> str:
    if not e164:
        return ""
    return e164 if user.sees_personal_data or user.is_customer else mask_phone(e164)


def _email(user: User, email: str) -> str:
    return email if user.sees_personal_data or user.is_customer else mask_email(email)


def _status_label(value: str | None) -> str:
    try:
        return str(TicketStatus(value or "").label)
    except ValueError:
        return str(value or "")


def ticket_summary(ticket: Ticket) -> schemas.TicketSummary:
    return schemas.TicketSummary(
        number=ticket.number,
        title=ticket.title,
        status=ticket.status,
        status_label=_status_label(ticket.status),
        channel=ticket.channel,
        request_type=ticket.request_type,
        priority=ticket.priority,
        safety_hazard=ticket.safety_hazard,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        due_at=ticket.due_at,
        version=ticket.version,
    )


def ticket_detail(ticket: Ticket, user: User) -> schemas.TicketOut:
    staff = not user.is_customer
    sees = user.sees_personal_data or user.is_customer
    return schemas.TicketOut(
        **ticket_summary(ticket).model_dump(),
        description=ticket.description,
        category=ticket.category.code if ticket.category_id and ticket.category else None,
        customer_id=ticket.customer_id,
        contact_name=ticket.contact_name if sees else mask_name(ticket.contact_name),
        contact_phone=_phone(user, ticket.contact_phone),
        contact_email=_email(user, ticket.contact_email),
        serial_number=ticket.reported_serial,
        product_model=ticket.product_model.code if ticket.product_model_id and ticket.product_model else None,
        province=ticket.province,
        city=ticket.city,
        district=ticket.district,
        address=ticket.address if sees else "",
        region=ticket.region.code if ticket.region_id and ticket.region else None,
        assignee=str(ticket.assignee) if staff and ticket.assignee_id and ticket.assignee else None,
        first_response_due_at=ticket.first_response_due_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        actions=ticket_available_actions(user=user, ticket=ticket),
    )


def event(item: TicketEvent, user: User) -> schemas.EventOut:
    data = item.data if isinstance(item.data, dict) else {}
    changed = item.kind == EventKind.STATUS_CHANGED
    actor = item.actor_label or (str(item.actor) if item.actor_id else "")
    return schemas.EventOut(
        id=item.pk,
        kind=item.kind,
        kind_label=str(EventKind(item.kind).label) if item.kind in EventKind.values else item.kind,
        public=item.public,
        body=item.body,
        actor=actor,
        created_at=item.created_at,
        status_from=str(data.get("from")) if changed and data.get("from") else None,
        status_to=str(data.get("to")) if changed and data.get("to") else None,
        attachment_ids=[a.pk for a in item.attachments.all()] if hasattr(item, "attachments") else [],
    )


def attachment(item: Attachment) -> schemas.AttachmentOut:
    return schemas.AttachmentOut(
        id=item.pk,
        original_name=item.original_name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        public=item.public,
        created_at=item.created_at,
        download_url=reverse("api-v1:attachment_download", kwargs={"attachment_id": item.pk}),
    )


def customer(item: Customer, user: User) -> schemas.CustomerOut:
    sees = user.sees_personal_data
    return schemas.CustomerOut(
        id=item.pk,
        kind=item.kind,
        name=item.name if sees else mask_name(item.name),
        phone=_phone(user, item.phone),
        email=_email(user, item.email),
        tier=item.tier,
        region=item.region.code if item.region_id and item.region else None,
        language=item.language,
        created_at=item.created_at,
    )


def unit(item: ProductUnit, on: dt.date) -> schemas.UnitOut:
    status = warranty_status(item, on)
    return schemas.UnitOut(
        serial_number=item.serial_number,
        model_code=item.model.code,
        model_name=item.model.name,
        category=str(item.model.category),
        batch=item.batch,
        production_date=item.production_date,
        purchase_date=item.purchase_date,
        warranty=schemas.WarrantyOut(
            state=str(status.state.value),
            label=status.label,
            reason=status.reason,
            on=on,
            starts_on=status.starts_on,
            ends_on=status.ends_on,
            covers_parts=status.covers_parts,
            covers_labour=status.covers_labour,
        ),
    )


def survey(item: Survey) -> schemas.SurveyOut:
    return schemas.SurveyOut(
        status=item.status,
        round=item.round,
        sent_at=item.sent_at,
        submitted_at=item.submitted_at,
        overall=item.overall,
        speed=item.speed,
        attitude=item.attitude,
        professionalism=item.professionalism,
        result=item.result,
        solved=item.solved,
        comment=item.comment,
    )
