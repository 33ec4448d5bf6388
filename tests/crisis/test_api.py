"""API v1 of crisis management: scopes, roles, data scope and the key's region, If-Match and
Idempotency-Key, the whole flow through the API."""

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Role
from aftersales.crisis.models import Alert, AlertStatus, Crisis, CrisisStatus
from aftersales.notifications.models import Notification
from aftersales.tickets.choices import Channel
from tests.api.conftest import api_client
from tests.factories import ProductModelFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield


def _social_alert(**kw: object) -> Alert:
    make_ticket(channel=Channel.SOCIAL, description="小红书笔记吐槽安装师傅", **kw)
    return Alert.objects.order_by("-pk").first()  # type: ignore[return-value]


def test_confirm_notify_contain_review_through_the_api(supervisor) -> None:  # type: ignore[no-untyped-def]
    model = ProductModelFactory()
    for i in range(2):
        make_ticket(
            description="热水器插头冒烟了", product_model_code=model.code, phone=f"1380000{i:04d}", customer_name=f"客户{i}"
        )
    api = api_client(supervisor)
    listed = api.get("/api/v1/crisis/alerts", {"status": "open"}).json()
    assert listed["total"] == 1
    alert_id = listed["items"][0]["id"]
    read = api.get(f"/api/v1/crisis/alerts/{alert_id}")
    assert read.status_code == 200 and read["ETag"] == '"v2"'  # opened, then merged once
    # No If-Match: 428; a stale one: 412.
    assert api.post(f"/api/v1/crisis/alerts/{alert_id}/confirm", {"level": "II"}).status_code == 428
    assert api.post(f"/api/v1/crisis/alerts/{alert_id}/confirm", {"level": "II"}, headers={"If-Match": '"v1"'}).status_code == 412
    bad = api.post(f"/api/v1/crisis/alerts/{alert_id}/confirm", {"level": "IX"}, headers={"If-Match": read["ETag"]})
    assert bad.status_code == 422 and "level" in bad.content.decode()
    headers = {"If-Match": read["ETag"], "Idempotency-Key": "confirm-1"}
    made = api.post(f"/api/v1/crisis/alerts/{alert_id}/confirm", {"level": "II", "title": "热水器插头冒烟"}, headers=headers)
    assert made.status_code == 201, made.content
    again = api.post(f"/api/v1/crisis/alerts/{alert_id}/confirm", {"level": "II", "title": "热水器插头冒烟"}, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == made.json()["id"]
    assert Crisis.objects.count() == 1
    crisis = made.json()
    assert crisis["level"] == "II" and crisis["status"] == "confirmed" and len(crisis["tickets"]) == 2

    notice = api.post(
        f"/api/v1/crisis/crises/{crisis['id']}/notices", {"body": "请暂停使用并拔下插头。"}, headers={"Idempotency-Key": "n-1"}
    )
    assert notice.status_code == 201 and notice.json()["recipients"] == 2
    assert Notification.objects.filter(template="crisis.customer_notice").count() == notice.json()["messages"] > 0
    media = api.post(f"/api/v1/crisis/crises/{crisis['id']}/communications", {"audience": "media", "body": "已发布声明"})
    assert media.status_code == 201
    log = api.get(f"/api/v1/crisis/crises/{crisis['id']}/communications").json()
    assert [c["audience"] for c in log] == ["customers", "media"]

    etag = api.get(f"/api/v1/crisis/crises/{crisis['id']}")["ETag"]
    moved = api.post(f"/api/v1/crisis/crises/{crisis['id']}/transition", {"to": "contained"}, headers={"If-Match": etag})
    assert moved.status_code == 200 and moved.json()["status"] == "contained"
    wrong = api.post(f"/api/v1/crisis/crises/{crisis['id']}/transition", {"to": "reviewed"}, headers={"If-Match": moved["ETag"]})
    assert wrong.status_code in (409, 422) and "illegal_transition" in wrong.content.decode()
    level = api.post(f"/api/v1/crisis/crises/{crisis['id']}/level", {"level": "I"}, headers={"If-Match": moved["ETag"]})
    assert level.status_code == 200 and level.json()["level"] == "I"


def test_dismiss_through_the_api(supervisor) -> None:  # type: ignore[no-untyped-def]
    alert = _social_alert()
    api = api_client(supervisor)
    etag = api.get(f"/api/v1/crisis/alerts/{alert.pk}")["ETag"]
    empty = api.post(f"/api/v1/crisis/alerts/{alert.pk}/dismiss", {"reason": ""}, headers={"If-Match": etag})
    assert empty.status_code == 422
    done = api.post(f"/api/v1/crisis/alerts/{alert.pk}/dismiss", {"reason": "已解决"}, headers={"If-Match": etag})
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.DISMISSED


def test_open_a_drill_through_the_api(supervisor) -> None:  # type: ignore[no-untyped-def]
    api = api_client(supervisor)
    made = api.post("/api/v1/crisis/crises", {"title": "演练", "crisis_type": "product_safety", "level": "IV", "is_drill": True})
    assert made.status_code == 201 and made.json()["is_drill"] is True and made.json()["status"] == CrisisStatus.DETECTED
    assert api.get("/api/v1/crisis/crises", {"drills": "false"}).json()["total"] == 0
    unknown = api.post("/api/v1/crisis/crises", {"title": "x", "crisis_type": "other", "level": "IV", "models": ["NOPE"]})
    assert unknown.status_code == 422


def test_who_may_read_and_change(supervisor, east, north) -> None:  # type: ignore[no-untyped-def]
    alert = _social_alert(province="北京")
    Alert.objects.filter(pk=alert.pk).update(region=north)
    # A customer, an agent, and a key without the scope are refused.
    customer = UserFactory(role=Role.CUSTOMER)
    assert api_client(customer, scopes=("tickets:read",)).get("/api/v1/crisis/alerts").status_code == 403
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    listed = api_client(agent).get("/api/v1/crisis/alerts")
    assert listed.status_code == 200 and listed.json()["total"] == 0
    assert api_client(agent).get(f"/api/v1/crisis/alerts/{alert.pk}").status_code == 404
    read_only = api_client(supervisor, scopes=("crisis:read",))
    etag = read_only.get(f"/api/v1/crisis/alerts/{alert.pk}")["ETag"]
    assert (
        read_only.post(f"/api/v1/crisis/alerts/{alert.pk}/dismiss", {"reason": "x"}, headers={"If-Match": etag}).status_code
        == 403
    )
    # Another region's supervisor does not see it; nor does a key limited to another region.
    other = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=east)
    assert api_client(other).get(f"/api/v1/crisis/alerts/{alert.pk}").status_code == 404
    assert api_client(supervisor, region=east).get(f"/api/v1/crisis/alerts/{alert.pk}").status_code == 404
    assert api_client(supervisor, region=north).get(f"/api/v1/crisis/alerts/{alert.pk}").status_code == 200
