"""Assignment through API v1 (issue 14, item 1): the generated process actions ``assign`` and
``claim`` (If-Match), and ``POST /tickets/bulk-assign`` (Idempotency-Key, a result per ticket)."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.process import ticket_cancel
from tests.factories import RegionFactory, TeamFactory, UserFactory, make_ticket

from .conftest import api_client

pytestmark = pytest.mark.django_db

BULK = "/api/v1/tickets/bulk-assign"


@pytest.fixture
def east():  # type: ignore[no-untyped-def]
    region = RegionFactory(code="east", name="华东")
    west = RegionFactory(code="west", name="华西")
    team = TeamFactory(name="华东一组", region=region)
    return {
        "region": region,
        "west": west,
        "team": team,
        "supervisor": UserFactory(
            role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=region, username="zhou", display_name="周主管"
        ),
        "wang": UserFactory(role=Role.AGENT, data_scope=DataScope.TEAM, team=team, region=region, username="wangfang"),
        "li": UserFactory(role=Role.AGENT, data_scope=DataScope.TEAM, team=team, region=region, username="lina"),
        "westerner": UserFactory(role=Role.AGENT, region=west, username="sunxi"),
    }


def _etag(client, number: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/tickets/{number}")["ETag"]


def test_the_actions_list_and_the_generated_endpoints_assign_and_take(east):
    ticket = make_ticket(region=east["region"], team=east["team"])
    boss = api_client(east["supervisor"])
    assert {"assign", "claim"} <= set(boss.get(f"/api/v1/tickets/{ticket.number}/actions").json()["actions"])
    response = boss.post(
        f"/api/v1/tickets/{ticket.number}/actions/assign",
        {"assignee": "wangfang", "note": "老客户"},
        headers={"If-Match": _etag(boss, ticket.number)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == str(east["wang"])
    assert Ticket.objects.get(pk=ticket.pk).assignee == east["wang"]
    # A teammate takes it over.
    li = api_client(east["li"])
    taken = li.post(f"/api/v1/tickets/{ticket.number}/actions/claim", {}, headers={"If-Match": _etag(li, ticket.number)})
    assert taken.status_code == 200, taken.content
    assert Ticket.objects.get(pk=ticket.pk).assignee == east["li"]
    assert "claim" not in li.get(f"/api/v1/tickets/{ticket.number}/actions").json()["actions"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="assignment").count() == 2


def test_refusals_are_problems_with_codes(east):
    ticket = make_ticket(region=east["region"])
    boss = api_client(east["supervisor"])
    etag = _etag(boss, ticket.number)
    url = f"/api/v1/tickets/{ticket.number}/actions/assign"
    outside = boss.post(url, {"assignee": "sunxi"}, headers={"If-Match": etag})
    assert (outside.status_code, outside.json()["code"]) == (422, "assignee_out_of_scope")
    assert outside.json()["errors"][0]["field"] == "assignee"
    unknown = boss.post(url, {"assignee": "nobody-here"}, headers={"If-Match": etag})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "owner_invalid")
    assert boss.post(url, {"assignee": "wangfang"}, headers={"If-Match": etag}).status_code == 200
    stale = boss.post(url, {"assignee": "lina"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    ticket_cancel(ticket=ticket, actor=east["supervisor"], reason="撤回")
    final = boss.post(url, {"assignee": "lina"}, headers={"If-Match": _etag(boss, ticket.number)})
    assert (final.status_code, final.json()["code"]) == (409, "ticket_final")


def test_bulk_assign_answers_per_ticket_and_replays_with_the_same_key(east):
    one = make_ticket(region=east["region"], phone="13900000001")
    two = make_ticket(region=east["region"], phone="13900000002")
    western = make_ticket(region=east["west"], phone="13900000003")
    cancelled = ticket_cancel(
        ticket=make_ticket(region=east["region"], phone="13900000004"), actor=east["supervisor"], reason="撤回"
    )
    boss = api_client(east["supervisor"])
    body = {"tickets": [one.number, western.number, cancelled.number, two.number], "assignee": "wangfang"}
    response = boss.post(BULK, body, headers={"Idempotency-Key": "bulk-1"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["assigned"], data["refused"]) == (2, 2)
    assert [(i["number"], i["assigned"], i["code"]) for i in data["items"]] == [
        (one.number, True, None),
        (western.number, False, "not_found"),
        (cancelled.number, False, "ticket_final"),
        (two.number, True, None),
    ]
    assert data["items"][0]["version"] == Ticket.objects.get(pk=one.pk).version
    assert data["items"][2]["detail"]
    again = boss.post(BULK, body, headers={"Idempotency-Key": "bulk-1"})
    assert again.json() == data and again["Idempotent-Replayed"] == "true"
    assert TicketEvent.objects.filter(ticket=one, kind="assignment").count() == 1  # not assigned twice
    reused = boss.post(BULK, {**body, "assignee": "lina"}, headers={"Idempotency-Key": "bulk-1"})
    assert reused.status_code == 409


def test_bulk_assign_is_for_staff_with_the_write_scope_and_names_bad_input(east):
    ticket = make_ticket(region=east["region"])
    read_only = api_client(east["supervisor"], scopes=["tickets:read"])
    assert read_only.post(BULK, {"tickets": [ticket.number], "assignee": "wangfang"}).json()["code"] == "scope_missing"
    customer = UserFactory(role=Role.CUSTOMER)
    assert api_client(customer).post(BULK, {"tickets": [ticket.number], "assignee": "wangfang"}).status_code == 403
    boss = api_client(east["supervisor"])
    assert boss.post(BULK, {"tickets": [], "assignee": "wangfang"}).status_code == 422
    assert boss.post(BULK, {"tickets": [ticket.number]}).status_code == 422  # say whom (null: unassign)
    assert boss.post(BULK, {"tickets": [ticket.number], "assignee": "wangfang", "extra": 1}).status_code == 422
    unknown = boss.post(BULK, {"tickets": [ticket.number], "assignee": "ghost"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "owner_invalid")
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None


def test_a_region_key_reaches_only_its_region(east):
    here = make_ticket(region=east["region"], phone="13900000011")
    there = make_ticket(region=east["west"], phone="13900000012")
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="director")
    keyed = api_client(boss, region=east["region"])
    data = keyed.post(BULK, {"tickets": [here.number, there.number], "assignee": "wangfang"}).json()
    assert [(i["number"], i["code"]) for i in data["items"]] == [(here.number, None), (there.number, "not_found")]
