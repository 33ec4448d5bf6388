"""Delivery receipts pushed by the providers (receipts.py, receipt_views.py, delivery.receipt_record):
each provider's documented payload shape, the secret or signature that admits it, the message
settled once (a repeated or late receipt changes nothing), and receipts for messages this site
did not send ignored with a log line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

import pytest
from django.test import Client

from aftersales.audit.models import AuditEvent
from aftersales.notifications.delivery import receipt_record
from aftersales.notifications.models import DeliveryStatus, Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.receipts import (
    CHINA,
    MalformedReceipt,
    Receipt,
    aliyun_receipts,
    reason_for,
    tencent_receipts,
    wechat_receipt,
    wechat_signature_matches,
)
from aftersales.notifications.senders import PermanentSendError
from aftersales.notifications.services import notification_deliver, notification_queue

pytestmark = pytest.mark.django_db

TOKEN = "k3Vq9-receipts-secret"
WECHAT_TOKEN = "wechat-server-token"
ACCEPTING = "tests.notifications.test_receipts.AcceptingSender"


class AcceptingSender:
    """A provider that accepts every message and names it (BizId, SerialNo, msgid)."""

    def send(self, notification: Notification) -> None:
        notification.provider_ref = f"ref-{notification.pk}"


class RefusingSender:
    def send(self, notification: Notification) -> None:
        raise PermanentSendError("Aliyun SMS isv.MOBILE_NUMBER_ILLEGAL: 非法手机号", "isv.MOBILE_NUMBER_ILLEGAL")


@pytest.fixture(autouse=True)
def receipts_on(settings):
    settings.SMS_RECEIPT_TOKEN = TOKEN
    settings.WECHAT_TOKEN = WECHAT_TOKEN
    settings.NOTIFICATION_SENDERS = {"sms": ACCEPTING, "wechat": ACCEPTING}


def sent(channel: str = NotificationChannel.SMS, recipient: str = "+8613812345678", template: str = "ticket_received"):
    row = notification_queue(
        channel=channel, template=template, recipient=recipient, subject="", body="尊敬的张伟：……", language="zh-hans"
    )
    done = notification_deliver(notification_id=row.pk)
    assert done.status == NotificationStatus.SENT and done.delivery == DeliveryStatus.SENT
    return done


def aliyun_report(row: Notification, *, success: bool = True, code: str = "DELIVERED", phone: str = "13812345678") -> list:
    """Aliyun's documented SmsReport shape (HTTP batch push)."""
    return [
        {
            "phone_number": phone,
            "send_time": "2026-11-22 10:00:01",
            "report_time": "2026-11-22 10:00:05",
            "success": success,
            "err_code": code,
            "err_msg": "用户接收成功" if success else "用户停机",
            "sms_size": "1",
            "biz_id": row.provider_ref,
            "out_id": str(row.pk),
        }
    ]


def tencent_report(row: Notification, *, status: str = "SUCCESS", code: str = "DELIVRD", mobile: str = "13812345678") -> list:
    """Tencent's documented status callback shape (短信下发状态通知)."""
    return [
        {
            "user_receive_time": "2026-11-22 10:00:05",
            "nationcode": "86",
            "mobile": mobile,
            "report_status": status,
            "errmsg": code,
            "description": "用户短信送达成功" if status == "SUCCESS" else "用户停机",
            "sid": row.provider_ref,
        }
    ]


def post_json(path: str, payload: object) -> object:
    return Client().post(path, data=json.dumps(payload, ensure_ascii=False), content_type="application/json")


def wechat_query(token: str = WECHAT_TOKEN, timestamp: str = "1764000000", nonce: str = "n0nce") -> str:
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324 - WeChat's scheme
    return f"signature={signature}&timestamp={timestamp}&nonce={nonce}"


def wechat_event(openid: str, msgid: str, status: str) -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>1764000005</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"
        f"<MsgID>{msgid}</MsgID><Status><![CDATA[{status}]]></Status></xml>"
    ).encode()


# --- The payload shapes ------------------------------------------------------------------------


def test_aliyuns_report_push_is_read_as_documented():
    [receipt] = aliyun_receipts(
        json.dumps(
            [
                {
                    "phone_number": "13812345678",
                    "send_time": "2017-01-01 00:00:00",
                    "report_time": "2017-01-01 00:00:03",
                    "success": False,
                    "err_code": "MOBILE_NOT_ON_SERVICE",
                    "err_msg": "停机",
                    "sms_size": "1",
                    "biz_id": "12345^0",
                    "out_id": "67890",
                }
            ]
        ).encode()
    )
    assert (receipt.notification_id, receipt.provider_ref, receipt.delivered) == (67890, "12345^0", False)
    assert (receipt.code, receipt.detail, receipt.address) == ("MOBILE_NOT_ON_SERVICE", "停机", "13812345678")
    assert receipt.at == dt.datetime(2017, 1, 1, 0, 0, 3, tzinfo=CHINA)


def test_tencents_status_callback_and_its_pulled_statuses_are_read_as_documented():
    [pushed] = tencent_receipts(
        b'[{"user_receive_time": "2015-10-17 08:03:04", "nationcode": "86", "mobile": "13800000000",'
        b' "report_status": "FAIL", "errmsg": "UNDELIV", "description": "\\u7528\\u6237\\u505c\\u673a", "sid": "2028:41"}]'
    )
    assert (pushed.notification_id, pushed.provider_ref, pushed.delivered, pushed.code) == (None, "2028:41", False, "UNDELIV")
    assert (pushed.detail, pushed.address) == ("用户停机", "+8613800000000")
    [pulled] = tencent_receipts(
        [{"SerialNo": "2028:42", "ReportStatus": "SUCCESS", "SessionContext": "17", "UserReceiveTime": "2026-11-22 10:00:05"}]
    )
    assert (pulled.notification_id, pulled.provider_ref, pulled.delivered, pulled.code) == (17, "2028:42", True, "DELIVRD")


def test_wechats_template_result_is_read_and_other_events_are_left_alone():
    receipt = wechat_receipt(wechat_event("oAbc123", "200163836", "failed:user block"))
    assert receipt is not None
    assert (receipt.provider_ref, receipt.delivered, receipt.code, receipt.address) == (
        "200163836",
        False,
        "failed:user block",
        "oAbc123",
    )
    subscribe = b"<xml><MsgType>event</MsgType><Event>subscribe</Event><FromUserName>oAbc</FromUserName></xml>"
    assert wechat_receipt(subscribe) is None


@pytest.mark.parametrize("body", [b"not json", b'{"x": [1]}x', b"[1, 2]", b'[{"phone_number": "1"}]'])
def test_a_body_of_another_shape_is_malformed(body):
    with pytest.raises(MalformedReceipt):
        aliyun_receipts(body)


def test_the_codes_are_said_in_the_readers_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(reason_for("UNDELIV")) == "号码已停机"
        assert str(reason_for("failed: user block")) == "客户已拒收公众号消息"
        assert str(reason_for("XY:0099")) == "服务商代码 XY:0099"
    with translation.override("en"):
        assert str(reason_for("UNDELIV")) == "number out of service"
        assert str(reason_for("XY:0099")) == "the provider's code XY:0099"


# --- The callbacks ----------------------------------------------------------------------------


def test_an_aliyun_push_settles_its_message_and_answers_as_aliyun_asks():
    row = sent()
    response = post_json(f"/notifications/receipts/aliyun/{TOKEN}/", aliyun_report(row))
    assert response.status_code == 200
    assert response.json() == {"code": 0, "msg": "接收成功"}
    row.refresh_from_db()
    assert (row.delivery, row.delivery_code, row.delivery_detail) == (DeliveryStatus.DELIVERED, "DELIVERED", "用户接收成功")
    assert row.delivered_at == dt.datetime(2026, 11, 22, 10, 0, 5, tzinfo=CHINA)


def test_a_tencent_callback_fails_its_message_with_the_carriers_code():
    row = sent()
    response = post_json(f"/notifications/receipts/tencent/{TOKEN}/", tencent_report(row, status="FAIL", code="UNDELIV"))
    assert response.status_code == 200
    assert response.json() == {"result": 0, "errmsg": "OK"}
    row.refresh_from_db()
    assert (row.delivery, row.delivery_code, row.delivery_detail) == (DeliveryStatus.FAILED, "UNDELIV", "用户停机")
    assert row.status == NotificationStatus.SENT  # the provider did accept it: the receipt says what became of it


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_wrong_secret_is_refused_and_changes_nothing(provider, caplog):
    row = sent()
    payload = aliyun_report(row, success=False, code="UNDELIV") if provider == "aliyun" else tencent_report(row, status="FAIL")
    with caplog.at_level(logging.WARNING, logger="aftersales.notifications"):
        response = post_json(f"/notifications/receipts/{provider}/{TOKEN}x/", payload)
    assert response.status_code == 403
    assert "wrong token" in caplog.text
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT


def test_without_a_secret_configured_the_sms_callbacks_are_off(settings):
    settings.SMS_RECEIPT_TOKEN = ""
    row = sent()
    assert post_json("/notifications/receipts/aliyun/anything/", aliyun_report(row)).status_code == 404
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT


def test_a_malformed_push_is_refused_with_400():
    response = Client().post(f"/notifications/receipts/aliyun/{TOKEN}/", data=b"<xml/>", content_type="application/json")
    assert response.status_code == 400


def test_a_repeated_or_contradicting_receipt_changes_nothing():
    row = sent(template="fieldservice.appointment")
    failed = aliyun_report(row, success=False, code="UNDELIV")
    assert post_json(f"/notifications/receipts/aliyun/{TOKEN}/", failed).status_code == 200
    row.refresh_from_db()
    first = (row.delivery, row.delivery_code, row.delivered_at)
    # The provider pushes the same report again (no answer seen), then a late "delivered" one.
    assert post_json(f"/notifications/receipts/aliyun/{TOKEN}/", failed).status_code == 200
    assert post_json(f"/notifications/receipts/aliyun/{TOKEN}/", aliyun_report(row)).status_code == 200
    row.refresh_from_db()
    assert (row.delivery, row.delivery_code, row.delivered_at) == first == (DeliveryStatus.FAILED, "UNDELIV", first[2])


def test_a_receipt_for_a_message_this_site_did_not_send_is_ignored_with_a_log_line(caplog):
    row = sent()
    unknown = Receipt("aliyun", NotificationChannel.SMS, row.pk + 1000, "nobody", False, "UNDELIV", "", None, "")
    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        assert receipt_record(receipt=unknown) is None
        response = post_json(f"/notifications/receipts/tencent/{TOKEN}/", [{**tencent_report(row)[0], "sid": "no-such-sid"}])
    assert response.status_code == 200  # answered, so that the provider does not push it again
    assert caplog.text.count("did not send") == 2
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT


def test_a_receipt_that_names_another_number_or_another_message_id_is_ignored():
    row = sent()
    post_json(f"/notifications/receipts/aliyun/{TOKEN}/", aliyun_report(row, success=False, phone="13999998888"))
    mismatched = aliyun_report(row, success=False)
    mismatched[0]["biz_id"] = "someone-elses-bizid"
    post_json(f"/notifications/receipts/aliyun/{TOKEN}/", mismatched)
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT
    # A number the provider shows masked still matches on the digits it shows.
    post_json(f"/notifications/receipts/aliyun/{TOKEN}/", aliyun_report(row, phone="1381234****"))
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.DELIVERED


def test_wechat_checks_its_signature_on_the_address_check_and_on_each_event():
    ok = Client().get(f"/notifications/receipts/wechat/?{wechat_query()}&echostr=ping-42")
    assert (ok.status_code, ok.content) == (200, b"ping-42")
    assert Client().get(f"/notifications/receipts/wechat/?{wechat_query(token='guess')}&echostr=x").status_code == 403

    row = sent(channel=NotificationChannel.WECHAT, recipient="oAbc123")
    event = wechat_event("oAbc123", row.provider_ref, "failed:user block")
    forged = Client().post(f"/notifications/receipts/wechat/?{wechat_query(token='guess')}", data=event, content_type="text/xml")
    assert forged.status_code == 403
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT

    answered = Client().post(f"/notifications/receipts/wechat/?{wechat_query()}", data=event, content_type="text/xml")
    assert (answered.status_code, answered.content) == (200, b"success")
    row.refresh_from_db()
    assert (row.delivery, row.delivery_code) == (DeliveryStatus.FAILED, "failed:user block")


def test_wechats_signature_is_sha1_of_the_sorted_token_timestamp_and_nonce():
    # token "token", timestamp "1409304348", nonce "xxxxxx": sorted → "1409304348tokenxxxxxx".
    expected = hashlib.sha1(b"1409304348tokenxxxxxx").hexdigest()  # noqa: S324 - WeChat's scheme
    assert wechat_signature_matches(token="token", signature=expected, timestamp="1409304348", nonce="xxxxxx")
    assert not wechat_signature_matches(token="token", signature=expected, timestamp="1409304349", nonce="xxxxxx")
    assert not wechat_signature_matches(token="", signature=expected, timestamp="1409304348", nonce="xxxxxx")


def test_a_refusal_at_sending_is_a_failed_delivery_with_the_providers_code(settings):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.notifications.test_receipts.RefusingSender"}
    row = notification_queue(
        channel=NotificationChannel.SMS,
        template="ticket_received",
        recipient="+8613812345678",
        subject="",
        body="…",
        language="zh-hans",
    )
    done = notification_deliver(notification_id=row.pk)
    assert (done.status, done.delivery, done.delivery_code) == (
        NotificationStatus.FAILED,
        DeliveryStatus.FAILED,
        "isv.MOBILE_NUMBER_ILLEGAL",
    )
    assert str(reason_for(done.delivery_code)) in {"the number does not exist", "号码不存在"}
    # Not a message that matters (the intake's "received"): nothing more is set off.
    assert not AuditEvent.objects.filter(action="notifications.delivery_failed").exists()


def test_in_app_messages_are_delivered_when_stored_and_email_waits_as_sent():
    inbox = notification_queue(
        channel=NotificationChannel.IN_APP, template="x", recipient="1", subject="s", body="b", language="zh-hans"
    )
    email = notification_queue(
        channel=NotificationChannel.EMAIL, template="x", recipient="a@example.com", subject="s", body="b", language="zh-hans"
    )
    assert notification_deliver(notification_id=inbox.pk).delivery == DeliveryStatus.DELIVERED
    assert notification_deliver(notification_id=email.pk).delivery == DeliveryStatus.SENT
