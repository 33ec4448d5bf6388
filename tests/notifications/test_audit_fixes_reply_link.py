"""The ticket page's "Reply templates" placeholder (shown until the picker loads) links to the
reply library only for who may open it (administrators and supervisors, as the library's page
checks); an agent or a quality manager sees the name without a link to a page that refuses them."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from tests.clients import client_for_language
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db

PARTIAL = "notifications/templates/partials/reply_placeholder.html"


@pytest.mark.parametrize("role", [Role.AGENT, Role.QUALITY_MANAGER])
def test_who_may_not_open_the_templates_gets_no_link_to_them(role):
    ticket = make_ticket(phone="13900005551")
    user = UserFactory(role=role, data_scope=DataScope.ALL)
    client = client_for_language(user, "en")
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-test-id="reply-templates"' in page
    assert f'href="{reverse("notifications:templates")}"' not in page
    assert 'data-test-id="reply-templates-link"' not in page
    assert client.get(reverse("notifications:templates")).status_code == 403  # the page it used to open


def test_the_placeholder_links_to_the_library_for_a_manager():
    with_link = render_to_string(PARTIAL, {"visible": True, "url": "/p", "may_manage": True})
    assert f'href="{reverse("notifications:reply_list")}"' in with_link
    without = render_to_string(PARTIAL, {"visible": True, "url": "/p"})
    assert "href=" not in without and "<span>" in without
    assert render_to_string(PARTIAL, {"visible": False}).strip() == ""
