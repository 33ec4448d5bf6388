"""Consents are kept as a history (PIPL): given at registration, changed by the customer on the
portal, withdrawn with an erasure — each statement with its source, time and who recorded it."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.test import Client

from aftersales.audit.models import AuditEvent
from aftersales.customers.models import ConsentRecord, ConsentSource, Customer
from aftersales.customers.services import customer_set_consents
from aftersales.privacy.models import RequestChannel, RequestKind
from aftersales.privacy.services import privacy_erase, privacy_request_create
from tests.factories import make_ticket

from .jobs import ready

pytestmark = pytest.mark.django_db


def test_registering_a_customer_records_their_consents():
    ticket = make_ticket(customer_name="王芳", phone="13600000002")
    [record] = ConsentRecord.objects.filter(customer_id=ticket.customer_id)
    assert (record.contact, record.marketing, record.source) == (True, False, ConsentSource.INTAKE)


def test_the_customer_changes_their_consents_on_the_portal(person):
    client = Client()
    client.force_login(person.user)
    before = ConsentRecord.objects.filter(customer=person.customer).count()

    client.post("/privacy/mine/consents/", {"contact": "on", "marketing": "on"})
    client.post("/privacy/mine/consents/", {"contact": "on", "marketing": "on"})  # the same again: nothing new

    customer = Customer.objects.get(pk=person.customer.pk)
    assert customer.consent_marketing and customer.consent_contact
    latest = ConsentRecord.objects.filter(customer=customer).first()
    assert ConsentRecord.objects.filter(customer=customer).count() == before + 1
    assert (latest.source, latest.actor, latest.marketing) == (ConsentSource.PORTAL, person.user, True)
    changed = AuditEvent.objects.get(action="customer.consents_changed")
    assert changed.changes["consent_marketing"] == [False, True]

    page = client.get("/privacy/mine/").content.decode()
    assert "客户在门户上" in page  # the history, in the customer's language


def test_erasure_withdraws_every_consent_on_the_record(person):
    request = privacy_request_create(
        customer=person.customer, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=person.handler
    )
    privacy_erase(request=request, actor=person.handler)
    latest = ConsentRecord.objects.filter(customer=person.customer).first()
    assert (latest.contact, latest.marketing, latest.source) == (False, False, ConsentSource.ERASURE)


def test_the_copy_holds_the_consent_history(person):
    customer_set_consents(
        customer=person.customer, contact=True, marketing=True, source=ConsentSource.STAFF, actor=person.handler
    )
    request = privacy_request_create(
        customer=person.customer, kind=RequestKind.EXPORT, channel=RequestChannel.PORTAL, actor=person.user
    )
    request = ready(request)
    data = json.loads(zipfile.ZipFile(request.export_file.open("rb")).read("personal-data.json"))
    [given] = data["customer"]["consents"]["history"]
    assert given["marketing"] is True and given["given"] == "员工代为登记"
