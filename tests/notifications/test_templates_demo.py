"""The templates demo: reply templates in both languages and one edited notification template;
a second run changes nothing."""

from __future__ import annotations

import io

import pytest

from aftersales.accounts.models import Role
from aftersales.demo.templates import load_templates_demo
from aftersales.notifications.models import NotificationTemplate, ReplyTemplate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once():
    UserFactory(role=Role.ADMINISTRATOR)
    UserFactory(role=Role.SUPERVISOR)
    load_templates_demo(io.StringIO())
    replies = set(ReplyTemplate.objects.values_list("language", flat=True))
    assert replies == {"zh-hans", "en"} and ReplyTemplate.objects.count() == 5
    edited = NotificationTemplate.objects.get()
    assert (edited.event, edited.channel, edited.version, edited.active) == ("fieldservice.on_the_way", "sms", 1, True)
    load_templates_demo(io.StringIO())
    assert ReplyTemplate.objects.count() == 5 and NotificationTemplate.objects.count() == 1
