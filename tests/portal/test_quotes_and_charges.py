"""Audit 3, findings 4 and 6: the quote is reachable from the portal, and the portal's amounts
follow the money. The plan estimated 120 yuan; the technician quotes 320 (2 hours and 16 km);
the work done is charged 275 (2 hours and 7 km). The ticket page shows the quote waiting (with
its link), then the confirmed 320, then the charged 275 — never the 120 once it is replaced."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.core import clock
from aftersales.fieldservice import services as fs
from aftersales.fieldservice.models import ChargePolicy, TravelMode, TravelRate
from aftersales.fieldservice.services.quote import quote_path_for, work_order_decline_quote, work_order_from_quote_token
from aftersales.portal.links import portal_path_for
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.process import MeasureInput, ticket_propose_plan, ticket_record_agreement, ticket_submit_plan
from tests.factories import CustomerFactory, RegionFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import dispatcher, fresh, new_job, photo, technician, unit_out_of_warranty, window
from tests.tickets.process_helpers import agent, analysed

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates():  # type: ignore[no-untyped-def]
    # 120 yuan an hour, 5 yuan a km.
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.PER_KM, cost=Decimal("2"), price=Decimal("5"))


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, username="emily")
    CustomerFactory(user=user, phone="+8613912345678", name="Emily Carter", language="en")
    return user


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    return {"handler": agent(), "boss": dispatcher(), "tech": technician(display_name="Liu Qiang", phone="+8613822223333")}


def _client(user, settings) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _job_with_plan_of_120(people):  # type: ignore[no-untyped-def]
    handler = people["handler"]
    unit = unit_out_of_warranty()
    ticket = analysed(
        make_ticket(actor=handler, phone="13912345678", serial_number=unit.serial_number, region=RegionFactory()), handler
    )
    ticket_propose_plan(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=handler,
        diagnosis="The compressor does not start.",
        measures=[
            MeasureInput(kind=MeasureKind.ONSITE_REPAIR, owner=handler, customer_charge=Decimal("120"), description="On-site")
        ],
    )
    ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=handler, accepted=True, method="phone", agreed_at=clock.now()
    )
    measure = PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)
    job = new_job(handler=handler, measure=measure)
    start, end = window()
    fs.work_order_dispatch(
        work_order=fresh(job), actor=people["boss"], technician=people["tech"], appointment_start=start, appointment_end=end
    )
    return Ticket.objects.get(pk=ticket.pk), fresh(job)


def _total(html: str) -> str:
    found = re.search(r'data-test-id="portal-total-pays">([^<]*)<', html)
    assert found is not None
    return found.group(1)


def _quote_links(html: str) -> set[int]:
    """The work orders whose signed quote links ``html`` holds. (The token carries the second it
    was signed: a link rendered a second before ``quote_path_for`` differs in its text.)"""
    tokens = re.findall(r'href="/fieldservice/quote/([^"/]+)/"', html)
    return {work_order_from_quote_token(token).pk for token in tokens}


def test_the_quote_then_the_charge_replace_the_plans_estimate(people, rates, customer_user, settings):
    settings.SERVICE_HOTLINE = "400-820-8820"
    ticket, job = _job_with_plan_of_120(people)
    tech = people["tech"]
    client = _client(customer_user, settings)
    url = reverse("portal:ticket", args=[ticket.number])
    html = client.get(url).content.decode()
    assert _total(html) == "120.00 yuan" and 'data-test-id="portal-quote-waiting"' not in html

    # The quote: 2 hours (240) and 16 km (80) = 320, waiting for the customer's answer.
    fs.work_order_prepare_quote(work_order=fresh(job), actor=tech, estimated_hours="2", estimated_km="16")
    html = client.get(url).content.decode()
    quote_url = quote_path_for(fresh(job))
    waiting = html[html.index('data-test-id="portal-quote-waiting"') :]
    assert re.search(r'data-test-id="portal-quote-total">320.00 yuan<', waiting)
    assert "240.00 yuan" in waiting and "80.00 yuan" in waiting  # the lines: labour, travel
    assert _quote_links(waiting) == {job.pk}
    # The timeline's "We sent you a quote" links to it too.
    step = re.search(r'data-key="visit:quote_sent".*?</li>', html, re.S)
    assert step is not None and _quote_links(step.group(0)) == {job.pk} and "See the quote" in step.group(0)
    assert _total(html) == "120.00 yuan"  # nothing agreed beyond the plan yet
    assert client.get(quote_url).status_code == 200  # the link opens the quote page to agree or decline

    # Confirmed (through the quote's link): the plan's 120 is replaced by the quote's 320.
    fs.work_order_confirm_quote(work_order=fresh(job), actor=None)
    html = client.get(url).content.decode()
    assert 'data-test-id="portal-quote-waiting"' not in html
    assert _total(html) == "320.00 yuan" and "In all you pay, as quoted:" in html
    assert 'data-state="confirmed"' in html and "120.00" not in html

    # The work: 2 hours and 7 km = 275, charged at check-out.
    fs.work_order_accept(work_order=fresh(job), actor=tech)
    fs.work_order_depart(work_order=fresh(job), actor=tech)
    fs.work_order_check_in(work_order=fresh(job), actor=tech)
    fs.work_order_record_work(
        work_order=fresh(job), actor=tech, diagnosis="Capacitor", work_done="Replaced it", labour_hours=Decimal("2"), travel_km=7
    )
    fs.work_order_add_photo(work_order=fresh(job), actor=tech, kind="before", file=photo())
    fs.work_order_add_photo(work_order=fresh(job), actor=tech, kind="after", file=photo())
    done = fs.work_order_check_out(work_order=fresh(job), actor=tech)
    assert done.charge_total == Decimal("275.00")
    html = client.get(url).content.decode()
    assert _total(html) == "275.00 yuan" and "In all you pay for the work done:" in html
    charge = html[html.index('data-test-id="portal-charges"') :]
    assert re.search(r'data-test-id="portal-job-charge-total">275.00 yuan<', charge)
    assert "240.00 yuan" in charge and "35.00 yuan" in charge  # labour 2 h, travel 7 km
    # No cost figure (as an amount: the page's random idempotency keys may hold the digits alone).
    assert "120.00" not in html and "Cost" not in charge and not re.search(r"(?<![0-9a-f])129\.\d\d", charge)
    # The same amounts through the signed link.
    linked = Client()
    linked.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _total(linked.get(portal_path_for(ticket)).content.decode()) == "275.00 yuan"


def test_a_declined_quote_is_said_and_the_estimate_stands(people, rates, customer_user, settings):
    ticket, job = _job_with_plan_of_120(people)
    fs.work_order_prepare_quote(work_order=fresh(job), actor=people["tech"], estimated_hours="2", estimated_km="16")
    work_order_decline_quote(work_order=fresh(job), actor=None, reason="Too expensive", via="portal")
    html = _client(customer_user, settings).get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-test-id="portal-quote-waiting"' not in html
    assert 'data-state="declined"' in html and "you declined it on" in html
    assert _total(html) == "120.00 yuan"


def test_another_customer_sees_no_quote(people, rates, customer_user, settings):
    ticket, job = _job_with_plan_of_120(people)
    fs.work_order_prepare_quote(work_order=fresh(job), actor=people["tech"], estimated_hours="2", estimated_km="16")
    stranger = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=stranger, phone="+8613700000009")
    assert _client(stranger, settings).get(reverse("portal:ticket", args=[ticket.number])).status_code == 404


def test_the_quote_block_in_chinese(people, rates, customer_user, settings):
    ticket, job = _job_with_plan_of_120(people)
    fs.work_order_prepare_quote(work_order=fresh(job), actor=people["tech"], estimated_hours="2", estimated_km="16")
    client = _client(customer_user, settings)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "报价待您确认" in html and "320.00 元" in html and "查看报价：同意或拒绝" in html
