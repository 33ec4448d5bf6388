"""The password reset SMS hands the provider's template its values (``code``, ``minutes``) on the
outbox row, not read back out of the message's text; the code is masked in both once settled."""

from __future__ import annotations

import re
import uuid

import pytest

from aftersales.accounts.models import Role
from aftersales.accounts.sms_reset import sms_reset_request
from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.providers.common import message_values
from aftersales.notifications.services import notification_deliver, notification_queue
from aftersales.portal.receivers import sms_reset_code_issued
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"resetparams-{uuid.uuid4().hex}"}
    }


def test_the_reset_sms_carries_its_code_and_minutes_as_values_masked_once_sent(settings):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.accounts.helpers.RecordingSms"}
    user = UserFactory(phone=PHONE)
    sms_reset_code_issued(user=user, phone=PHONE, code="482913", language="en", minutes=15)
    row = Notification.objects.get(template="password_reset_sms", channel=NotificationChannel.SMS)
    assert row.params == {"code": "482913", "minutes": "15"}
    assert "482913" in row.body and "15 minutes" in row.body

    done = notification_deliver(notification_id=row.pk)
    assert done.status == NotificationStatus.SENT
    done.refresh_from_db()
    assert done.params == {"code": "******", "minutes": "15"} and "482913" not in done.body


def test_the_code_of_a_real_reset_request_is_the_one_in_the_values():
    user = UserFactory(role=Role.CUSTOMER, username="wang.dama", email="", language="zh-hans")
    CustomerFactory(user=user, name="王大妈", phone=PHONE, email="")
    assert sms_reset_request(phone=PHONE, client_ip="10.0.0.1", language="zh-hans")
    row = Notification.objects.get(template="password_reset_sms")
    in_text = re.search(r"(?<!\d)\d{6}(?!\d)", row.body)
    assert in_text and row.params["code"] == in_text.group(0)
    assert row.params["minutes"].isdigit() and row.params["minutes"] in row.body


def test_values_are_no_longer_read_out_of_a_reset_messages_text():
    row = notification_queue(
        channel=NotificationChannel.SMS,
        template="password_reset_sms",
        recipient=PHONE,
        subject="",
        body="您的密码重置验证码为 482913，10 分钟内有效。",
        language="zh-hans",
    )
    values = message_values(row)
    assert "code" not in values and "minutes" not in values
