"""The outlet pages: who sees which outlet and statement (403/404 otherwise), creating and editing
an outlet, drafting a month, the statement's actions through the pages, both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import Role, ServiceOutlet
from aftersales.audit.models import AuditEvent
from aftersales.outlets import services
from aftersales.outlets.models import Settlement, SettlementStatus
from tests.clients import client_for_language
from tests.factories import RegionFactory, TeamFactory

from .factories import accepted_job, last_month, local, outlet_with_people, staff

pytestmark = pytest.mark.django_db
S = SettlementStatus


@pytest.fixture
def world():
    outlet, leader, tech = outlet_with_people(name="徐汇授权网点")
    other, _other_leader, other_tech = outlet_with_people(name="浦东授权网点")
    start, _end = last_month()
    accepted_job(outlet=outlet, technician=tech, accepted_at=local(start + dt.timedelta(days=2)))
    accepted_job(outlet=other, technician=other_tech, accepted_at=local(start + dt.timedelta(days=2)))
    supervisor = staff(Role.SUPERVISOR)
    mine = services.settlement_draft(outlet=outlet, actor=supervisor, period_start=start).settlement
    theirs = services.settlement_draft(outlet=other, actor=supervisor, period_start=start).settlement
    return {
        "outlet": outlet,
        "leader": leader,
        "tech": tech,
        "other": other,
        "supervisor": supervisor,
        "mine": mine,
        "theirs": theirs,
        "start": start,
    }


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.FINANCE, Role.ADMINISTRATOR])
def test_overseers_see_every_outlet_and_statement(world, role):
    client = client_for_language(staff(role))
    listing = client.get(reverse("outlets:list")).content.decode()
    assert "徐汇授权网点" in listing and "浦东授权网点" in listing
    page = client.get(reverse("outlets:detail", args=[world["outlet"].code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-test-id="outlet-performance"' in body and world["mine"].number in body and world["tech"].display_name in body
    statements = client.get(reverse("outlets:settlements")).content.decode()
    assert world["mine"].number in statements and world["theirs"].number in statements


def test_the_outlets_leader_sees_only_his_outlet(world):
    client = client_for_language(world["leader"])
    listing = client.get(reverse("outlets:list")).content.decode()
    assert "徐汇授权网点" in listing and "浦东授权网点" not in listing
    assert client.get(reverse("outlets:detail", args=[world["other"].code])).status_code == 404
    assert client.get(reverse("outlets:settlement", args=[world["theirs"].number])).status_code == 404
    statements = client.get(reverse("outlets:settlements")).content.decode()
    assert world["mine"].number in statements and world["theirs"].number not in statements
    page = client.get(reverse("outlets:settlement", args=[world["mine"].number])).content.decode()
    assert 'data-test-id="settlement-confirm"' in page and 'data-test-id="settlement-recalculate"' not in page
    # Not a preparer: no drafting, no edits.
    assert client.post(reverse("outlets:settlement_new", args=[world["outlet"].code]), {"month": "2026-01"}).status_code == 302
    assert Settlement.objects.count() == 2
    assert client.get(reverse("outlets:edit", args=[world["outlet"].code])).status_code == 403


@pytest.mark.parametrize("role", [Role.AGENT, Role.TECHNICIAN, Role.WAREHOUSE])
def test_other_staff_are_refused(world, role):
    client = client_for_language(staff(role))
    assert client.get(reverse("outlets:list")).status_code == 403
    assert client.get(reverse("outlets:settlements")).status_code == 403
    assert client.get(reverse("outlets:detail", args=[world["outlet"].code])).status_code == 404
    assert client.get(reverse("outlets:settlement", args=[world["mine"].number])).status_code == 404
    assert client.post(reverse("outlets:settlement_action", args=[world["mine"].number, "confirm"])).status_code == 404


def test_anonymous_users_sign_in_first():
    response = Client().get(reverse("outlets:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_leader_confirms_and_finance_pays_through_the_pages(world):
    number = world["mine"].number
    leader = client_for_language(world["leader"])
    response = leader.post(reverse("outlets:settlement_action", args=[number, "dispute"]), {"reason": ""})
    assert response.status_code == 200 and 'data-test-id="action-errors"' in response.content.decode()
    response = leader.post(
        reverse("outlets:settlement_action", args=[number, "confirm"]), {"expected_version": world["mine"].version}
    )
    assert response.status_code == 302 and Settlement.objects.get(number=number).status == S.CONFIRMED
    supervisor = client_for_language(world["supervisor"])
    supervisor.post(reverse("outlets:settlement_action", args=[number, "approve"]))
    finance = client_for_language(staff(Role.FINANCE), "en")
    response = finance.post(reverse("outlets:settlement_action", args=[number, "pay"]), {"payment_reference": "", "paid_on": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = finance.post(
        reverse("outlets:settlement_action", args=[number, "pay"]), {"payment_reference": "BOC-1", "paid_on": "2026-12-01"}
    )
    assert response.status_code == 302
    assert Settlement.objects.get(number=number).status == S.PAID
    assert finance.post(reverse("outlets:settlement_action", args=[number, "nonsense"])).status_code == 404


def test_a_refused_step_is_a_message_not_an_error_page(world):
    number = world["mine"].number
    supervisor = client_for_language(world["supervisor"], "en")
    response = supervisor.post(reverse("outlets:settlement_action", args=[number, "approve"]), follow=True)
    assert response.status_code == 200
    assert "cannot move from" in response.content.decode()
    assert Settlement.objects.get(number=number).status == S.DRAFT


def test_adjusting_a_line_through_the_page(world):
    statement = world["mine"]
    line = statement.lines.get()
    client = client_for_language(world["supervisor"])
    response = client.post(
        reverse("outlets:settlement_action", args=[statement.number, "adjust"]),
        {"line": line.pk, "adjustment": "-10", "reason": ""},
    )
    assert response.status_code == 302  # refused by the service (no reason): shown as a message
    assert Settlement.objects.get(pk=statement.pk).total_adjustment == 0
    client.post(
        reverse("outlets:settlement_action", args=[statement.number, "adjust"]),
        {"line": line.pk, "adjustment": "-10", "reason": "漏拍照片"},
    )
    assert Settlement.objects.get(pk=statement.pk).total_adjustment == -10


def test_drafting_a_month_from_the_outlet_page(world):
    client = client_for_language(world["supervisor"])
    world["mine"].delete()
    response = client.post(
        reverse("outlets:settlement_new", args=[world["outlet"].code]), {"month": world["start"].strftime("%Y-%m")}
    )
    statement = Settlement.objects.get(outlet=world["outlet"])
    assert response.status_code == 302 and response["Location"] == reverse("outlets:settlement", args=[statement.number])
    response = client.post(reverse("outlets:settlement_new", args=[world["outlet"].code]), {"month": "not a month"}, follow=True)
    assert response.status_code == 200 and "YYYY-MM" in response.content.decode()


def test_the_administrator_creates_and_edits_an_outlet():
    admin = staff(Role.ADMINISTRATOR)
    region = RegionFactory(name="华东")
    team = TeamFactory(name="闵行网点组")
    client = client_for_language(admin)
    assert client.get(reverse("outlets:new")).status_code == 200
    data = {
        "code": "mh-01",
        "name": "闵行授权网点",
        "kind": "authorised",
        "regions": [region.pk],
        "team": team.pk,
        "active": "on",
        "call_out_fee": "60",
        "labour_rate": "85",
        "travel_rate": "2",
        "repeat_penalty": "150",
        "contract_from": "2026-01-01",
        "contract_until": "2025-12-31",
    }
    response = client.post(reverse("outlets:new"), data)
    assert response.status_code == 200 and 'data-test-id="error-contract_until"' in response.content.decode()
    data["contract_until"] = "2027-12-31"
    response = client.post(reverse("outlets:new"), data)
    outlet = ServiceOutlet.objects.get(code="mh-01")
    assert response.status_code == 302 and outlet.team == team and list(outlet.regions.all()) == [region]
    data["labour_rate"] = "90"
    client.post(reverse("outlets:edit", args=["mh-01"]), data)
    outlet.refresh_from_db()
    assert str(outlet.labour_rate) == "90.00"
    event = AuditEvent.objects.get(action="outlets.outlet_changed", object_id=str(outlet.pk))
    assert event.changes == {"labour_rate": ["85.00", "90.00"]}
    assert client_for_language(staff(Role.SUPERVISOR)).get(reverse("outlets:new")).status_code == 403


@pytest.mark.parametrize(
    "language, words", [("zh-hans", ["结算单", "服务网点"]), ("en", ["Settlement statements", "Service outlet"])]
)
def test_pages_render_in_both_languages(world, language, words):
    client = client_for_language(world["supervisor"], language)
    pages = [
        reverse("outlets:list"),
        reverse("outlets:detail", args=[world["outlet"].code]),
        reverse("outlets:settlements") + "?status=draft",
        reverse("outlets:settlement", args=[world["mine"].number]),
        reverse("outlets:edit", args=[world["outlet"].code]),
    ]
    text = ""
    for url in pages:
        response = client.get(url)
        assert response.status_code == (403 if url.endswith("/edit/") else 200), url
        text += response.content.decode()
    for word in words:
        assert word in text


def test_the_statement_list_filters_and_answers_htmx_with_the_rows_only(world):
    client = client_for_language(world["supervisor"])
    response = client.get(reverse("outlets:settlements"), {"outlet": world["other"].code}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and world["theirs"].number in body and world["mine"].number not in body
    bad = client.get(reverse("outlets:settlements"), {"since": "yesterday"})
    assert bad.status_code == 200 and 'data-test-id="filter-errors"' in bad.content.decode()


def test_the_lists_do_not_grow_queries_with_their_rows(world):
    client = client_for_language(world["supervisor"])

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [reverse("outlets:list"), reverse("outlets:settlements"), reverse("outlets:settlement", args=[world["mine"].number])]
    before = [count(url) for url in urls]
    for _n in range(3):
        outlet, _leader, tech = outlet_with_people()
        accepted_job(outlet=outlet, technician=tech, accepted_at=local(world["start"] + dt.timedelta(days=4)))
        accepted_job(outlet=world["outlet"], technician=world["tech"], accepted_at=local(world["start"] + dt.timedelta(days=5)))
        services.settlement_draft(outlet=outlet, actor=world["supervisor"], period_start=world["start"])
    services.settlement_recalculate(settlement=world["mine"], actor=world["supervisor"])
    assert Settlement.objects.get(pk=world["mine"].pk).line_count == 4
    assert [count(url) for url in urls] == before


def test_the_leaders_today_page_leads_to_his_outlet_and_the_statement_to_confirm(world):
    """An outlet's leader is a technician: his Today page (no nav link for his role) shows his
    outlet and the draft statement waiting for his answer; another technician's shows none."""
    page = client_for_language(world["leader"]).get(reverse("desk:today"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-outlet="{world["outlet"].code}"' in html and "浦东授权网点" not in html
    assert reverse("outlets:detail", args=[world["outlet"].code]) in html
    assert "1 张结算单待确认" in html
    services.settlement_confirm(settlement=world["mine"], actor=world["leader"])
    html = client_for_language(world["leader"], "en").get(reverse("desk:today")).content.decode()
    assert 'data-test-id="today-outlet"' in html and "to confirm" not in html
    other = client_for_language(world["tech"]).get(reverse("desk:today")).content.decode()
    assert 'data-test-id="today-outlet"' not in other
