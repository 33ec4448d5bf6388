"""Idempotency-Key replays, ETag / If-Match, cursor pagination limits, rate limits."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from aftersales.api.caller import Caller
from aftersales.api.problems import ApiProblem
from aftersales.api.ratelimit import WINDOW_SECONDS, check_rate_limit
from aftersales.core.models import IdempotencyRecord
from aftersales.tickets.models import Ticket, TicketEvent
from tests.api.conftest import ApiClient, api_client, key_for
from tests.factories import make_ticket

NEW = {"customer_name": "王芳", "phone": "13911112222", "description": "冰箱不制冷。", "channel": "wechat"}


# --- Idempotency ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_and_body_replay_the_first_response(world):
    client = api_client(world["agent"])
    first = client.post("/api/v1/tickets", NEW, headers={"Idempotency-Key": "wx-001"})
    again = client.post("/api/v1/tickets", dict(reversed(list(NEW.items()))), headers={"Idempotency-Key": "wx-001"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Ticket.objects.filter(description=NEW["description"]).count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_conflict(world):
    client = api_client(world["agent"])
    client.post("/api/v1/tickets", NEW, headers={"Idempotency-Key": "wx-002"})
    response = client.post("/api/v1/tickets", {**NEW, "description": "冰箱结冰"}, headers={"Idempotency-Key": "wx-002"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "idempotency_key_reused"
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert not Ticket.objects.filter(description="冰箱结冰").exists()


@pytest.mark.django_db
def test_keys_belong_to_their_caller(world):
    api_client(world["agent"]).post("/api/v1/tickets", NEW, headers={"Idempotency-Key": "same"})
    other = api_client(world["east_agent"]).post(
        "/api/v1/tickets", {**NEW, "description": "另一个"}, headers={"Idempotency-Key": "same"}
    )
    assert other.status_code == 201
    assert IdempotencyRecord.objects.filter(key="same").count() == 2


@pytest.mark.django_db
def test_a_refused_request_does_not_use_up_its_key(world):
    client = api_client(world["agent"])
    refused = client.post("/api/v1/tickets", {**NEW, "phone": ""}, headers={"Idempotency-Key": "wx-003"})
    assert refused.status_code == 422
    fixed = client.post("/api/v1/tickets", NEW, headers={"Idempotency-Key": "wx-003"})
    assert fixed.status_code == 201


@pytest.mark.django_db
def test_replies_are_idempotent_too(world):
    client = api_client(world["east_customer"])
    path = f"/api/v1/tickets/{world['east_ticket'].number}/replies"
    first = client.post(path, {"body": "请尽快"}, headers={"Idempotency-Key": "r-1"})
    again = client.post(path, {"body": "请尽快"}, headers={"Idempotency-Key": "r-1"})
    assert again.json()["id"] == first.json()["id"]
    assert TicketEvent.objects.filter(body="请尽快").count() == 1


@pytest.mark.django_db
def test_a_malformed_idempotency_key_is_refused(world):
    response = api_client(world["agent"]).post("/api/v1/tickets", NEW, headers={"Idempotency-Key": "k" * 129})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in {"Idempotency-Key", "idempotency_key", "Idempotency-Key".lower()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_with_one_key_create_one_ticket_and_answer_alike(world):
    secret = key_for(world["agent"], rate_limit_per_minute=1000)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    results: list[tuple[int, Any]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            client = ApiClient(secret)
            barrier.wait(timeout=30)
            response = client.post("/api/v1/tickets", NEW, headers={"Idempotency-Key": "parallel-1"})
            with lock:
                results.append((response.status_code, response.json()))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert [status for status, _body in results] == [201] * threads_count
    assert len({body["number"] for _status, body in results}) == 1
    assert Ticket.objects.filter(description=NEW["description"]).count() == 1
    assert IdempotencyRecord.objects.filter(key="parallel-1").count() == 1


# --- ETag / If-Match -------------------------------------------------------------------------


@pytest.mark.django_db
def test_polling_with_if_none_match_answers_304_until_the_ticket_changes(world):
    client = api_client(world["agent"])
    path = f"/api/v1/tickets/{world['east_ticket'].number}"
    etag = client.get(path)["ETag"]
    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    client.post(f"{path}/actions/start-verification", {}, headers={"If-Match": etag})
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.django_db
def test_a_stale_if_match_is_412_and_changes_nothing(world):
    client = api_client(world["agent"])
    path = f"/api/v1/tickets/{world['east_ticket'].number}"
    old = client.get(path)["ETag"]
    client.post(f"{path}/actions/start-verification", {}, headers={"If-Match": old})
    stale = client.post(f"{path}/actions/request-information", {"missing": "购买凭证"}, headers={"If-Match": old})
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_version"
    assert stale["ETag"] != old
    assert Ticket.objects.get(pk=world["east_ticket"].pk).status == "verifying"


@pytest.mark.django_db
def test_an_action_without_if_match_is_428(world):
    client = api_client(world["agent"])
    response = client.post(f"/api/v1/tickets/{world['east_ticket'].number}/actions/start-verification", {})
    assert response.status_code == 428
    assert response.json()["code"] == "if_match_required"
    assert Ticket.objects.get(pk=world["east_ticket"].pk).status == "registered"


@pytest.mark.django_db
def test_a_version_changed_between_check_and_lock_is_also_412(world, monkeypatch):
    """The service re-checks the version under the row lock; its Conflict becomes a 412."""
    from aftersales.api import conditional

    client = api_client(world["agent"])
    path = f"/api/v1/tickets/{world['east_ticket'].number}"
    monkeypatch.setattr("aftersales.api.routers.actions.version_from_if_match", lambda request, ticket: ticket.version - 1 or 99)
    response = client.post(f"{path}/actions/start-verification", {}, headers={"If-Match": '"v1"'})
    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    assert conditional.ticket_etag(Ticket.objects.get(pk=world["east_ticket"].pk)) == '"v1"'


# --- Pagination --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cursor_pagination_walks_every_ticket_once(world):
    for i in range(7):
        make_ticket(region=world["east"], phone=f"1370000{i:04d}")
    client = api_client(world["agent"])
    seen: list[str] = []
    cursor = None
    for _page in range(10):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/tickets", params).json()
        seen += [t["number"] for t in body["items"]]
        assert body["total"] == 9
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 9
    assert len(set(seen)) == 9


@pytest.mark.django_db
def test_the_page_size_has_a_maximum(world):
    client = api_client(world["agent"])
    assert client.get("/api/v1/tickets", {"limit": 100}).status_code == 200
    response = client.get("/api/v1/tickets", {"limit": 101})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


@pytest.mark.django_db
def test_a_forged_cursor_is_refused(world):
    response = api_client(world["agent"]).get("/api/v1/tickets", {"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.django_db
def test_filters(world):
    client = api_client(world["agent"])
    number = world["south_ticket"].number
    assert [t["number"] for t in client.get("/api/v1/tickets", {"q": number}).json()["items"]] == [number]
    assert client.get("/api/v1/tickets", {"status": ["closed", "cancelled"]}).json()["items"] == []
    assert len(client.get("/api/v1/tickets", {"status": "registered"}).json()["items"]) == 2


# --- Rate limits -------------------------------------------------------------------------------


def _away_from_a_window_edge() -> None:
    """The limiter counts per clock minute: the requests of one check must fall into one window
    (a run that straddles the minute would see a fresh budget half-way)."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < 10:
        time.sleep(left + 0.2)


@pytest.mark.django_db
def test_over_the_limit_the_answer_is_429_with_retry_after(world):
    _away_from_a_window_edge()
    client = ApiClient(key_for(world["agent"], rate_limit_per_minute=3))
    statuses = [client.get("/api/v1/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= WINDOW_SECONDS
    assert response.json()["code"] == "rate_limited"
    # Another key of the same owner has its own budget.
    assert ApiClient(key_for(world["agent"], rate_limit_per_minute=3)).get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_the_window_resets_after_a_minute(world):
    from aftersales.api.models import ApiKey

    key_for(world["agent"], rate_limit_per_minute=1)
    caller = Caller.from_key(ApiKey.objects.get())
    check_rate_limit(caller, now=600.0)
    with pytest.raises(ApiProblem) as raised:
        check_rate_limit(caller, now=630.0)
    assert raised.value.headers["Retry-After"] == "30"
    check_rate_limit(caller, now=660.5)


@pytest.mark.django_db
@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_the_default_limit_comes_from_the_settings(world):
    _away_from_a_window_edge()
    client = api_client(world["agent"])
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.redis
@pytest.mark.django_db
def test_rate_limits_count_in_redis(world, settings):
    import os

    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    caches["default"].clear()
    _away_from_a_window_edge()
    client = ApiClient(key_for(world["agent"], rate_limit_per_minute=2))
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    caches["default"].clear()


@pytest.mark.django_db
def test_updated_since_finds_what_changed(world):
    from aftersales.core import clock

    client = api_client(world["agent"])
    mark = clock.now()
    api_client(world["agent"]).post(f"/api/v1/tickets/{world['south_ticket'].number}/replies", {"body": "跟进"})
    changed = client.get("/api/v1/tickets", {"updated_since": mark.isoformat()}).json()["items"]
    assert [t["number"] for t in changed] == [world["south_ticket"].number]
    naive = client.get("/api/v1/tickets", {"updated_since": "2000-01-01T00:00:00"})
    assert naive.status_code == 200
    assert len(naive.json()["items"]) == 2
    assert client.get("/api/v1/tickets", {"updated_since": "1700000000"}).status_code == 422
