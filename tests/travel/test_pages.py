"""The travel pages: finance's queue (claims decided from it through field service's service,
advances, balances, reimbursements, htmx filters), the technician's own page on a phone, the
advance's and the reimbursement's pages with their actions and history; who sees what (403/404),
both languages, tables that scroll in their own box at 375 px."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.fieldservice.models import ExpenseClaim, ExpenseStatus
from aftersales.travel import services
from aftersales.travel.models import AdvanceStatus, CashAdvance, Reimbursement, ReimbursementStatus
from tests.clients import client_for_language

from .factories import advance, claim, finance, paid_advance, staff, team_with_leader, technician

pytestmark = pytest.mark.django_db
A = AdvanceStatus
R = ReimbursementStatus


@pytest.fixture
def world():
    team, leader = team_with_leader(name="华东技术服务组")
    tech = technician(team=team, display_name="刘强")
    stranger = technician(display_name="赵六")
    payer = finance()
    paid = paid_advance(tech, "800.00", payer=payer)
    requested = advance(tech, "300.00")
    approved = claim(tech, "120.00", decider=payer)
    submitted = claim(tech, "45.50")
    theirs = advance(stranger, "999.00")
    return {
        "team": team,
        "leader": leader,
        "tech": tech,
        "stranger": stranger,
        "finance": payer,
        "paid": paid,
        "requested": requested,
        "approved": approved,
        "submitted": submitted,
        "theirs": theirs,
    }


def tables_are_wrapped(html: str) -> bool:
    """Every table scrolls inside its own box (``table-wrap``) so a 375-px page never scrolls
    sideways."""
    return html.count("<table") == len(re.findall(r'class="table-wrap"><table', html))


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_overseers_see_the_queue_of_every_technician(world, role):
    response = client_for_language(staff(role)).get(reverse("travel:queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-claim="{world["submitted"].pk}"' in html  # submitted claims by default
    assert f'data-claim="{world["approved"].pk}"' not in html
    assert world["requested"].number in html and world["theirs"].number in html  # waiting for a decision
    assert world["paid"].number not in html  # paid: no longer waiting
    assert f'data-technician="{world["tech"].username}"' in html
    assert tables_are_wrapped(html)


def test_the_team_leader_sees_his_team_only(world):
    client = client_for_language(world["leader"])
    html = client.get(reverse("travel:queue")).content.decode()
    assert world["requested"].number in html and world["theirs"].number not in html
    assert client.get(reverse("travel:advance", args=[world["theirs"].number])).status_code == 404
    page = client.get(reverse("travel:advance", args=[world["requested"].number])).content.decode()
    assert 'data-test-id="do-approve"' in page and 'data-test-id="do-pay"' not in page
    response = client.post(reverse("travel:advance_action", args=[world["requested"].number, "approve"]), {"expected_version": 1})
    assert response.status_code == 302 and CashAdvance.objects.get(pk=world["requested"].pk).status == A.APPROVED
    # His own page says he leads a team.
    assert 'data-test-id="team-queue"' in client.get(reverse("travel:mine")).content.decode()


@pytest.mark.parametrize("role", [Role.AGENT, Role.WAREHOUSE, Role.TECHNICIAN])
def test_other_staff_are_refused(world, role):
    client = client_for_language(staff(role))
    assert client.get(reverse("travel:queue")).status_code == 403
    assert client.get(reverse("travel:advance", args=[world["paid"].number])).status_code == 404
    assert client.post(reverse("travel:advance_action", args=[world["requested"].number, "approve"])).status_code == 404
    assert client.post(reverse("travel:claim_decide", args=[world["submitted"].pk]), {"decision": "approve"}).status_code == 404


def test_anonymous_users_sign_in_first():
    response = Client().get(reverse("travel:queue"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_finance_decides_a_claim_from_the_queue_through_field_service(world):
    client = client_for_language(world["finance"])
    here = reverse("travel:queue") + "?technician=" + world["tech"].username
    response = client.post(reverse("travel:claim_decide", args=[world["submitted"].pk]), {"decision": "reject", "next": here})
    assert response.status_code == 302 and response["Location"] == here
    assert ExpenseClaim.objects.get(pk=world["submitted"].pk).status == ExpenseStatus.REJECTED
    english = client_for_language(world["finance"], "en")
    again = english.post(reverse("travel:claim_decide", args=[world["submitted"].pk]), {"decision": "approve"}, follow=True)
    assert again.status_code == 200 and "This claim is already decided." in again.content.decode()
    assert ExpenseClaim.objects.get(pk=world["submitted"].pk).status == ExpenseStatus.REJECTED
    assert client.post(reverse("travel:claim_decide", args=[world["submitted"].pk]), {"decision": "maybe"}).status_code == 404


def test_the_queue_filters_and_answers_htmx_with_the_results_only(world):
    client = client_for_language(world["finance"])
    response = client.get(reverse("travel:queue"), {"technician": "赵六", "claim_status": "approved"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and world["theirs"].number in body and world["requested"].number not in body
    assert f'data-claim="{world["approved"].pk}"' not in body
    paid = client.get(reverse("travel:queue"), {"advance_status": "paid"}).content.decode()
    assert world["paid"].number in paid and world["requested"].number not in paid
    bad = client.get(reverse("travel:queue"), {"advance_status": "nonsense"})
    assert bad.status_code == 200 and 'data-test-id="filter-errors"' in bad.content.decode()


def test_the_technician_requests_an_advance_on_his_phone_page(world):
    client = client_for_language(world["tech"])
    page = client.get(reverse("travel:mine"))
    html = page.content.decode()
    assert page.status_code == 200 and world["paid"].number in html and world["theirs"].number not in html
    assert 'data-test-id="my-outstanding">800.00<' in html and tables_are_wrapped(html)
    refused = client.post(
        reverse("travel:mine"), {"purpose": "差旅", "amount": "0", "trip_from": "2026-12-08", "trip_until": "2026-12-01"}
    )
    assert refused.status_code == 200 and 'data-test-id="error-' in refused.content.decode()
    done = client.post(
        reverse("travel:mine"),
        {"purpose": "上门维修（无锡）", "amount": "600", "trip_from": "2026-12-08", "trip_until": "2026-12-09"},
    )
    created = CashAdvance.objects.filter(technician=world["tech"], amount=600).get()
    assert done.status_code == 302 and done["Location"] == reverse("travel:advance", args=[created.number])
    # Cancel it from its page.
    client.post(reverse("travel:advance_action", args=[created.number, "cancel"]), {"cancel-reason": "行程取消"})
    assert CashAdvance.objects.get(pk=created.pk).status == A.CANCELLED
    assert client_for_language(world["finance"]).get(reverse("travel:mine")).status_code == 403


def test_finance_pays_drafts_posts_and_closes_through_the_pages(world):
    client = client_for_language(world["finance"], "en")
    approved = services.advance_approve(advance=world["requested"], actor=world["leader"])
    url = reverse("travel:advance_action", args=[approved.number, "pay"])
    response = client.post(url, {"pay-method": "cash", "pay-reference": ""})
    assert response.status_code == 200 and 'data-test-id="action-errors"' in response.content.decode()
    client.post(url, {"pay-method": "cash", "pay-reference": "收据 12", "expected_version": approved.version})
    assert CashAdvance.objects.get(pk=approved.pk).status == A.PAID
    response = client.post(reverse("travel:reimbursement_new"), {"technician": world["tech"].username})
    drafted = Reimbursement.objects.get(technician=world["tech"])
    assert response.status_code == 302 and response["Location"] == reverse("travel:reimbursement", args=[drafted.number])
    assert drafted.net == 120 - 800 - 300
    page = client.get(response["Location"]).content.decode()
    assert "the technician returns the cash" in page and 'data-test-id="do-post"' in page and tables_are_wrapped(page)
    client.post(reverse("travel:reimbursement_action", args=[drafted.number, "post"]), {"expected_version": 1})
    client.post(
        reverse("travel:reimbursement_action", args=[drafted.number, "close"]),
        {"close-method": "cash", "close-reference": "退款收据 3"},
    )
    closed = Reimbursement.objects.get(pk=drafted.pk)
    assert closed.status == R.CLOSED and closed.payout_reference == "退款收据 3"
    page = client.get(reverse("travel:reimbursement", args=[drafted.number])).content.decode()
    assert page.count('data-test-id="history-row"') == 3 and "Posted" in page
    assert client.post(reverse("travel:reimbursement_action", args=[drafted.number, "nonsense"])).status_code == 404


def test_a_refused_step_is_a_message_not_an_error_page(world):
    client = client_for_language(world["tech"], "en")
    response = client.post(reverse("travel:advance_action", args=[world["requested"].number, "approve"]), follow=True)
    assert response.status_code == 200 and "Nobody decides their own cash advance." in response.content.decode()
    stale = client_for_language(world["finance"], "en").post(
        reverse("travel:advance_action", args=[world["requested"].number, "approve"]), {"expected_version": 9}, follow=True
    )
    assert "changed by someone else" in stale.content.decode()
    assert CashAdvance.objects.get(pk=world["requested"].pk).status == A.REQUESTED


@pytest.mark.parametrize(
    ("language", "words", "foreign"),
    [
        ("zh-hans", ["差旅借款与报销", "借款单", "已付款"], ["Cash advance", "Reimbursements", "Balance per technician"]),
        ("en", ["Travel advances and reimbursements", "Cash advance", "Paid out"], ["借款单", "报销", "余额"]),
    ],
)
def test_pages_render_in_one_language(world, language, words, foreign):
    reimbursement = services.reimbursement_draft(technician=world["tech"], actor=world["finance"])
    pages = [
        (world["finance"], reverse("travel:queue") + "?advance_status=paid"),
        (world["finance"], reverse("travel:advance", args=[world["paid"].number])),
        (world["finance"], reverse("travel:reimbursement", args=[reimbursement.number])),
        (world["tech"], reverse("travel:mine")),
    ]
    text = ""
    for user, url in pages:
        response = client_for_language(user, language).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        main = html[html.find("<main") :] if "<main" in html else html
        text += main.replace("上门维修差旅", "").replace("高铁", "").replace(world["tech"].display_name, "")
    for word in words:
        assert word in text, word
    for word in foreign:
        assert word not in text, word


def test_the_queue_does_not_grow_queries_with_its_rows(world):
    client = client_for_language(world["finance"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("travel:queue")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for _n in range(3):
        tech = technician()
        advance(tech)
        claim(tech, "10.00")
        paid_advance(tech, payer=world["finance"])
        services.reimbursement_draft(technician=tech, actor=world["finance"])
    assert count() == before


def test_the_request_form_sent_twice_makes_one_advance(world):
    client = client_for_language(world["tech"])
    page = client.get(reverse("travel:mine")).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    data = {
        "purpose": "上门安装（南京）",
        "amount": "400",
        "trip_from": "2026-12-10",
        "trip_until": "2026-12-11",
        "idempotency_key": key,
    }
    first = client.post(reverse("travel:mine"), data)
    second = client.post(reverse("travel:mine"), data)
    assert first["Location"] == second["Location"]
    assert CashAdvance.objects.filter(technician=world["tech"], amount=400).count() == 1
