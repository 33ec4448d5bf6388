"""The revisit pages in both languages: the queue (overdue first, filters, htmx fragment), the
call form with errors naming the field, the customer card's summary on the ticket page, the
customer's history and the compliance section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.customers.models import Customer, CustomerTier
from aftersales.revisits.models import Revisit, RevisitPolicy, RevisitStatus
from tests.clients import client_for_language
from tests.factories import UserFactory, make_ticket

from .helpers import agent, customer, open_revisit, region, supervisor

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():  # type: ignore[no-untyped-def]
    east = region()
    me = agent(region=east)
    other = agent(region=east)
    today = clock.local_today()
    soon = open_revisit(cust=customer(name="孙丽", region=east), due=today + dt.timedelta(days=2), assignee=me)
    late = open_revisit(cust=customer(name="周强", region=east), due=today - dt.timedelta(days=5), assignee=me)
    theirs = open_revisit(cust=customer(name="吴磊", region=east), due=today - dt.timedelta(days=9), assignee=other)
    return {"east": east, "me": me, "soon": soon, "late": late, "theirs": theirs}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_queue_shows_own_revisits_overdue_first(queue, language):
    page = client_for_language(queue["me"], language).get(reverse("revisits:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("周强") < html.index("孙丽")
    assert "吴磊" not in html
    assert ("逾期" if language == "zh-hans" else "Overdue") in html


def test_a_supervisor_filters_overdue_and_gets_a_fragment(queue):
    boss = supervisor(region=queue["east"])
    client = client_for_language(boss)
    html = client.get(reverse("revisits:queue"), {"overdue": "on"}, HTTP_HX_REQUEST="true").content.decode()
    assert "周强" in html and "吴磊" in html and "孙丽" not in html and "<html" not in html
    html = client.get(reverse("revisits:queue"), {"who": "mine"}).content.decode()
    assert 'data-test-id="rv-empty"' in html


def test_other_roles_and_customers_do_not_see_revisits(queue):
    technician = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL)
    assert client_for_language(technician).get(reverse("revisits:queue")).status_code == 404
    assert (
        client_for_language(agent(region=queue["east"])).get(reverse("revisits:detail", args=[queue["late"].pk])).status_code
        == 404
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_call_form_names_the_wrong_field(queue, language):
    client = client_for_language(queue["me"], language)
    url = reverse("revisits:detail", args=[queue["late"].pk])
    response = client.post(url, {"outcome": "not_reached", "nps": "9", "expected_version": "1"})
    assert response.status_code == 200
    assert 'data-test-id="error-nps"' in response.content.decode()
    assert Revisit.objects.get(pk=queue["late"].pk).status == RevisitStatus.DUE


def test_recording_a_call_that_raises_a_ticket(queue):
    client = client_for_language(queue["me"])
    url = reverse("revisits:detail", args=[queue["late"].pk])
    response = client.post(
        url,
        {
            "outcome": "reached",
            "nps": "8",
            "overall": "4",
            "new_problem": "遥控器失灵",
            "new_problem_type": "repair",
            "expected_version": "1",
        },
    )
    assert response.status_code == 302
    revisit = Revisit.objects.get(pk=queue["late"].pk)
    assert revisit.status == RevisitStatus.DONE and revisit.raised_ticket is not None
    html = client.get(url).content.decode()
    assert revisit.raised_ticket.number in html


def test_a_call_on_a_customer_without_consent_is_refused_on_the_form(queue):
    Customer.objects.filter(pk=queue["late"].customer_id).update(consent_contact=False)
    response = client_for_language(queue["me"]).post(
        reverse("revisits:detail", args=[queue["late"].pk]), {"outcome": "reached", "expected_version": "1"}
    )
    assert response.status_code == 200
    assert "consent_contact" in response.content.decode()


def test_the_ticket_page_shows_the_customers_revisits_and_next_due_date():
    east = region()
    me = agent(region=east, scope=DataScope.ALL)
    ticket = make_ticket(actor=me, region=east)
    Customer.objects.filter(pk=ticket.customer_id).update(tier=CustomerTier.KEY)
    due = clock.local_today() + dt.timedelta(days=4)
    open_revisit(cust=Customer.objects.get(pk=ticket.customer_id), due=due, assignee=me)
    client = client_for_language(me)
    html = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    card_url = reverse("revisits:customer_card", args=[ticket.customer_id])
    assert 'data-test-id="customer-revisits-placeholder"' in html and card_url in html
    card = client.get(card_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-test-id="customer-revisits"' in card and due.strftime("%Y-%m-%d") in card
    history = client.get(reverse("revisits:customer", args=[ticket.customer_id]))
    assert history.status_code == 200 and due.strftime("%Y-%m-%d") in history.content.decode()
    # An agent who sees neither a ticket nor a revisit of the customer does not read the history.
    stranger = client_for_language(agent(region=east))
    assert stranger.get(reverse("revisits:customer", args=[ticket.customer_id])).status_code == 404
    assert stranger.get(card_url).status_code == 404


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_compliance_section_for_a_supervisor(queue, language):
    boss = supervisor(scope=DataScope.ALL)
    page = client_for_language(boss, language).get(reverse("revisits:compliance"))
    assert page.status_code == 200
    assert 'data-test-id="rv-compliance-region"' in page.content.decode()
    assert client_for_language(queue["me"]).get(reverse("revisits:compliance")).status_code == 404


def test_the_queue_costs_the_same_queries_whatever_its_length(queue):
    client = client_for_language(queue["me"])
    client.get(reverse("revisits:queue"))  # steady state: the session's first page
    with CaptureQueriesContext(connection) as short:
        client.get(reverse("revisits:queue"))
    today = clock.local_today()
    for n in range(12):
        open_revisit(cust=customer(region=queue["east"]), due=today + dt.timedelta(days=n), assignee=queue["me"])
    with CaptureQueriesContext(connection) as long:
        page = client.get(reverse("revisits:queue"))
    assert page.content.decode().count('data-test-id="rv-row"') == 14
    assert len(long) == len(short) <= 10


def test_an_administrator_changes_a_policy_in_the_admin():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    client = client_for_language(admin)
    assert client.get(reverse("admin:revisits_revisitpolicy_changelist")).status_code == 200
    assert client.get(reverse("admin:revisits_afterticketrule_changelist")).status_code == 200
    policy = RevisitPolicy.objects.get(tier="key")
    response = client.post(
        reverse("admin:revisits_revisitpolicy_change", args=[policy.pk]), {"tier": "key", "interval_months": "3", "active": "on"}
    )
    assert response.status_code == 302
    assert RevisitPolicy.objects.get(tier="key").interval_months == 3
