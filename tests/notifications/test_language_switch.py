"""The language switch also sets the language of the person's messages."""

import pytest
from django.test import Client
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Role
from aftersales.customers.models import Customer
from aftersales.notifications.services import notify_staff
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _switch(user, language: str):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.post("/i18n/setlang/", {"language": language, "next": "/"})


def test_a_staff_member_who_switches_to_english_gets_messages_in_english():
    agent = UserFactory(role=Role.AGENT, language="")
    response = _switch(agent, "en")
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    agent.refresh_from_db()
    assert agent.language == "en"
    (message,) = notify_staff(users=[agent], template="t", subject=gettext_lazy("Ticket"), body=gettext_lazy("Ticket"))
    assert message.language == "en" and message.subject == "Ticket"
    _switch(agent, "zh-hans")
    agent.refresh_from_db()
    assert agent.language == "zh-hans"


def test_a_customer_who_switches_gets_customer_messages_in_that_language_and_nonsense_changes_nothing():
    user = UserFactory(role=Role.CUSTOMER, language="")
    customer = CustomerFactory(user=user, language="zh-hans")
    _switch(user, "en")
    assert Customer.objects.get(pk=customer.pk).language == "en"
    _switch(user, "fr")
    assert Customer.objects.get(pk=customer.pk).language == "en"
