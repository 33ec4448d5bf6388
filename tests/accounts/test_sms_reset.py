"""Issue 21: password reset by SMS code for customers with a phone and no e-mail address — a
six-digit code sent through the notifications' SMS outbox, stored hashed, valid 10 minutes, five
attempts, throttled per phone and per client; then the code and a new password."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role, SmsResetCode, User
from aftersales.notifications.models import Notification, NotificationChannel
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
NEW_PASSWORD = "Xin-Mima-2026!"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"smsreset-{uuid.uuid4().hex}"}
    }


@pytest.fixture
def customer_user() -> User:
    user = UserFactory(role=Role.CUSTOMER, username="wang.dama", email="", language="zh-hans")
    CustomerFactory(user=user, name="王大妈", phone=PHONE, email="")
    return user


def _sms() -> list[Notification]:
    return list(Notification.objects.filter(channel=NotificationChannel.SMS, template="password_reset_sms").order_by("pk"))


def _code_of(notification: Notification) -> str:
    found = re.search(r"\b(\d{6})\b", notification.body)
    assert found, notification.body
    return found.group(1)


def _ask(client: Client, phone: str = "139 1234 5678"):
    return client.post(reverse("accounts:password_reset_sms"), {"phone": phone})


def _enter(client: Client, code: str, password: str = NEW_PASSWORD, again: str | None = None):
    data = {"code": code, "password": password, "password_again": again if again is not None else password}
    return client.post(reverse("accounts:password_reset_sms_code"), data)


def test_the_email_reset_page_links_the_sms_reset():
    html = Client().get(reverse("accounts:password_reset")).content.decode()
    assert reverse("accounts:password_reset_sms") in html


def test_a_code_by_sms_then_the_code_and_a_new_password(customer_user):
    client = Client()
    response = _ask(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_sms_code")
    (sms,) = _sms()
    assert sms.recipient == PHONE and sms.language == "zh-hans" and "验证码" in sms.body
    code = _code_of(sms)
    stored = SmsResetCode.objects.get()
    assert code not in stored.code_hash and stored.user == customer_user
    assert dt.timedelta(minutes=9) < stored.expires_at - stored.created_at <= dt.timedelta(minutes=10)
    page = client.get(reverse("accounts:password_reset_sms_code")).content.decode()
    assert "139****5678" in page and "13912345678" not in page  # the phone masked on the page
    done = _enter(client, code)
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    customer_user.refresh_from_db()
    assert customer_user.check_password(NEW_PASSWORD)
    assert SmsResetCode.objects.get().used_at is not None
    assert Client().login(username="wang.dama", password=NEW_PASSWORD)
    # Used up: the same code again changes nothing.
    again = Client()
    session = again.session
    session["sms_reset_phone"] = PHONE
    session.save()
    assert _enter(again, code, password="Another-One-2026!").status_code == 422
    customer_user.refresh_from_db()
    assert customer_user.check_password(NEW_PASSWORD)


def test_the_answer_is_the_same_for_unknown_phones_and_accounts_with_email(customer_user):
    other = UserFactory(role=Role.CUSTOMER, username="li.na", email="li.na@example.com")
    CustomerFactory(user=other, phone="+8613800001111", email="li.na@example.com")
    for phone in ("13700000000", "138 0000 1111"):
        response = _ask(Client(), phone)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_sms_code")
    assert _sms() == [] and not SmsResetCode.objects.exists()
    invalid = _ask(Client(), "12")
    assert invalid.status_code == 200 and "phone" in invalid.context["form"].errors


def test_a_wrong_code_counts_and_five_wrong_ones_kill_the_code(customer_user):
    client = Client()
    _ask(client)
    code = _code_of(_sms()[0])
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, 6):
        response = _enter(client, wrong)
        assert response.status_code == 422 and "code" in response.context["form"].errors
        assert SmsResetCode.objects.get().attempts == attempt
    # The right code after five wrong ones: dead.
    assert _enter(client, code).status_code == 422
    customer_user.refresh_from_db()
    assert not customer_user.check_password(NEW_PASSWORD)


def test_an_expired_code_is_refused_and_a_new_code_replaces_the_old(customer_user, settings):
    client = Client()
    _ask(client)
    first = _code_of(_sms()[0])
    SmsResetCode.objects.update(expires_at=SmsResetCode.objects.get().created_at)
    assert _enter(client, first).status_code == 422
    _ask(client)
    second = _code_of(_sms()[1])
    if second != first:
        assert _enter(client, first).status_code == 422
    assert _enter(client, second).status_code == 302


def test_a_weak_or_mismatched_password_is_refused_on_its_field(customer_user):
    client = Client()
    _ask(client)
    code = _code_of(_sms()[0])
    mismatch = _enter(client, code, again="Something-else-2026")
    assert mismatch.status_code == 422 and "password_again" in mismatch.context["form"].errors
    weak = _enter(client, code, password="123")
    assert weak.status_code == 422 and "password" in weak.context["form"].errors
    assert SmsResetCode.objects.get().used_at is None


def test_requests_are_throttled_per_phone_and_per_client(customer_user, settings):
    settings.SMS_RESET_PER_HOUR = 2
    settings.SMS_RESET_PER_IP_HOUR = 3
    for _ in range(4):
        assert _ask(Client()).status_code == 302  # the same answer, over the limit too
    assert len(_sms()) == 2
    other = UserFactory(role=Role.CUSTOMER, username="zhao", email="")
    CustomerFactory(user=other, phone="+8613700002222", email="")
    # The client (one REMOTE_ADDR in tests) already asked 4 times: over its limit of 3.
    _ask(Client(), "137 0000 2222")
    assert len(_sms()) == 2
    settings.SMS_RESET_CONFIRM_PER_IP_HOUR = 1
    client = Client()
    session = client.session
    session["sms_reset_phone"] = PHONE
    session.save()
    assert _enter(client, "000001").status_code == 422
    assert _enter(client, "000002").status_code == 429


def test_the_code_step_without_a_phone_goes_back_to_the_first_step():
    response = Client().get(reverse("accounts:password_reset_sms_code"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_sms")


def test_codes_dead_for_a_day_are_deleted_at_the_next_request(customer_user):
    _ask(Client())
    SmsResetCode.objects.update(expires_at=SmsResetCode.objects.get().created_at - dt.timedelta(days=2))
    _ask(Client())
    assert SmsResetCode.objects.count() == 1 and SmsResetCode.objects.get().expires_at > SmsResetCode.objects.get().created_at
