"""API v1 of the templates: notification templates (administrators) read, saved with If-Match,
previewed; reply templates written with Idempotency-Key and rendered for a ticket in scope."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Role
from aftersales.notifications.models import Notification, NotificationTemplate, ReplyTemplate
from tests.api.conftest import api_client
from tests.factories import RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db
BASE = "/api/v1/templates"
SCOPES = ("tickets:read", "templates:read", "templates:write")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()


def admin_client():  # type: ignore[no-untyped-def]
    return api_client(UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL), scopes=SCOPES)


def test_an_administrator_reads_the_shipped_text_with_its_placeholders():
    client = admin_client()
    url = f"{BASE}/notifications/ticket_received/sms/zh-hans"
    read = client.get(url)
    assert read.status_code == 200 and read["ETag"] == '"0.0"'
    assert read.json()["active_version"] is None and "{工单号}" in read.json()["body"]
    assert {p["name"] for p in read.json()["placeholders"]} >= {"客户姓名", "工单号", "预计完成时间"}


def _put(client, url, body, etag):  # type: ignore[no-untyped-def]
    headers = client._headers({"If-Match": etag} if etag else {})
    return client.client.put(url, body, content_type="application/json", headers=headers)


def test_an_administrator_saves_the_ticket_received_sms_with_if_match_and_the_next_intake_sends_it():
    client = admin_client()
    url = f"{BASE}/notifications/ticket_received/sms/zh-hans"
    assert _put(client, url, {"body": "工单{工单号}已受理。"}, None).status_code == 428
    assert _put(client, url, {"body": "工单{工单号}已受理。"}, '"9.9"').status_code == 412
    bad = _put(client, url, {"body": "工单{电话}"}, '"0.0"')
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["body"]
    saved = _put(client, url, {"body": "工单{工单号}已受理。"}, '"0.0"')
    assert saved.status_code == 200 and saved["ETag"] == '"1.1"' and saved.json()["active_version"] == 1
    assert [v["version"] for v in saved.json()["history"]] == [1]

    ticket = make_ticket(phone="13900000301", customer_name="赵敏")
    sms = Notification.objects.get(ticket_id=ticket.pk, channel="sms")
    assert sms.body.startswith(f"尊敬的赵敏：工单{ticket.number}已受理。")

    preview = client.post(f"{url}/preview", {"body": "好" * 80})
    assert preview.status_code == 200 and preview.json()["sms"]["encoding"] == "UCS-2" and preview.json()["sms"]["segments"] >= 2
    invalid = client.post(f"{url}/preview", {"body": ""})
    assert invalid.status_code == 422
    listed = client.get(f"{BASE}/notifications")
    assert listed.status_code == 200 and any(t["event"] == "ticket_plan_offered" for t in listed.json())
    assert client.get(f"{BASE}/notifications/nope/sms/zh-hans").status_code == 404


def test_a_save_without_if_match_is_refused_with_the_etag_to_send():
    """428 carries the current ETag, as every other If-Match of the API: the client retries with it."""
    client = admin_client()
    url = f"{BASE}/notifications/ticket_received/sms/zh-hans"
    missing = _put(client, url, {"body": "工单{工单号}已受理。"}, None)
    assert missing.status_code == 428 and missing.json()["code"] == "if_match_required"
    assert missing["ETag"] == '"0.0"'
    assert _put(client, url, {"body": "工单{工单号}已受理。"}, missing["ETag"]).status_code == 200
    again = _put(client, url, {"body": "工单{工单号}已受理，请留意。"}, None)
    assert again.status_code == 428 and again["ETag"] == '"1.1"'

    boss = api_client(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL), scopes=SCOPES)
    body = {"title": "告知", "language": "zh-hans", "body": "工单{工单号}已在处理中。"}
    reply_id = boss.post(f"{BASE}/replies", body, headers={"Idempotency-Key": "r-428"}).json()["id"]
    refused = _put(boss, f"{BASE}/replies/{reply_id}", body, None)
    assert refused.status_code == 428 and refused["ETag"] == '"v1"'
    stale = _put(boss, f"{BASE}/replies/{reply_id}", body, '"v7"')
    assert stale.status_code == 412 and stale["ETag"] == '"v1"'


def test_only_administrators_reach_notification_templates():
    agent = api_client(UserFactory(role=Role.AGENT, data_scope=DataScope.ALL), scopes=SCOPES)
    assert agent.get(f"{BASE}/notifications").status_code == 403
    assert _put(agent, f"{BASE}/notifications/ticket_received/sms/zh-hans", {"body": "x"}, "*").status_code == 403
    assert not NotificationTemplate.objects.exists()


def test_reply_templates_created_once_and_rendered_only_for_a_ticket_in_scope():
    east, south = RegionFactory(), RegionFactory()
    boss = api_client(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL), scopes=SCOPES)
    body = {"title": "告知", "language": "zh-hans", "body": "{客户姓名}您好，工单{工单号}已在处理中。"}
    created = boss.post(f"{BASE}/replies", body, headers={"Idempotency-Key": "r-1"})
    assert created.status_code == 201, created.content
    again = boss.post(f"{BASE}/replies", body, headers={"Idempotency-Key": "r-1"})
    assert again.json()["id"] == created.json()["id"] and ReplyTemplate.objects.count() == 1
    reply_id = created.json()["id"]
    changed = _put(boss, f"{BASE}/replies/{reply_id}", {**body, "title": "告知（新）"}, created["ETag"])
    assert changed.status_code == 200 and changed.json()["version"] == 2

    agent_user = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    agent = api_client(agent_user, scopes=SCOPES)
    mine = make_ticket(phone="13900000302", customer_name="赵敏", region=east)
    theirs = make_ticket(phone="13900000303", customer_name="钱多", region=south)
    rendered = agent.get(f"{BASE}/replies/{reply_id}/render", {"ticket": mine.number})
    assert rendered.status_code == 200 and rendered.json()["text"] == f"赵敏您好，工单{mine.number}已在处理中。"
    assert agent.get(f"{BASE}/replies/{reply_id}/render", {"ticket": theirs.number}).status_code == 404
    assert agent.post(f"{BASE}/replies", body, headers={"Idempotency-Key": "r-2"}).status_code == 403


def test_the_operations_are_in_the_openapi_document():
    paths = admin_client().get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/templates/notifications/{event}/{channel}/{language}"])
    assert "post" in paths["/api/v1/templates/notifications/{event}/{channel}/{language}/preview"]
    assert {"get", "post"} <= set(paths["/api/v1/templates/replies"])
    assert "get" in paths["/api/v1/templates/replies/{template_id}/render"]
