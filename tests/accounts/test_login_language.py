"""Audit 3, findings 3 and 12: signing in, the person's stored language becomes the browser's;
a language chosen on the way in (the switch on the login page) becomes theirs — their messages
follow it (``accounts.login_language``)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.login_language import SESSION_KEY
from aftersales.accounts.models import DataScope, Role, User
from aftersales.customers.models import Customer
from tests.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

MIDDLEWARE = "aftersales.accounts.login_language.SignInLanguageMiddleware"


@pytest.fixture(autouse=True)
def _sign_in_language_middleware(settings):  # type: ignore[no-untyped-def]
    """In ``settings.MIDDLEWARE`` (after the sessions); added here where it is not yet."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


COOKIE = "django_language"


def _sign_in(client: Client, user: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def _page_language(client: Client) -> str:
    page = client.get(reverse("accounts:security")).content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def _customer(language: str) -> User:
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, language=language)
    CustomerFactory(user=user, language=language)
    return user


def test_a_new_browser_gets_the_persons_stored_language_at_sign_in():
    user = _customer("en")
    client = Client()
    _sign_in(client, user)
    assert client.cookies[COOKIE].value == "en"
    assert _page_language(client) == "en"


def test_a_customers_language_is_the_one_of_their_record():
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, language="zh-hans")
    CustomerFactory(user=user, language="en")  # changed by an agent on the customer page: SMS in English
    client = Client()
    _sign_in(client, user)
    assert client.cookies[COOKIE].value == "en"


def test_an_old_cookie_in_the_browser_gives_way_to_the_persons_language():
    user = _customer("zh-hans")
    client = Client()
    client.cookies.load({COOKIE: "en"})  # somebody else's choice, long ago
    _sign_in(client, user)
    assert client.cookies[COOKIE].value == "zh-hans"
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_a_language_chosen_on_the_login_page_becomes_the_persons_own():
    tech = UserFactory(role=Role.TECHNICIAN, language="zh-hans")
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302 and client.cookies[COOKIE].value == "en"
    _sign_in(client, tech)
    tech.refresh_from_db()
    assert tech.language == "en"  # the in-app notifications and e-mails follow it
    assert client.cookies[COOKIE].value == "en" and _page_language(client) == "en"


def test_a_customer_who_chooses_on_the_way_in_gets_messages_in_that_language():
    user = _customer("zh-hans")
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    _sign_in(client, user)
    assert Customer.objects.get(user=user).language == "en"
    user.refresh_from_db()
    assert user.language == "en"


def test_a_choice_made_long_before_signing_in_is_not_taken_as_theirs():
    tech = UserFactory(role=Role.TECHNICIAN, language="zh-hans")
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    session = client.session
    session[SESSION_KEY] = {"language": "en", "at": time.time() - 2 * 3600}
    session.save()
    _sign_in(client, tech)
    tech.refresh_from_db()
    assert tech.language == "zh-hans" and client.cookies[COOKIE].value == "zh-hans"


def test_a_person_without_a_stored_language_keeps_the_browsers():
    tech = UserFactory(role=Role.TECHNICIAN, language="")
    client = Client()
    client.cookies.load({COOKIE: "en"})
    _sign_in(client, tech)
    assert client.cookies[COOKIE].value == "en"
    tech.refresh_from_db()
    assert tech.language == ""
