"""Erasure (PIPL): after it, no text column of any model holds the person's identifiers, their
files are gone, their account is closed — and the ticket still counts in the statistics."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from aftersales.accounts.models import User
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import DomainError
from aftersales.customers.models import Customer
from aftersales.privacy.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from aftersales.privacy.services import privacy_erase, privacy_request_create
from aftersales.tickets.models import Attachment, CustomerAgreement, Ticket
from aftersales.tickets.states import TicketStatus
from tests.factories import make_ticket

from .conftest import NAME, SPELLINGS

pytestmark = pytest.mark.django_db


def _every_text_value():
    """(model, field, pk, value) of every text and JSON column of every model in the database."""
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField | models.BinaryField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values("pk", *[f.attname for f in fields]).iterator():
            for f in fields:
                value = row[f.attname]
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", "replace")
                yield model._meta.label, f.attname, row["pk"], str(value)


def _where(spelling: str) -> list[tuple[str, str, object]]:
    return [(label, field, pk) for label, field, pk, value in _every_text_value() if spelling.lower() in value.lower()]


def _erase(person):
    request = privacy_request_create(
        customer=person.customer, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=person.handler
    )
    return privacy_erase(request=request, actor=person.handler)


def test_the_fixture_really_spreads_the_identifiers(person):
    """Without this the next test would prove nothing: the identifiers are everywhere first."""
    places = {label for spelling in SPELLINGS for label, _f, _pk in _where(spelling)}
    assert {
        "customers.Customer",
        "tickets.Ticket",
        "tickets.TicketEvent",
        "fieldservice.WorkOrder",
        "feedback.Survey",
        "notifications.Notification",
        "mailin.InboundMessage",
        "accounts.User",
    } <= places


def test_after_erasure_no_column_anywhere_holds_the_persons_identifiers(person):
    done = _erase(person)

    assert done.status == RequestStatus.COMPLETED
    leftovers = {spelling: _where(spelling) for spelling in SPELLINGS}
    assert leftovers == {spelling: [] for spelling in SPELLINGS}


def test_erasure_deletes_their_files_and_closes_their_account(person):
    attachment = Attachment.objects.get(ticket=person.ticket, uploaded_by=person.user)
    agreement = CustomerAgreement.objects.get(plan__ticket=person.ticket)
    stored = [attachment.file.name, agreement.document.name, person.customer.units.get().purchase_proof.name]
    storage = attachment.file.storage
    assert all(storage.exists(name) for name in stored)

    _erase(person)

    assert not any(storage.exists(name) for name in stored)
    user = User.objects.get(pk=person.user.pk)
    assert not user.is_active and not user.has_usable_password() and user.username == f"erased-{person.customer.pk}"
    customer = Customer.objects.get(pk=person.customer.pk)
    assert customer.name == "***" and customer.erased_at is not None and not customer.consent_contact


def test_the_ticket_keeps_counting_in_the_statistics(person):
    before = (
        Ticket.objects.filter(pk=person.ticket.pk).values("status", "category_id", "channel", "created_at", "closed_at").get()
    )

    _erase(person)

    after = Ticket.objects.filter(pk=person.ticket.pk).values("status", "category_id", "channel", "created_at", "closed_at").get()
    assert after == before
    assert Ticket.objects.get(pk=person.ticket.pk).customer_id == person.customer.pk


def test_erasure_is_refused_while_a_ticket_is_open_and_nothing_changes(person):
    open_ticket = make_ticket(customer_name=NAME, phone="+8613987654321")
    assert open_ticket.customer_id == person.customer.pk and open_ticket.status == TicketStatus.REGISTERED
    request = privacy_request_create(
        customer=person.customer, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=person.handler
    )

    with pytest.raises(DomainError) as refused:
        privacy_erase(request=request, actor=person.handler)

    assert refused.value.code == "open_tickets" and open_ticket.number in str(refused.value)
    assert Customer.objects.get(pk=person.customer.pk).name == NAME
    assert PrivacyRequest.objects.get(pk=request.pk).status == RequestStatus.RECEIVED


def test_asking_twice_is_one_request_and_the_audit_log_keeps_who_erased(person):
    first = privacy_request_create(
        customer=person.customer, kind=RequestKind.ERASURE, channel=RequestChannel.PORTAL, actor=person.user
    )
    again = privacy_request_create(
        customer=person.customer, kind=RequestKind.ERASURE, channel=RequestChannel.PORTAL, actor=person.user
    )
    assert again.pk == first.pk

    privacy_erase(request=first, actor=person.handler)

    erased = AuditEvent.objects.get(action="privacy.erased")
    assert erased.actor == person.handler
    assert erased.changes["rows"]["tickets.Ticket"] == 1
    with pytest.raises(DomainError) as refused:
        privacy_request_create(
            customer=person.customer, kind=RequestKind.EXPORT, channel=RequestChannel.STAFF, actor=person.handler
        )
    assert refused.value.code == "already_erased"
