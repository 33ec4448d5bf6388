"""WeChat Official Account template messages (providers/wechat.py, wechatpy) against a local
fake of api.weixin.qq.com: the access token fetched once and shared through Django's cache, the
kind's template with its keywords and the portal link, the bound openid, and what each answer
does to the outbox row. No request leaves the machine."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command

from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.providers.wechat import CACHE_PREFIX
from aftersales.notifications.senders import TransientSendError
from aftersales.notifications.services import notification_deliver, notification_queue, wechat_contact_bind
from tests.factories import CustomerFactory, make_ticket
from tests.notifications.provider_server import FakeProvider, closed_port_url

pytestmark = pytest.mark.django_db

SITE = "https://service.example.cn"
OPENID = "oWx9Xs-test-openid-0001"
TOKEN_PATH = "/cgi-bin/token"
SEND_PATH = "/cgi-bin/message/template/send"
TEMPLATES = {
    "ticket_received": {"template": "TPL-received", "data": {"character_string1": "number", "phrase2": "=已受理"}},
    "ticket_plan_offered": {"template": "TPL-plan", "data": {"character_string1": "number", "thing2": "diagnosis"}},
}
SENT = {"errcode": 0, "errmsg": "ok", "msgid": 200228332}


def token(value: str = "TOKEN-1", expires_in: int = 7200) -> dict:
    return {"access_token": value, "expires_in": expires_in}


@pytest.fixture
def wechat(settings):
    server = FakeProvider()
    settings.WECHAT_APP_ID = "wx0123456789abcdef"
    settings.WECHAT_APP_SECRET = "wechat-test-secret"
    settings.WECHAT_API_BASE_URL = server.url + "/cgi-bin/"
    settings.WECHAT_TEMPLATES = TEMPLATES
    settings.AFTERSALES_SITE_URL = SITE
    settings.NOTIFICATION_PROVIDER_TIMEOUT_SECONDS = 5
    server.on(TOKEN_PATH, token())
    yield server
    server.stop()


def wechat_row(template: str = "ticket_plan_offered", **params: str) -> Notification:
    return notification_queue(
        channel=NotificationChannel.WECHAT,
        template=template,
        recipient=OPENID,
        subject="",
        body="尊敬的张伟：……",
        language="zh-hans",
        params=params,
    )


def test_a_bound_customer_gets_the_template_message_with_the_portal_link(wechat):
    wechat.on(SEND_PATH, SENT)
    customer = CustomerFactory(consent_contact=True)
    wechat_contact_bind(openid=OPENID, customer=customer)
    ticket = make_ticket(phone=customer.phone)
    assert ticket.customer_id == customer.pk
    row = Notification.objects.get(ticket=ticket, channel=NotificationChannel.WECHAT, template="ticket_received")
    assert row.recipient == OPENID

    done = notification_deliver(notification_id=row.pk)

    assert (done.status, done.attempts) == (NotificationStatus.SENT, 1)
    [fetch] = wechat.to(TOKEN_PATH)
    assert fetch.method == "GET"
    assert fetch.query == {"grant_type": ["client_credential"], "appid": ["wx0123456789abcdef"], "secret": ["wechat-test-secret"]}
    [send] = wechat.to(SEND_PATH)
    assert (send.method, send.query) == ("POST", {"access_token": ["TOKEN-1"]})
    link = send.json()["url"]
    assert link == row.params["link"] and link.startswith(f"{SITE}/portal/t/")
    assert send.json() == {
        "touser": OPENID,
        "template_id": "TPL-received",
        "url": link,
        "data": {"character_string1": {"value": ticket.number}, "phrase2": {"value": "已受理"}},
    }


def test_the_token_is_fetched_once_and_shared_through_the_cache(wechat):
    wechat.on(SEND_PATH, SENT)
    for number in ("SH1", "SH2", "SH3"):  # each delivery builds its own client, as each worker does
        notification_deliver(notification_id=wechat_row(number=number, diagnosis="换阀门").pk)

    assert len(wechat.to(TOKEN_PATH)) == 1
    assert [r.query["access_token"] for r in wechat.to(SEND_PATH)] == [["TOKEN-1"]] * 3
    assert cache.get(f"{CACHE_PREFIX}wx0123456789abcdef_access_token") == "TOKEN-1"


def test_the_token_expires_from_the_cache_five_minutes_early(wechat, monkeypatch):
    timeouts = []
    original = cache.set
    monkeypatch.setattr(cache, "set", lambda key, value, timeout=None: timeouts.append(timeout) or original(key, value, timeout))
    wechat.on(TOKEN_PATH, token(expires_in=7200))
    wechat.on(SEND_PATH, SENT)
    notification_deliver(notification_id=wechat_row(number="SH1", diagnosis="换阀门").pk)
    assert timeouts == [7200 - 300]


def test_an_invalid_token_is_dropped_and_fetched_again_once(wechat):
    wechat.on(TOKEN_PATH, token("TOKEN-OLD"), token("TOKEN-NEW"))
    wechat.on(SEND_PATH, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}, SENT)

    done = notification_deliver(notification_id=wechat_row(number="SH1", diagnosis="换阀门").pk)

    assert done.status == NotificationStatus.SENT
    assert [r.query["access_token"] for r in wechat.to(SEND_PATH)] == [["TOKEN-OLD"], ["TOKEN-NEW"]]
    assert cache.get(f"{CACHE_PREFIX}wx0123456789abcdef_access_token") == "TOKEN-NEW"


def test_a_long_keyword_is_cut_to_its_types_length(wechat):
    wechat.on(SEND_PATH, SENT)
    diagnosis = "排水管堵塞，需上门清理并更换室内机的排水泵和接水盘"
    notification_deliver(notification_id=wechat_row(number="SH1", diagnosis=diagnosis).pk)
    sent = wechat.to(SEND_PATH)[0].json()["data"]["thing2"]["value"]
    assert sent == diagnosis[:19] + "…" and len(sent) == 20


def test_a_kind_without_a_template_is_skipped(wechat):
    done = notification_deliver(notification_id=wechat_row(template="survey", number="SH1").pk)
    assert done.status == NotificationStatus.SKIPPED
    assert "no WeChat template configured for “survey” (WECHAT_TEMPLATES)" in done.last_error
    assert wechat.requests == []


@pytest.mark.parametrize(
    "answer",
    [{"errcode": -1, "errmsg": "system error"}, {"errcode": 45009, "errmsg": "reach max api daily quota limit"}],
)
def test_busy_and_throttled_are_retried(wechat, answer):
    wechat.on(SEND_PATH, answer, SENT)
    row = wechat_row(number="SH1", diagnosis="换阀门")

    with pytest.raises(TransientSendError, match=f"WeChat {answer['errcode']}: {answer['errmsg']}"):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)

    assert notification_deliver(notification_id=row.pk).status == NotificationStatus.SENT


def test_an_unreachable_wechat_is_retried(wechat, settings):
    settings.WECHAT_API_BASE_URL = closed_port_url() + "/cgi-bin/"
    row = wechat_row(number="SH1", diagnosis="换阀门")
    with pytest.raises(TransientSendError, match="WeChat unreachable"):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        (SEND_PATH, {"errcode": 43004, "errmsg": "require subscribe"}),
        (SEND_PATH, {"errcode": 40003, "errmsg": "invalid openid"}),
        (SEND_PATH, {"errcode": 40037, "errmsg": "invalid template_id"}),
        (TOKEN_PATH, {"errcode": 40125, "errmsg": "invalid appsecret"}),
    ],
)
def test_a_refusal_fails_at_once_with_wechats_message(wechat, path, answer):
    wechat.on(SEND_PATH, SENT)
    wechat.on(path, answer)
    row = wechat_row(number="SH1", diagnosis="换阀门")

    done = notification_deliver(notification_id=row.pk)

    assert (done.status, done.attempts) == (NotificationStatus.FAILED, 1)
    assert f"WeChat {answer['errcode']}: {answer['errmsg']}" in done.last_error


def test_notifications_check_sends_a_wechat_test(wechat, capsys):
    wechat.on(SEND_PATH, SENT)
    call_command("notifications_check", "--send-test", "--channel", "wechat", "--to", OPENID, "--kind", "ticket_plan_offered")
    out = capsys.readouterr().out
    assert "wechat: WeChat Official Account (aftersales.notifications.providers.wechat.WeChatTemplateSender)" in out
    assert "templates: ticket_plan_offered, ticket_received" in out
    assert f"Sent: ticket_plan_offered by wechat to {OPENID}" in out
    sent = wechat.to(SEND_PATH)[0].json()
    assert sent["touser"] == OPENID and sent["template_id"] == "TPL-plan"
    assert sent["url"] == f"{SITE}/portal/t/eyJ0IjoxMjM0NX0:1tZk2x:Q3VzdG9tZXJUaWNrZXRMaW5r/"  # the sample link
    assert sent["data"]["character_string1"] == {"value": "SH20261122-000001"}
