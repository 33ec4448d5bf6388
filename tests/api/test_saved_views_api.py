"""API v1 ``/ticket-views``: the ticket list's saved views — scopes, idempotent creates, If-Match
on changes (428 without it, 412 when stale), the caller's own and shared views only."""

from __future__ import annotations

import json

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import SavedView, ViewSharing
from aftersales.tickets.services import saved_view_create
from tests.factories import TeamFactory, UserFactory

from .conftest import api_client

pytestmark = pytest.mark.django_db

PATH = "/api/v1/ticket-views"


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def agent(team):
    return UserFactory(role=Role.AGENT, data_scope=DataScope.TEAM, team=team)


def _patch(api, path: str, body: dict, headers: dict | None = None):
    return api.client.patch(path, json.dumps(body), content_type="application/json", headers=api._headers(headers))


def _delete(api, path: str, headers: dict | None = None):
    return api.client.delete(path, headers=api._headers(headers))


def test_create_read_and_list_a_view(agent):
    api = api_client(agent)
    created = api.post(PATH, {"name": "急单", "filters": "?priority=1&status=all&q=漏水&cursor=x", "sharing": "team"})
    assert created.status_code == 201
    body = created.json()
    assert body["filters"] == "status=all&priority=1&q=%E6%BC%8F%E6%B0%B4"
    assert body["sharing"] == "team" and body["mine"] is True and body["version"] == 1
    assert body["url"] == f"/tickets/?{body['filters']}"
    assert created["ETag"] == '"v1"' and created["Location"].endswith(f"/ticket-views/{body['id']}")
    read = api.get(f"{PATH}/{body['id']}")
    assert read.status_code == 200 and read["ETag"] == '"v1"' and read.json()["name"] == "急单"
    listed = api.get(PATH).json()
    assert [item["id"] for item in listed] == [body["id"]]


def test_the_list_holds_own_and_shared_views_and_anothers_private_view_is_404(agent, team):
    colleague = UserFactory(role=Role.AGENT, team=team)
    leader = UserFactory(role=Role.SUPERVISOR, team=TeamFactory())
    shared = saved_view_create(actor=colleague, name="组内", filters="", sharing=ViewSharing.TEAM)
    private = saved_view_create(actor=colleague, name="私有", filters="")
    everyone = saved_view_create(actor=leader, name="全员", filters="queue=breached", sharing=ViewSharing.EVERYONE)
    api = api_client(agent)
    listed = {item["id"]: item for item in api.get(PATH).json()}
    assert set(listed) == {shared.pk, everyone.pk}
    assert listed[everyone.pk]["mine"] is False and listed[everyone.pk]["owner"] == leader.username
    assert api.get(f"{PATH}/{private.pk}").status_code == 404
    assert _patch(api, f"{PATH}/{private.pk}", {"name": "x"}, {"If-Match": '"v1"'}).status_code == 404
    refused = _patch(api, f"{PATH}/{shared.pk}", {"name": "我的了"}, {"If-Match": '"v1"'})
    assert refused.status_code == 403 and refused.json()["code"] == "saved_view_not_owner"
    assert _delete(api, f"{PATH}/{shared.pk}").status_code == 403


def test_scopes_reading_needs_tickets_read_and_changing_tickets_write(agent):
    reader = api_client(agent, scopes=["tickets:read"])
    assert reader.get(PATH).status_code == 200
    assert reader.post(PATH, {"name": "x"}).status_code == 403
    writer_only = api_client(agent, scopes=["tickets:write"])
    assert writer_only.get(PATH).status_code == 403
    assert writer_only.post(PATH, {"name": "x"}).status_code == 201
    customer = UserFactory(role=Role.CUSTOMER)
    assert api_client(customer, scopes=["tickets:read", "tickets:write"]).get(PATH).status_code == 403


def test_a_create_is_idempotent_and_another_body_with_the_key_is_409(agent):
    api = api_client(agent)
    headers = {"Idempotency-Key": "view-1"}
    first = api.post(PATH, {"name": "我的"}, headers=headers)
    again = api.post(PATH, {"name": "我的"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert SavedView.objects.count() == 1
    other = api.post(PATH, {"name": "别的"}, headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"name": ""}, "name", "saved_view_name_required"),
        ({"name": "名" * 41}, "name", "saved_view_name_too_long"),
        ({"name": "x", "filters": "status=bogus"}, "filters", "saved_view_filter_invalid"),
        ({"name": "x", "filters": "colour=red"}, "filters", "saved_view_filter_unknown"),
        ({"name": "x", "sharing": "everyone"}, "sharing", "saved_view_sharing_not_allowed"),
    ],
)
def test_invalid_input_is_a_422_naming_the_field(agent, body, field, code):
    response = api_client(agent).post(PATH, body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == code and field in json.dumps(problem)
    assert not SavedView.objects.exists()


def test_patch_needs_if_match_refuses_a_stale_one_and_moves_the_etag(agent):
    api = api_client(agent)
    view = saved_view_create(actor=agent, name="旧名", filters="")
    other = saved_view_create(actor=agent, name="第二", filters="")
    url = f"{PATH}/{view.pk}"
    missing = _patch(api, url, {"name": "新名"})
    assert missing.status_code == 428 and missing["ETag"] == '"v1"'
    changed = _patch(api, url, {"name": "新名", "filters": "status=all", "position": 1}, {"If-Match": '"v1"'})
    assert changed.status_code == 200
    body = changed.json()
    assert (body["name"], body["filters"], body["position"]) == ("新名", "status=all", 1)
    assert changed["ETag"] == f'"v{body["version"]}"' and body["version"] > 1
    stale = _patch(api, url, {"name": "再改"}, {"If-Match": '"v1"'})
    assert stale.status_code == 412
    other.refresh_from_db()
    assert other.position == 0
    view.refresh_from_db()
    assert view.name == "新名"


def test_delete_checks_if_match_when_sent(agent):
    api = api_client(agent)
    view = saved_view_create(actor=agent, name="删", filters="")
    assert _delete(api, f"{PATH}/{view.pk}", {"If-Match": '"v9"'}).status_code == 412
    assert _delete(api, f"{PATH}/{view.pk}", {"If-Match": '"v1"'}).status_code == 204
    assert _delete(api, f"{PATH}/{view.pk}").status_code == 404


def test_an_administrator_deletes_a_view_shared_with_all_staff(agent):
    leader = UserFactory(role=Role.SUPERVISOR)
    shared = saved_view_create(actor=leader, name="全员", filters="", sharing=ViewSharing.EVERYONE)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    assert _delete(api_client(agent), f"{PATH}/{shared.pk}").status_code == 403
    assert _delete(api_client(admin), f"{PATH}/{shared.pk}").status_code == 204
