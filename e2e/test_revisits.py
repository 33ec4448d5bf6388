"""Revisits in the browser, on a phone (375 px): an agent opens the revisit queue (overdue
first), records a call on which the customer raises a new problem, and opens the new ticket."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.factories import PASSWORD, CustomerFactory, RegionFactory, UserFactory

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.customers.models import CustomerTier
from aftersales.revisits.models import Revisit, RevisitStatus

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import assert_fits

pytestmark = pytest.mark.browser


def _revisit(customer, due, agent):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Revisit.objects.create(
        customer=customer,
        reason="periodic",
        period=due,
        due_date=due,
        assignee=agent,
        region=customer.region,
        created_at=now,
        updated_at=now,
    )


def test_an_agent_records_a_revisit_call_that_raises_a_new_ticket(browser, live_server, transactional_db):
    east = RegionFactory(code="east", name="华东")
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN, region=east, username="e2e-agent")
    today = clock.local_today()
    later = _revisit(CustomerFactory(name="孙丽", tier=CustomerTier.LONG_TERM, region=east), today + dt.timedelta(days=3), agent)
    overdue = _revisit(
        CustomerFactory(name="周强", tier=CustomerTier.KEY, region=east, phone="+8613700004444"),
        today - dt.timedelta(days=9),
        agent,
    )

    phone = new_page(browser, live_server, width=375, height=812)
    try:
        LoginPage(phone).open().sign_in_home("e2e-agent", PASSWORD)
        phone.goto("/revisits/")
        rows = phone.get_by_test_id("rv-row")
        expect(rows).to_have_count(2)
        expect(rows.first).to_have_attribute("data-revisit", str(overdue.pk))
        expect(rows.first.get_by_test_id("rv-overdue")).to_be_visible()
        expect(rows.nth(1)).to_have_attribute("data-revisit", str(later.pk))
        assert_fits(phone, "revisit queue")

        rows.first.get_by_test_id("rv-open").click()
        form = phone.get_by_test_id("rv-call-form")
        form.locator('input[name="outcome"][value="reached"]').check()
        form.get_by_test_id("field-overall").locator("select").select_option("4")
        form.get_by_test_id("field-nps").locator("select").select_option("8")
        form.get_by_test_id("field-new_problem").locator("textarea").fill("热水器出水忽冷忽热")
        assert_fits(phone, "call form")
        phone.get_by_test_id("rv-save").click()

        expect(phone.get_by_test_id("rv-detail-status")).to_have_text("已完成")
        link = phone.get_by_test_id("rv-raised-ticket")
        number = link.inner_text().strip()
        link.click()
        expect(phone.locator("body")).to_contain_text(number)
        expect(phone.locator("body")).to_contain_text("热水器出水忽冷忽热")
        assert_fits(phone, "the new ticket")
    finally:
        phone.context.close()
    revisit = Revisit.objects.get(pk=overdue.pk)
    assert revisit.status == RevisitStatus.DONE and revisit.raised_ticket is not None
    assert revisit.raised_ticket.number == number
