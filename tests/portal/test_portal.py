"""The customer's portal: own tickets only, public timeline only, signed links instead of numbers."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.portal.links import SALT, portal_path_for
from aftersales.tickets.choices import EventKind
from aftersales.tickets.services import ticket_add_note
from tests.factories import CustomerFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_user():
    user = UserFactory(role=Role.CUSTOMER, username="li.na")
    CustomerFactory(user=user, phone="+8613912345678", name="李娜")
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_customer_signs_in_and_lands_on_their_requests(customer_user):
    from tests.factories import PASSWORD

    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "li.na", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")


def test_the_portal_lists_only_the_customers_own_tickets(customer_user):
    mine = make_ticket(phone="13912345678", customer_name="李娜")
    other = make_ticket(phone="13700000001", customer_name="王强")
    html = _client(customer_user).get(reverse("portal:home")).content.decode()
    assert mine.number in html
    assert other.number not in html


def test_a_customer_cannot_open_another_customers_ticket_by_number(customer_user):
    other = make_ticket(phone="13700000001", customer_name="王强")
    assert _client(customer_user).get(reverse("portal:ticket", args=[other.number])).status_code == 404


def test_the_customer_sees_public_progress_but_not_internal_notes(customer_user):
    ticket = make_ticket(phone="13912345678", customer_name="李娜")
    agent = UserFactory()
    ticket_add_note(ticket=ticket, actor=agent, body="已安排师傅明天上门", kind=EventKind.MESSAGE_OUT)
    ticket_add_note(ticket=ticket, actor=agent, body="客户情绪激动，注意沟通", kind=EventKind.NOTE)
    html = _client(customer_user).get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "已安排师傅明天上门" in html
    assert "客户情绪激动" not in html


def test_staff_are_not_customers_in_the_portal():
    assert _client(UserFactory(role=Role.AGENT)).get(reverse("portal:home")).status_code == 403


def test_a_signed_link_opens_the_ticket_without_login_and_a_forged_one_does_not(client):
    ticket = make_ticket()
    response = client.get(portal_path_for(ticket))
    assert response.status_code == 200
    assert ticket.number in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    forged = signing.dumps({"t": ticket.pk, "c": ticket.customer_id}, salt="another-salt")
    assert client.get(reverse("portal:ticket_by_link", args=[forged])).status_code == 404
    assert client.get(reverse("portal:ticket_by_link", args=[ticket.number])).status_code == 404


def test_a_link_for_a_ticket_whose_customer_changed_no_longer_opens_it(client):
    ticket = make_ticket()
    token = signing.dumps({"t": ticket.pk, "c": ticket.customer_id + 1000}, salt=SALT, compress=True)
    assert client.get(reverse("portal:ticket_by_link", args=[token])).status_code == 404


def test_an_expired_link_is_refused(client, settings):
    ticket = make_ticket()
    path = portal_path_for(ticket)
    settings.PORTAL_LINK_MAX_AGE_DAYS = -1
    assert client.get(path).status_code == 404
