"""The customer's copy of their personal data: one zip archive.

``personal-data.json`` holds, in the customer's language, what we know of the person (profile,
with the mark of an e-mail address that bounced; contacts, addresses, consents, registered
products) and every ticket as the customer may see it (the request, the public timeline, the
plan's measures and what they cost the customer, the work orders' visits and charges, the survey
answers, the messages we sent them); ``files/`` holds the files of those tickets the customer may
see (their photos, signed agreements, signatures). Internal notes, staff-only files and other
people's data are not part of it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.text import get_valid_filename

from aftersales.catalog.models import ProductUnit
from aftersales.customers.models import Customer
from aftersales.feedback.models import Survey
from aftersales.fieldservice.models import WorkOrder
from aftersales.notifications.models import Notification
from aftersales.tickets.event_text import event_text
from aftersales.tickets.models import Attachment, CustomerAgreement, PlanMeasure, Ticket, TicketEvent

from .inventory import to_customer


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _label(obj: Any, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()) if display else str(getattr(obj, field) or "")


def _profile(customer: Customer) -> dict[str, Any]:
    return {
        "name": customer.name,
        "kind": _label(customer, "kind"),
        "phone": customer.phone,
        "email": customer.email,
        # The address bounced (the receiving server refused our mail): when, and what it said.
        "email_bounced_at": _value(customer.email_bounced_at),
        "email_bounce_reason": customer.email_bounce_reason,
        "tier": _label(customer, "tier"),
        "language": customer.language,
        "consents": {
            "service_contact": customer.consent_contact,
            "marketing": customer.consent_marketing,
            "recorded_at": _value(customer.consent_recorded_at),
            "history": [
                {
                    "service_contact": r.contact,
                    "marketing": r.marketing,
                    "given": _label(r, "source"),
                    "at": _value(r.recorded_at),
                }
                for r in customer.consents.all()
            ],
        },
        "contacts": [
            {"name": c.name, "phone": c.phone, "email": c.email, "position": c.position} for c in customer.contacts.all()
        ],
        "addresses": [
            {"province": a.province, "city": a.city, "district": a.district, "detail": a.detail, "postal_code": a.postal_code}
            for a in customer.addresses.all()
        ],
        "products": [
            {
                "serial_number": u.serial_number,
                "model": str(u.model),
                "purchase_date": _value(u.purchase_date),
            }
            for u in ProductUnit.objects.filter(customer=customer).select_related("model")
        ],
        "created_at": _value(customer.created_at),
    }


def _ticket(ticket: Ticket, files: list[tuple[str, Attachment | CustomerAgreement]]) -> dict[str, Any]:
    events = TicketEvent.objects.filter(ticket=ticket, public=True).order_by("created_at", "pk")
    measures = PlanMeasure.objects.filter(plan__ticket=ticket, plan__is_current=True).order_by("pk")
    orders = WorkOrder.objects.filter(ticket=ticket).order_by("pk")
    attachments = Attachment.objects.filter(ticket=ticket, public=True).exclude(file="").order_by("pk")
    agreements = CustomerAgreement.objects.filter(plan__ticket=ticket).exclude(document="").order_by("pk")
    for item in attachments:
        files.append((f"files/{ticket.number}/{item.pk}-{get_valid_filename(item.original_name) or 'file'}", item))
    for agreement in agreements:
        files.append((f"files/{ticket.number}/agreement-{agreement.pk}-{agreement.document.name.rsplit('/', 1)[-1]}", agreement))
    return {
        "number": ticket.number,
        "title": ticket.title,
        "description": ticket.description,
        "channel": _label(ticket, "channel"),
        "request_type": _label(ticket, "request_type"),
        "status": _label(ticket, "status"),
        "created_at": _value(ticket.created_at),
        "closed_at": _value(ticket.closed_at),
        "contact": {"name": ticket.contact_name, "phone": ticket.contact_phone, "email": ticket.contact_email},
        "address": ticket.address,
        "timeline": [{"at": _value(e.created_at), "text": event_text(e)} for e in events],
        "plan": [
            {
                "measure": _label(m, "kind"),
                "description": m.description,
                "customer_pays": _value(m.customer_charge),
                "status": _label(m, "status"),
            }
            for m in measures
        ],
        "work_orders": [
            {
                "number": o.number,
                "kind": _label(o, "kind"),
                "status": _label(o, "status"),
                "address": o.address,
                "work_done": o.work_done,
            }
            for o in orders
        ],
        "surveys": [
            {
                "status": _label(s, "status"),
                "overall": s.overall,
                "speed": s.speed,
                "attitude": s.attitude,
                "professionalism": s.professionalism,
                "result": s.result,
                "comment": s.comment,
            }
            for s in Survey.objects.filter(ticket=ticket).order_by("pk")
        ],
        "files": [name for name, _item in files if name.startswith(f"files/{ticket.number}/")],
    }


def export_archive(*, customer: Customer, at: dt.datetime) -> bytes:
    """The zip archive of the customer's personal data, in their language."""
    with translation.override(customer.language or "zh-hans"):
        files: list[tuple[str, Attachment | CustomerAgreement]] = []
        tickets = [_ticket(t, files) for t in Ticket.objects.filter(customer=customer).order_by("created_at", "pk")]
        messages = [
            {"at": _value(n.created_at), "channel": _label(n, "channel"), "subject": n.subject, "text": n.body}
            for n in Notification.objects.filter(to_customer(customer)).order_by("created_at", "pk")
        ]
        document = {
            "prepared_at": _value(at),
            "customer": _profile(customer),
            "tickets": tickets,
            "messages_sent_to_you": messages,
        }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for name, item in files:
            stored = item.file if isinstance(item, Attachment) else item.document
            try:
                with stored.open("rb") as handle:
                    archive.writestr(name, handle.read())
            except FileNotFoundError:
                continue  # a file lost from the storage: the JSON still lists it
    return buffer.getvalue()
