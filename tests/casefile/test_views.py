"""The case file download: scoped exactly like the ticket page, audited like it, never cached."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from tests.api.conftest import customer_user
from tests.clients import client_for
from tests.factories import UserFactory, make_ticket

from .test_pdf import pages_of
from .world import INTERNAL_NOTE, lived_ticket

pytestmark = pytest.mark.django_db


def url(ticket) -> str:  # type: ignore[no-untyped-def]
    return reverse("casefile:ticket_pdf", args=[ticket.number])


def test_a_handler_in_scope_gets_the_pdf_and_the_view_is_audited():
    world = lived_ticket()
    response = client_for(world.handler).get(url(world.ticket))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{world.ticket.number}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = "\n".join(pages_of(response.content))
    assert "案卷" in text and INTERNAL_NOTE in text  # the page's language: Chinese by default
    viewed = AuditEvent.objects.get(action="customer.personal_data_viewed", actor=world.handler)
    assert viewed.object_id == str(world.ticket.customer_id)
    assert viewed.changes["ticket"] == world.ticket.number and viewed.changes["case_file"] == "page"


def test_staff_out_of_scope_get_404_and_anonymous_visitors_sign_in_first():
    ticket = make_ticket(actor=UserFactory())
    outsider = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)
    assert client_for(outsider).get(url(ticket)).status_code == 404
    assert client_for(outsider).get("/tickets/SH00000000-000000/case-file.pdf").status_code == 404
    response = Client().get(url(ticket))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_customer_prints_their_own_ticket_only_without_internals():
    world = lived_ticket()
    customer = customer_user(world.ticket)
    response = client_for(customer).get(url(world.ticket))
    assert response.status_code == 200
    assert INTERNAL_NOTE not in "\n".join(pages_of(response.content))
    assert not AuditEvent.objects.filter(action="customer.personal_data_viewed", actor=customer).exists()
    stranger = customer_user(make_ticket(phone="13700000000", customer_name="王五"))
    assert client_for(stranger).get(url(world.ticket)).status_code == 404


def test_a_masked_copy_is_not_a_view_of_personal_data():
    world = lived_ticket()
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    response = client_for(finance).get(url(world.ticket))
    assert response.status_code == 200 and "139 **** 5678" in "\n".join(pages_of(response.content))
    assert not AuditEvent.objects.filter(action="customer.personal_data_viewed", actor=finance).exists()
