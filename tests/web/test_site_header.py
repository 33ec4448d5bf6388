"""The page header is rendered once per language, audience and navigation flags and reused
(core/templatetags/layout.site_header); the request's values go into it escaped, per request."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.notifications.services import notify_staff
from tests.clients import client_for
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_each_user_gets_their_own_name_escaped_in_the_same_cached_header():
    first = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, display_name='<b>"王"&李</b>')
    second = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, display_name="张三")
    one = _header(client_for(first).get(LIST).content.decode())
    two = _header(client_for(second).get(LIST).content.decode())
    assert "&lt;b&gt;&quot;王&quot;&amp;李&lt;/b&gt;" in one and "<b>" not in one
    assert ">张三<" in two and "王" not in two
    assert "\ue000" not in one + two  # no placeholder left behind


def test_the_language_form_returns_to_the_current_path_escaped():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    html = client_for(agent).get(LIST, {"q": '"><script>x</script>'}).content.decode()
    value = re.search(r'name="next" value="([^"]*)"', _header(html)).group(1)
    assert value.startswith("/tickets/?q=") and "<script>" not in value


def test_the_forms_carry_this_requests_csrf_token_and_it_is_accepted():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    html = client.get(LIST).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', _header(html))
    assert len(tokens) == 2  # the language switch and sign-out
    hx = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    assert tokens[0] == tokens[1] == hx
    response = client.post(reverse("set_language"), {"csrfmiddlewaretoken": tokens[0], "language": "en", "next": LIST})
    assert response.status_code == 302
    assert client.post(reverse("set_language"), {"csrfmiddlewaretoken": "x" * 64, "language": "en"}).status_code == 403


def test_the_unread_badge_follows_the_count():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    client = client_for(agent)
    assert 'data-test-id="unread-count"' not in client.get(LIST).content.decode()
    notify_staff(users=[agent], template="assigned", subject="a", body="b")
    notify_staff(users=[agent], template="assigned", subject="c", body="d")
    assert 'data-test-id="unread-count">2<' in client.get(LIST).content.decode()


def test_customers_and_visitors_get_their_own_header_in_either_language():
    customer_user = UserFactory(role=Role.CUSTOMER, display_name="客户甲")
    CustomerFactory(user=customer_user)
    portal = _header(client_for(customer_user).get(reverse("portal:home")).content.decode())
    assert 'data-test-id="nav-portal"' in portal and 'data-test-id="nav-tickets"' not in portal
    assert ">客户甲<" in portal and 'data-test-id="logout"' in portal
    visitor = Client()
    login = _header(visitor.get(reverse("accounts:login")).content.decode())
    assert 'data-test-id="user-name"' not in login and 'data-test-id="logout"' not in login
    assert 'data-test-id="language-switch"' in login and "售后" in login
    visitor.cookies.load({"django_language": "en"})
    english = _header(visitor.get(reverse("accounts:login")).content.decode())
    assert ">Aftersales<" in english and 'aria-current="true" class="current">English<' in english
