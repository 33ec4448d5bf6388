"""Audit 3 (9, 18, 25): "Send the code" says 验证码 where a sign-up, SMS sign-in or SMS reset
sends it and 验收码 on the technician's acceptance; no Permissions-Policy feature browsers do not
know; our own favicon; the header's links in the page for a customer and for staff's "Menu".
Both languages."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.core.headers import UNRECOGNISED_FEATURES, permissions_policy_header
from tests.clients import client_for_language
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CODE_PAGES = {
    "portal:signup": "signup-phone-submit",
    "portal:code_sign_in": "code-sign-in-submit",
    "accounts:password_reset_sms": "sms-reset-submit",
}


def _button(html: str, test_id: str) -> str:
    found = re.search(rf'data-test-id="{test_id}">([^<]+)</button>', html)
    assert found is not None, test_id
    return found.group(1)


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "发送验证码"), ("en", "Send the code")])
@pytest.mark.parametrize("name", sorted(CODE_PAGES))
def test_the_sign_in_and_reset_pages_send_a_verification_code(name, language, label):
    client = Client()
    client.cookies["django_language"] = language
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert _button(html, CODE_PAGES[name]) == label
    assert "验收码" not in html


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "发送验收码"), ("en", "Send the code")])
def test_the_acceptance_still_sends_an_acceptance_code(language, label):
    from tests.fieldservice.helpers import agent, dispatcher, in_progress_ticket, new_job, technician, walk_to

    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=None)
    job = walk_to(new_job(handler=handler, measure=measure), "done", boss=boss, tech=tech)
    html = client_for_language(tech, language).get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    assert _button(html, "send-code") == label


def test_the_permissions_policy_names_only_features_browsers_know(settings):
    header = Client().get(reverse("accounts:login"))["Permissions-Policy"]
    assert "geolocation=(self)" in header and "camera=(self)" in header
    for feature in UNRECOGNISED_FEATURES:
        assert f"{feature}=" not in header
    # Also when a deployment's setting still lists them.
    settings.PERMISSIONS_POLICY = {"geolocation": "(self)", "bluetooth": "()", "interest-cohort": "()", "usb": "()"}
    assert permissions_policy_header() == "geolocation=(self), usb=()"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_links_our_own_favicon(language):
    client = Client()
    client.cookies["django_language"] = language
    html = client.get(reverse("accounts:login")).content.decode()
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html)
    assert icon is not None and icon.group(1).startswith("/static/") and "favicon" in icon.group(1)
    path = finders.find("aftersales/favicon.svg")
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        assert handle.read().startswith("<svg")


@pytest.mark.parametrize(("language", "menu"), [("zh-hans", "菜单"), ("en", "Menu")])
def test_the_header_gives_customers_all_their_links_and_staff_a_menu(language, menu):
    customer = UserFactory(role=Role.CUSTOMER)
    html = client_for_language(customer, language).get(reverse("accounts:security")).content.decode()
    nav = html[html.index('data-test-id="site-nav"') : html.index("</nav>")]
    for test_id in ("nav-portal", "nav-portal-knowledge", "nav-portal-privacy"):
        assert f'data-test-id="{test_id}"' in nav
    assert 'data-test-id="nav-more"' not in html
    tech = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN)
    html = client_for_language(tech, language).get(reverse("accounts:security")).content.decode()
    toggle = html.index('<details class="nav-more" data-test-id="nav-more-toggle">')
    assert toggle < html.index('data-test-id="site-nav"')  # the menu precedes the nav it opens (CSS ~)
    assert f'<summary data-test-id="nav-more">{menu}</summary></details>' in html
    assert 'data-test-id="nav-notifications"' in html[toggle:]


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_icon():
    answer = Client().get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("aftersales/favicon.svg")
