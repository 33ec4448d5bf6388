"""Receipts fetched where the provider cannot push (``SMS_RECEIPT_POLL``, delivery.receipts_poll):
Aliyun's QuerySendDetails per message, Tencent's PullSmsSendStatus, against local fakes of their
endpoints; the job does nothing while polling is off. No request leaves the machine."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.core import clock
from aftersales.notifications.delivery import receipts_poll
from aftersales.notifications.models import DeliveryStatus, Notification, NotificationChannel
from aftersales.notifications.services import notification_deliver, notification_queue
from aftersales.notifications.tasks import poll_delivery_receipts
from tests.notifications.provider_server import FakeProvider

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(minutes=10)


@pytest.fixture
def server(settings):
    fake = FakeProvider()
    settings.NOTIFICATION_SENDERS = {"sms": "tests.notifications.test_receipts.AcceptingSender"}
    settings.SMS_RECEIPT_POLL = True
    settings.NOTIFICATION_PROVIDER_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


@pytest.fixture
def aliyun(settings, server):
    settings.SMS_PROVIDER = "aliyun"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "LTAI-test-id"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "aliyun-test-secret"
    settings.ALIYUN_SMS_SIGN_NAME = "安心售后"
    settings.ALIYUN_SMS_ENDPOINT = server.url + "/"
    return server


@pytest.fixture
def tencent(settings, server):
    settings.SMS_PROVIDER = "tencent"
    settings.TENCENT_SMS_SECRET_ID = "AKID-test"
    settings.TENCENT_SMS_SECRET_KEY = "tencent-test-key"
    settings.TENCENT_SMS_SDK_APP_ID = "1400000001"
    settings.TENCENT_SMS_SIGN_NAME = "安心售后"
    settings.TENCENT_SMS_ENDPOINT = server.url
    return server


def sent_sms(recipient: str = "+8613812345678") -> Notification:
    row = notification_queue(
        channel=NotificationChannel.SMS, template="ticket_received", recipient=recipient, subject="", body="…", language="zh-hans"
    )
    return notification_deliver(notification_id=row.pk)


def query_answer(row: Notification, status: int, code: str) -> dict:
    detail = {
        "PhoneNum": "13812345678",
        "SendStatus": status,
        "ErrCode": code,
        "TemplateCode": "SMS_0001",
        "Content": "【安心售后】……",
        "SendDate": "2026-11-22 10:00:01",
        "ReceiveDate": "2026-11-22 10:00:05",
        "OutId": str(row.pk),
    }
    return {
        "Code": "OK",
        "Message": "OK",
        "RequestId": "q-1",
        "TotalCount": 1,
        "SmsSendDetailDTOs": {"SmsSendDetailDTO": [detail]},
    }


def test_aliyun_is_asked_for_each_sent_message_by_its_bizid_number_and_day(aliyun):
    row = sent_sms()
    aliyun.on("/", query_answer(row, 2, "MOBILE_NOT_ON_SERVICE"))

    assert receipts_poll(now=clock.now() + LATER) == 1

    [request] = aliyun.to("/")
    form = request.form()
    assert (form["Action"], form["BizId"], form["PhoneNumber"]) == ("QuerySendDetails", row.provider_ref, "13812345678")
    assert form["SendDate"] == row.sent_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y%m%d")
    assert form["Signature"]
    row.refresh_from_db()
    assert (row.delivery, row.delivery_code) == (DeliveryStatus.FAILED, "MOBILE_NOT_ON_SERVICE")


def test_aliyun_waiting_for_its_receipt_leaves_the_message_sent(aliyun):
    row = sent_sms()
    aliyun.on("/", query_answer(row, 1, ""))
    assert receipts_poll(now=clock.now() + LATER) == 0
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT


def test_tencents_pulled_statuses_settle_their_messages_by_session_context(tencent):
    delivered, failed = sent_sms(), sent_sms("+8613900001111")
    statuses = [
        {"SerialNo": delivered.provider_ref, "ReportStatus": "SUCCESS", "SessionContext": str(delivered.pk),
         "UserReceiveTime": "2026-11-22 10:00:05", "PhoneNumber": "+8613812345678", "Description": "用户短信送达成功"},
        {"SerialNo": failed.provider_ref, "ReportStatus": "FAIL", "SessionContext": str(failed.pk),
         "UserReceiveTime": "2026-11-22 10:00:06", "PhoneNumber": "+8613900001111", "Description": "用户停机"},
    ]  # fmt: skip
    tencent.on("/", {"Response": {"PullSmsSendStatusSet": statuses, "RequestId": "p-1"}})

    assert receipts_poll(now=clock.now() + LATER) == 2

    [request] = tencent.to("/")
    assert request.headers["x-tc-action"] == "PullSmsSendStatus"
    assert request.json() == {"Limit": 100, "SmsSdkAppId": "1400000001"}
    delivered.refresh_from_db()
    failed.refresh_from_db()
    assert delivered.delivery == DeliveryStatus.DELIVERED
    assert (failed.delivery, failed.delivery_detail) == (DeliveryStatus.FAILED, "用户停机")


def test_the_job_asks_nobody_while_polling_is_off(aliyun, settings):
    settings.SMS_RECEIPT_POLL = False
    row = sent_sms()
    aliyun.on("/", query_answer(row, 3, "DELIVERED"))
    assert poll_delivery_receipts.call() == 0
    assert aliyun.requests == []


def test_a_provider_that_cannot_answer_ends_the_run_quietly(aliyun):
    row = sent_sms()
    aliyun.on("/", {"Code": "isp.SYSTEM_ERROR", "Message": "system error", "RequestId": "q-2"})
    assert receipts_poll(now=clock.now() + LATER) == 0
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT
