"""The subscription form offers every event of the catalogue under its label, in the reader's
language (Chinese by default, English too), and subscribes to the new ones."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.webhooks.models import Subscription
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LABELS = {
    "plan.offered": ("Plan offered to the customer", "方案已提交客户"),
    "plan.agreed": ("Plan accepted by the customer", "客户已接受方案"),
    "plan.declined": ("Plan declined by the customer", "客户已拒绝方案"),
    "survey.answered": ("Survey answered", "满意度调查已回复"),
    "return.status_changed": ("Return (RMA) status changed", "退换货状态变更"),
    "refund.requested": ("Refund requested", "退款已申请"),
    "refund.status_changed": ("Refund status changed", "退款状态变更"),
    "compensation.requested": ("Compensation requested", "补偿已申请"),
    "compensation.status_changed": ("Compensation status changed", "补偿状态变更"),
    "appointment.scheduled": ("Appointment scheduled", "上门预约已安排"),
    "customer.updated": ("Customer contact data changed", "客户联系信息变更"),
    "notification.failed": ("Customer notification undelivered", "客户通知未送达"),
}


def _page(language: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, language=language))
    response = client.get(reverse("webhooks:list"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_new_events_are_offered_in_chinese() -> None:
    page = _page("zh-hans")
    for event, (english, chinese) in LABELS.items():
        assert f'value="{event}"' in page
        assert chinese in page and english not in page, event


def test_the_new_events_are_offered_in_english() -> None:
    page = _page("en")
    for event, (english, chinese) in LABELS.items():
        assert f'value="{event}"' in page
        assert english in page and chinese not in page, event


def test_an_administrator_subscribes_to_them(settings) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    client = Client()
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    response = client.post(
        reverse("webhooks:list"),
        {"name": "微信后台", "target_url": "http://127.0.0.1:9/hook", "event_types": ["plan.offered", "notification.failed"]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Subscription.objects.get().event_types == ["plan.offered", "notification.failed"]
