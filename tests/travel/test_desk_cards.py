"""The travel cards of the Today page (desk): finance counts the claims it may decide, the advances
to pay, the reimbursements to close and the advances overdue for settlement, each linking to the queue filtered; a technician sees what
he owes on his advances and how many wait. One query a count, both languages, scoped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.travel import selectors, services
from tests.clients import client_for_language
from tests.factories import RegionFactory

from .factories import advance, claim, finance, job, paid_advance, staff, technician

pytestmark = pytest.mark.django_db


@pytest.fixture
def money():
    east, west = RegionFactory(), RegionFactory()
    payer = finance()
    tech = technician(region=east)
    other = technician(region=west)
    paid_advance(tech, "800.00", payer=payer)  # outstanding
    services.advance_approve(advance=advance(tech, "300.00"), actor=payer)  # to pay
    advance(tech, "200.00")  # waiting for a decision
    services.advance_approve(advance=advance(other, "100.00"), actor=payer)  # to pay, the west
    claim(tech, "45.00", work_order=job(tech, region=east))  # to decide
    claim(other, "55.00", work_order=job(other, region=west))  # to decide, the west
    third = technician(region=east)
    claim(third, "120.00", decider=payer, work_order=job(third, region=east))
    paid_advance(third, "50.00", payer=payer)
    draft = services.reimbursement_draft(technician=third, actor=payer)
    services.reimbursement_post(reimbursement=draft, actor=payer)  # 120 − 50: to close
    return {"east": east, "tech": tech, "payer": payer}


def test_finance_counts_its_travel_work_one_query_each(money):
    with CaptureQueriesContext(connection) as queries:
        desk = selectors.finance_desk(user=money["payer"])
    assert (desk.claims_to_decide, desk.advances_to_pay, desk.reimbursements_to_close) == (2, 2, 1)
    assert desk.advances_overdue == 0  # the paid advances were paid today
    assert len(queries) == 4
    regional = selectors.finance_desk(user=finance(data_scope=DataScope.REGION, region=money["east"]))
    assert (regional.claims_to_decide, regional.advances_to_pay, regional.reimbursements_to_close) == (1, 1, 1)


def test_finance_lands_on_its_cards_linking_to_the_queue_filtered(money):
    client = client_for_language(money["payer"])
    home = client.get("/", follow=True)
    html = home.content.decode()
    assert home.redirect_chain[-1][0] == reverse("desk:home")
    assert 'data-test-id="today-finance-travel"' in html and 'data-test-id="today-jobs"' not in html
    assert 'data-test-id="count-claims-to-decide">2<' in html
    assert 'data-test-id="count-advances-to-pay">2<' in html
    assert 'data-test-id="count-reimbursements-to-close">1<' in html
    queue = reverse("travel:queue")
    for link in ("?claim_status=submitted", "?advance_status=approved", "?reimbursement_status=posted"):
        assert f'href="{queue}{link}"' in html
    assert "待付款的借款单" in html and "advances to pay" not in html
    english = client_for_language(money["payer"], "en").get(reverse("desk:today")).content.decode()
    assert "advances to pay" in english and "reimbursement to close" in english and "待付款" not in english
    # The filtered queue lists what the card counted.
    listed = client.get(queue + "?advance_status=approved").content.decode()
    assert listed.count('data-test-id="advance-row"') == 2


def test_the_technician_sees_what_he_owes_and_what_waits(money):
    with CaptureQueriesContext(connection) as queries:
        mine = selectors.technician_desk(user=money["tech"])
    assert (str(mine.outstanding), mine.waiting) == ("800.00", 2) and len(queries) == 1
    html = client_for_language(money["tech"]).get(reverse("desk:home")).content.decode()
    assert 'data-test-id="today-jobs"' in html and 'data-test-id="today-finance-travel"' not in html
    assert 'data-amount="800.00"' in html and 'data-count="2"' in html and "借款未冲销 800.00 元" in html
    assert f'href="{reverse("travel:mine")}" data-test-id="today-travel-link"' in html
    english = client_for_language(money["tech"], "en").get(reverse("desk:home")).content.decode()
    assert "800.00 CNY outstanding on my advances" in english and "2 advances waiting" in english
    nothing = selectors.technician_desk(user=technician())
    assert (str(nothing.outstanding), nothing.waiting) == ("0.00", 0)


@pytest.mark.parametrize("role", [Role.AGENT, Role.WAREHOUSE, Role.MARKETING])
def test_the_today_page_still_refuses_the_other_roles(role):
    assert client_for_language(staff(role)).get(reverse("desk:today")).status_code == 403
