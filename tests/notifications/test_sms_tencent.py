"""Tencent Cloud SMS (providers/tencent.py, the official SDK) against a local fake of
sms.tencentcloudapi.com (the SDK's endpoint set to it): the TC3-HMAC-SHA256 signed request, the
kind's template with its values in order, the E.164 number, and what each answer does to the
outbox row. No request leaves the machine."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest
from django.core import checks

from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.senders import TransientSendError
from aftersales.notifications.services import notification_deliver, notification_queue
from tests.factories import make_ticket
from tests.notifications.provider_server import Answer, FakeProvider, closed_port_url

pytestmark = pytest.mark.django_db

SITE = "https://service.example.cn"
SECRET_ID = "AKID-test"
SECRET_KEY = "tencent-test-key"
TEMPLATES = {
    "ticket_received": {"template": "1001", "params": ["number", "link_path"]},
    "ticket_plan_offered": {"template": "1002", "params": {"1": "number", "2": "diagnosis"}},
}


def ok(phone: str = "+8613812345678") -> dict:
    status = {"SerialNo": "2028:4178131", "PhoneNumber": phone, "Fee": 1, "SessionContext": "", "Code": "Ok"}
    return {"Response": {"SendStatusSet": [{**status, "Message": "send success", "IsoCode": "CN"}], "RequestId": "r-ok"}}


def status_error(code: str, message: str) -> dict:
    answer = ok()
    answer["Response"]["SendStatusSet"][0].update({"Code": code, "Message": message, "Fee": 0})
    return answer


def request_error(code: str, message: str) -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "r-err"}}


@pytest.fixture
def tencent(settings):
    server = FakeProvider()
    settings.SMS_PROVIDER = "tencent"
    settings.TENCENT_SMS_SECRET_ID = SECRET_ID
    settings.TENCENT_SMS_SECRET_KEY = SECRET_KEY
    settings.TENCENT_SMS_SDK_APP_ID = "1400000001"
    settings.TENCENT_SMS_SIGN_NAME = "安心售后"
    settings.TENCENT_SMS_REGION = "ap-shanghai"
    settings.TENCENT_SMS_ENDPOINT = server.url
    settings.SMS_TEMPLATES = TEMPLATES
    settings.AFTERSALES_SITE_URL = SITE
    settings.NOTIFICATION_PROVIDER_TIMEOUT_SECONDS = 5
    yield server
    server.stop()


def sms_row(template: str = "ticket_received", recipient: str = "+8613812345678", **params: str) -> Notification:
    return notification_queue(
        channel=NotificationChannel.SMS,
        template=template,
        recipient=recipient,
        subject="",
        body="尊敬的张伟：……",
        language="zh-hans",
        params=params,
    )


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_signature(*, headers: dict[str, str], body: bytes, date: str, service: str = "sms") -> str:
    """TC3-HMAC-SHA256 as Tencent Cloud's API 3.0 documents it, computed here independently."""
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers['content-type']}\nhost:{headers['host']}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{headers['x-tc-timestamp']}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _hmac(_hmac(_hmac(f"TC3{SECRET_KEY}".encode(), date), service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_the_ticket_number_goes_out_signed_with_its_template_and_values_in_order(tencent):
    tencent.on("/", ok())
    ticket = make_ticket()
    row = Notification.objects.get(ticket=ticket, channel=NotificationChannel.SMS, template="ticket_received")

    done = notification_deliver(notification_id=row.pk)

    assert (done.status, done.attempts) == (NotificationStatus.SENT, 1)
    [request] = tencent.requests
    headers = request.headers
    assert (headers["x-tc-action"], headers["x-tc-version"], headers["x-tc-region"]) == ("SendSms", "2021-01-11", "ap-shanghai")
    assert headers["host"] == tencent.host
    body = request.json()
    assert body["PhoneNumberSet"] == ["+8613812345678"]  # E.164
    assert (body["SmsSdkAppId"], body["SignName"], body["TemplateId"]) == ("1400000001", "安心售后", "1001")
    assert body["TemplateParamSet"] == [ticket.number, row.params["link"][len(SITE) + 1 :]]
    assert body["SessionContext"] == str(row.pk)
    auth = re.fullmatch(
        r"TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/sms/tc3_request, "
        r"SignedHeaders=content-type;host, Signature=(?P<sig>[0-9a-f]{64})",
        headers["authorization"],
    )
    assert auth is not None and auth["id"] == SECRET_ID
    assert auth["sig"] == tc3_signature(headers=headers, body=request.body, date=auth["date"])


def test_named_params_go_in_their_order(tencent):
    tencent.on("/", ok())
    row = sms_row(template="ticket_plan_offered", number="SH1", diagnosis="排水管堵塞，需上门清理")
    notification_deliver(notification_id=row.pk)
    assert tencent.requests[0].json()["TemplateParamSet"] == ["SH1", "排水管堵塞，需上门清理"]


def test_a_kind_without_a_template_is_skipped(tencent):
    tencent.on("/", ok())
    done = notification_deliver(notification_id=sms_row(template="survey", number="SH1").pk)
    assert done.status == NotificationStatus.SKIPPED
    assert "no SMS template configured for “survey”" in done.last_error
    assert tencent.requests == []


@pytest.mark.parametrize(
    "answer",
    [
        status_error("LimitExceeded.PhoneNumberThirtySecondLimit", "单个手机号30秒内下发短信条数超过设定的上限"),
        request_error("RequestLimitExceeded", "请求的次数超过了频率限制"),
        request_error("InternalError.Timeout", "请求下发短信超时"),
        Answer(b"bad gateway", status=502, content_type="text/html"),
    ],
)
def test_throttling_and_server_trouble_are_retried(tencent, answer):
    tencent.on("/", answer, ok())
    row = sms_row(number="SH1", link_path="portal/t/x/")

    with pytest.raises(TransientSendError):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert row.last_error.startswith("TransientSendError: Tencent SMS ")

    assert notification_deliver(notification_id=row.pk).status == NotificationStatus.SENT


def test_an_unreachable_endpoint_is_retried(tencent, settings):
    settings.TENCENT_SMS_ENDPOINT = closed_port_url()
    row = sms_row(number="SH1", link_path="portal/t/x/")
    with pytest.raises(TransientSendError, match="ClientNetworkError"):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING


@pytest.mark.parametrize(
    ("answer", "code", "message"),
    [
        (
            request_error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配"),
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "模板未审批或内容不匹配",
        ),
        (
            status_error("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"),
            "InvalidParameterValue.IncorrectPhoneNumber",
            "手机号格式错误",
        ),
        (
            request_error("AuthFailure.SignatureFailure", "请求签名验证失败"),
            "AuthFailure.SignatureFailure",
            "请求签名验证失败",
        ),
    ],
)
def test_a_refusal_fails_at_once_with_the_providers_message(tencent, answer, code, message):
    tencent.on("/", answer)
    row = sms_row(number="SH1", link_path="portal/t/x/")

    done = notification_deliver(notification_id=row.pk)

    assert (done.status, done.attempts) == (NotificationStatus.FAILED, 1)
    assert f"Tencent SMS {code}: {message}" in done.last_error
    assert len(tencent.requests) == 1


def test_a_number_that_does_not_exist_fails_without_a_request(tencent):
    tencent.on("/", ok())
    done = notification_deliver(notification_id=sms_row(recipient="+86123", number="SH1", link_path="x").pk)
    assert done.status == NotificationStatus.FAILED
    assert "does not exist" in done.last_error
    assert tencent.requests == []


def test_settings_problems_are_checked(tencent, settings):
    settings.TENCENT_SMS_SDK_APP_ID = ""
    settings.SMS_TEMPLATES = "{not json"
    messages = sorted(m.msg for m in checks.run_checks() if m.id == "notifications.W001")
    assert messages[0].startswith("sms (Tencent Cloud SMS): SMS_TEMPLATES is not valid JSON: ")
    assert messages[1] == "sms (Tencent Cloud SMS): TENCENT_SMS_SDK_APP_ID not set"
    settings.SMS_TEMPLATES = json.dumps(TEMPLATES)  # as the environment gives it
    settings.SMS_PROVIDER = "huawei"
    assert [m.msg for m in checks.run_checks() if m.id == "notifications.W001"] == [
        "sms (log only): SMS_PROVIDER='huawei' is none of aliyun, tencent"
    ]
