"""Audit 3, finding 11: a customer with a portal account reads the in-app copies of what we sent
them — their own only, newest first, unread marked and marked as read as staff do — on a page
of the portal (staff's /notifications/ stays staff-only)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.tickets.process import ticket_request_information, ticket_start_verification
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.tickets.process_helpers import agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, username="emily")
    CustomerFactory(user=user, phone="+8613912345678", name="Emily Carter", language="en")
    return user


def _client(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _ask(handler, missing: str, phone: str = "13912345678"):  # type: ignore[no-untyped-def]
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler, phone=phone), actor=handler)
    return ticket_request_information(ticket=ticket, actor=handler, missing=missing)


def _copies(user) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(user=user, channel=NotificationChannel.IN_APP).order_by("-created_at", "-id"))


def test_the_customer_reads_their_own_messages_newest_first(customer_user):
    handler = agent()
    first = _ask(handler, "a photo of the receipt")
    second = _ask(handler, "the serial number")
    stranger = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=stranger, phone="+8613700000009")
    _ask(handler, "SECRET-OF-ANOTHER", phone="13700000009")
    client = _client(customer_user)
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:messages")}"' in home  # reachable (and by the phone crawl)
    unread = len(_copies(customer_user))
    assert unread >= 2 and re.search(rf'data-test-id="portal-messages-unread-count">{unread}<', home)
    html = client.get(reverse("portal:messages")).content.decode()
    assert "SECRET-OF-ANOTHER" not in html
    shown = re.findall(r'data-test-id="portal-message-ticket">([^<]+)<', html)
    assert shown[:2] == [second.number, first.number]  # newest first
    assert html.count('data-read="no"') == unread and "the serial number" in html
    assert f'href="{reverse("portal:ticket", args=[second.number])}"' in html


def test_marking_one_then_all_as_read_touches_only_their_own(customer_user):
    handler = agent()
    _ask(handler, "a photo of the receipt")
    _ask(handler, "the serial number")
    stranger = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=stranger, phone="+8613700000009")
    _ask(handler, "theirs", phone="13700000009")
    theirs = _copies(stranger)[0]
    client = _client(customer_user)
    newest = _copies(customer_user)[0]
    response = client.post(reverse("portal:messages_mark_read"), {"id": newest.pk})
    assert response.status_code == 302
    assert Notification.objects.get(pk=newest.pk).read_at is not None
    assert sum(1 for n in _copies(customer_user) if n.read_at is None) == len(_copies(customer_user)) - 1
    client.post(reverse("portal:messages_mark_read"), {"id": theirs.pk})  # not theirs: nothing happens
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    client.post(reverse("portal:messages_mark_read"))
    assert all(n.read_at is not None for n in _copies(customer_user))
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    html = client.get(reverse("portal:messages") + "?unread=1").content.decode()
    assert 'data-test-id="portal-messages-empty"' in html


def test_the_page_is_for_customers_and_speaks_both_languages(customer_user):
    url = reverse("portal:messages")
    assert Client().get(url).status_code == 302  # to the login page
    assert _client(agent()).get(url).status_code == 403
    assert _client(agent()).post(reverse("portal:messages_mark_read")).status_code == 403
    assert "Messages from us" in _client(customer_user).get(url).content.decode()
    assert "我们发给您的消息" in _client(customer_user, "zh-hans").get(url).content.decode()
