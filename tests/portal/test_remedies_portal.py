"""The customer's ticket page and the remedies (issue 15): the link to the signed appraisal's
result and report (their own page when signed in, the appraisal's signed link otherwise; none
before a report is signed), and the return or exchange steps on their timeline, in their words
and in their language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.appraisal.links import appraisal_result_path
from aftersales.appraisal.models import AppraisalStatus
from aftersales.portal.links import portal_path_for
from aftersales.tickets.models import MeasureKind
from tests.appraisal.helpers import customer_user, walk
from tests.returns.helpers import walk_to, world

pytestmark = pytest.mark.django_db


def _client(language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    return client


def _keys(html: str) -> list[str]:
    return re.findall(r'data-test-id="portal-step" data-key="([^"]+)"', html)


def test_the_ticket_page_links_the_signed_appraisal_result():
    requested = walk(to=AppraisalStatus.REQUESTED)
    before = _client().get(portal_path_for(requested.ticket)).content.decode()
    assert 'data-test-id="portal-ticket-appraisal"' not in before  # nothing signed yet

    appraisal = walk(to=AppraisalStatus.SIGNED)
    ticket = appraisal.ticket
    via_link = _client().get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-ticket-appraisal"' in via_link and "性能故障" in via_link
    assert f'href="{appraisal_result_path(appraisal)}"' in via_link
    assert _client().get(appraisal_result_path(appraisal)).status_code == 200  # the link opens the result

    owner = _client("en")
    owner.force_login(customer_user(ticket.customer))
    own = owner.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    own_url = reverse("portal:appraisal", args=[appraisal.pk])
    assert f'href="{own_url}"' in own and "Performance fault" in own and "性能故障" not in own
    assert owner.get(own_url).status_code == 200


def test_the_return_and_exchange_steps_show_on_the_customers_timeline_in_their_language():
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    walk_to(rma, "delivered", w)
    link = portal_path_for(rma.ticket)
    zh = _client().get(link).content.decode()
    keys = [key for key in _keys(zh) if key.startswith("rma:")]
    assert keys == [
        "rma:authorised",
        "rma:in_transit",
        "rma:received",
        "rma:inspected",
        "rma:replacement_shipped",
        "rma:delivered",
        "rma:completed",
    ]
    assert "您的换新产品已发出" in zh and "SF99" in zh and rma.number in zh  # the phrase and the step's text
    en = _client("en").get(link).content.decode()
    assert "Your replacement is on its way" in en and "您的换新产品已发出" not in en
