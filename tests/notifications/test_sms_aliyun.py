"""Aliyun SMS (providers/aliyun.py) against a local fake of the Dysmsapi endpoint: the signed
request as Aliyun documents it, the kind's template and values, the number's format, and what
each answer does to the outbox row (sent; skipped without a template; retried when throttled or
unreachable; failed at once when refused). No request leaves the machine."""

from __future__ import annotations

import json

import pytest
from django.core import checks
from django.core.management import CommandError, call_command

from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.providers.aliyun import signature
from aftersales.notifications.senders import TransientSendError
from aftersales.notifications.services import notification_deliver, notification_queue
from aftersales.portal.receivers import sms_reset_code_issued
from tests.factories import UserFactory, make_ticket
from tests.notifications.provider_server import Answer, FakeProvider, closed_port_url

pytestmark = pytest.mark.django_db

SITE = "https://service.example.cn"
SECRET = "aliyun-test-secret"
TEMPLATES = {
    "ticket_received": {"template": "SMS_0001", "params": {"number": "number", "path": "link_path"}},
    "password_reset_sms": {"template": "SMS_0002", "params": ["code"]},
    "survey": {"template": "SMS_0003", "params": {"number": "number"}, "by_language": {"en": "SMS_0103"}},
}
OK = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990"}


@pytest.fixture
def aliyun(settings):
    server = FakeProvider()
    settings.SMS_PROVIDER = "aliyun"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "LTAI-test-id"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = SECRET
    settings.ALIYUN_SMS_SIGN_NAME = "安心售后"
    settings.ALIYUN_SMS_ENDPOINT = server.url + "/"
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


def test_the_signature_is_aliyuns_documented_example():
    """Aliyun's signature document signs this SendSms request with "testSecret" to
    zJDF+Lrzhj/ThnlvIToysFRq6t4= (GET)."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert signature(params, "testSecret", method="GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_the_ticket_number_goes_out_with_its_template_values_and_a_valid_signature(aliyun):
    aliyun.on("/", OK)
    ticket = make_ticket()
    row = Notification.objects.get(ticket=ticket, channel=NotificationChannel.SMS, template="ticket_received")

    delivered = notification_deliver(notification_id=row.pk)

    assert (delivered.status, delivered.attempts, delivered.last_error) == (NotificationStatus.SENT, 1, "")
    [request] = aliyun.requests
    assert request.method == "POST"
    form = request.form()
    assert {k: form[k] for k in ("Action", "Version", "Format", "RegionId", "SignatureMethod", "SignatureVersion")} == {
        "Action": "SendSms",
        "Version": "2017-05-25",
        "Format": "JSON",
        "RegionId": "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
    }
    assert form["AccessKeyId"] == "LTAI-test-id"
    assert form["PhoneNumbers"] == "13812345678"  # E.164 +8613812345678 without the +86
    assert form["SignName"] == "安心售后"
    assert form["TemplateCode"] == "SMS_0001"
    assert form["OutId"] == str(row.pk)
    link = row.params["link"]
    assert link.startswith(f"{SITE}/portal/t/")
    assert json.loads(form["TemplateParam"]) == {"number": ticket.number, "path": link[len(SITE) + 1 :]}
    unsigned = {k: v for k, v in form.items() if k != "Signature"}
    assert form["Signature"] == signature(unsigned, SECRET)
    assert form["Signature"] != signature(unsigned, "another-secret")


def test_a_kind_without_a_template_is_skipped_with_the_reason(aliyun):
    aliyun.on("/", OK)
    row = sms_row(template="ticket_rejected", number="SH20261122-000001", reason="超出服务范围")

    done = notification_deliver(notification_id=row.pk)

    assert done.status == NotificationStatus.SKIPPED
    assert "no SMS template configured for “ticket_rejected” (SMS_TEMPLATES)" in done.last_error
    assert aliyun.requests == []


def test_the_password_reset_code_is_sent_and_then_masked(aliyun):
    aliyun.on("/", OK)
    user = UserFactory(phone="+8613900001111")
    sms_reset_code_issued(user=user, phone="+8613900001111", code="482913", language="zh-hans", minutes=10)
    row = Notification.objects.get(template="password_reset_sms")

    done = notification_deliver(notification_id=row.pk)

    assert done.status == NotificationStatus.SENT
    form = aliyun.requests[0].form()
    assert (form["TemplateCode"], json.loads(form["TemplateParam"])) == ("SMS_0002", {"code": "482913"})
    assert "482913" not in done.body and "482913" not in json.dumps(done.params)


def test_a_code_passed_as_a_value_is_masked_once_settled(aliyun):
    aliyun.on("/", {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "R6"})
    row = sms_row(template="password_reset_sms", code="482913", minutes="10")

    done = notification_deliver(notification_id=row.pk)

    assert json.loads(aliyun.requests[0].form()["TemplateParam"]) == {"code": "482913"}
    assert (done.status, done.params) == (NotificationStatus.FAILED, {"code": "******", "minutes": "10"})
    done.refresh_from_db()
    assert done.params == {"code": "******", "minutes": "10"}


def test_the_customers_language_picks_its_template(aliyun):
    aliyun.on("/", OK)
    row = sms_row(template="survey", number="SH1")
    Notification.objects.filter(pk=row.pk).update(language="en")
    notification_deliver(notification_id=row.pk)
    assert aliyun.requests[0].form()["TemplateCode"] == "SMS_0103"


@pytest.mark.parametrize(
    ("e164", "sent_as"),
    [("+8613812345678", "13812345678"), ("0086 138 1234 5678", "13812345678"), ("+85261234567", "85261234567")],
)
def test_numbers_in_aliyuns_format(aliyun, e164, sent_as):
    aliyun.on("/", OK)
    row = sms_row(recipient=e164, number="SH1", link_path="portal/t/x/")
    notification_deliver(notification_id=row.pk)
    assert aliyun.requests[0].form()["PhoneNumbers"] == sent_as


def test_a_landline_fails_without_a_request(aliyun):
    aliyun.on("/", OK)
    row = sms_row(recipient="+861012345678", number="SH1", link_path="portal/t/x/")
    done = notification_deliver(notification_id=row.pk)
    assert (done.status, done.attempts) == (NotificationStatus.FAILED, 1)
    assert "not a mobile number" in done.last_error
    assert aliyun.requests == []


def test_throttling_is_retried_and_the_next_attempt_sends(aliyun):
    throttled = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1", "RequestId": "R1"}
    aliyun.on("/", throttled, OK)
    row = sms_row(number="SH1", link_path="portal/t/x/")

    with pytest.raises(TransientSendError):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert "isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1" in row.last_error

    assert notification_deliver(notification_id=row.pk).status == NotificationStatus.SENT
    assert len(aliyun.requests) == 2
    first, second = (r.form()["SignatureNonce"] for r in aliyun.requests)
    assert first != second


def test_a_server_error_without_an_answer_is_retried(aliyun):
    aliyun.on("/", Answer(b"<html>502 Bad Gateway</html>", status=502, content_type="text/html"))
    row = sms_row(number="SH1", link_path="portal/t/x/")
    with pytest.raises(TransientSendError, match="HTTP 502"):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING


def test_an_unreachable_endpoint_is_retried(aliyun, settings):
    settings.ALIYUN_SMS_ENDPOINT = closed_port_url() + "/"
    row = sms_row(number="SH1", link_path="portal/t/x/")
    with pytest.raises(TransientSendError, match="unreachable"):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "该账号下找不到对应模板", "RequestId": "R2"}),
        (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "R3"}),
        (400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched.", "RequestId": "R4"}),
    ],
)
def test_a_refusal_fails_at_once_with_the_providers_message(aliyun, status, answer):
    aliyun.on("/", Answer(json.dumps(answer, ensure_ascii=False).encode(), status=status))
    row = sms_row(number="SH1", link_path="portal/t/x/")

    done = notification_deliver(notification_id=row.pk)

    assert (done.status, done.attempts) == (NotificationStatus.FAILED, 1)
    assert f"Aliyun SMS {answer['Code']}: {answer['Message']} (RequestId {answer['RequestId']})" in done.last_error
    assert notification_deliver(notification_id=row.pk).attempts == 1  # not retried
    assert len(aliyun.requests) == 1


def test_a_value_the_message_lacks_fails_it(aliyun):
    aliyun.on("/", OK)
    row = sms_row(link_path="portal/t/x/")  # no number
    done = notification_deliver(notification_id=row.pk)
    assert done.status == NotificationStatus.FAILED
    assert "no value for number (template SMS_0001 of “ticket_received”)" in done.last_error
    assert aliyun.requests == []


def test_missing_credentials_fail_and_are_reported(aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = ""
    row = sms_row(number="SH1", link_path="portal/t/x/")
    done = notification_deliver(notification_id=row.pk)
    assert done.status == NotificationStatus.FAILED
    assert "ALIYUN_SMS_ACCESS_KEY_SECRET not set" in done.last_error
    warnings = [m for m in checks.run_checks() if m.id == "notifications.W001"]
    assert [m.msg for m in warnings] == ["sms (Aliyun SMS): ALIYUN_SMS_ACCESS_KEY_SECRET not set"]


def test_notifications_check_reports_and_sends_a_test(aliyun, settings, capsys):
    settings.SMS_TEMPLATES = {**TEMPLATES, "no_such_kind": "SMS_9", "survey": {"template": "SMS_3", "params": ["rating"]}}
    aliyun.on("/", OK)

    call_command("notifications_check")
    out = capsys.readouterr().out
    assert "sms: Aliyun SMS (aftersales.notifications.providers.aliyun.AliyunSmsSender)" in out
    assert 'problem: SMS_TEMPLATES["no_such_kind"]: not a kind of message sent to customers' in out
    assert 'problem: SMS_TEMPLATES["survey"]: no value rating in this message' in out
    assert "ticket_plan_offered" in out.split("skipped (no template):")[1]
    assert "wechat: log only" in out

    call_command("notifications_check", "--send-test", "--to", "13812345678")
    assert "Sent: ticket_received by sms to 13812345678" in capsys.readouterr().out
    form = aliyun.requests[0].form()
    assert (form["PhoneNumbers"], form["TemplateCode"]) == ("13812345678", "SMS_0001")
    assert json.loads(form["TemplateParam"])["number"] == "SH20261122-000001"  # the sample ticket number
    assert "OutId" not in form

    aliyun.on("/", {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "R5"})
    with pytest.raises(CommandError, match=r"Refused .*isv\.MOBILE_NUMBER_ILLEGAL"):
        call_command("notifications_check", "--send-test", "--to", "13812345678")


def test_check_deploy_notes_that_sms_only_go_to_the_log(settings):
    settings.SMS_PROVIDER = ""
    assert "notifications.I001" in [m.id for m in checks.run_checks(include_deployment_checks=True)]
    settings.SMS_PROVIDER = "aliyun"
    assert "notifications.I001" not in [m.id for m in checks.run_checks(include_deployment_checks=True)]
