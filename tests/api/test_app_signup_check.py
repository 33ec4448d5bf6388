"""The app's sign-up and SMS pumping through the API (docs/api-app.md, "Sign the customer in"):
the second proof of a number whose record has a history (``history_answer`` with the same code,
``history_decline``), the daily cap per country with its alert, and no human check — the API
keeps its limits and the cap."""

from __future__ import annotations

import re
from typing import Any

import pytest

from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Customer, PhoneReuseFlag
from aftersales.notifications.models import Notification, NotificationChannel
from tests.api.conftest import ApiClient
from tests.factories import ProductUnitFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
TYPED = "139 1234 5678"
PASSWORD = "Xin-Mima-2026!"


@pytest.fixture(autouse=True)
def _codes_at_once(settings: Any) -> None:
    settings.PHONE_CODE_RESEND_SECONDS = 0


def anonymous(language: str = "en") -> ApiClient:
    return ApiClient(None, language=language)


def sign_up_code(phone: str = TYPED) -> str:
    asked = anonymous().post("/api/v1/auth/code", {"phone": phone, "purpose": "sign_up"})
    assert asked.status_code == 202, asked.json()
    sms = Notification.objects.filter(template=PHONE_CODE_TEMPLATE, recipient=PHONE).latest("pk")
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.body)
    assert found
    return found.group(1)


def sign_up(code: str, language: str = "en", **overrides: Any) -> Any:
    body = {"phone": TYPED, "code": code, "name": "新机主", "password": PASSWORD, "privacy_accepted": True}
    body.update(overrides)
    return anonymous(language).post("/api/v1/auth/signup", body)


def known_with_history() -> tuple[Customer, str]:
    ticket = make_ticket(phone=TYPED, customer_name="王秀英")
    customer = Customer.objects.get(pk=ticket.customer_id)
    ProductUnitFactory(customer=customer, serial_number="KFR35-2026-A7K3Q")
    return customer, ticket.number


def test_the_app_answers_the_second_proof_with_the_same_code_and_gets_the_record():
    known, number = known_with_history()
    code = sign_up_code()

    asked = sign_up(code)
    assert asked.status_code == 422 and asked.json()["code"] == "history_check_required"
    assert asked.json()["errors"][0]["field"] == "history_answer"
    assert "This number is in our records from earlier service" in asked.json()["detail"]

    wrong = sign_up(code, language="zh-hans", history_answer="李四")
    assert wrong.status_code == 422 and wrong.json()["code"] == "history_check_wrong"
    assert "还可以再试 2 次" in wrong.json()["errors"][0]["message"]

    done = sign_up(code, history_answer=number)
    assert done.status_code == 201, done.json()
    assert done.json()["linked"] is True and done.json()["customer_id"] == known.pk
    assert AuditEvent.objects.get(action="customer.phone_check_passed").actor_label == "channel:app"
    # The code is spent now: repeating the call is a wrong code.
    assert sign_up(code, history_answer=number).status_code == 422


def test_not_mine_in_the_app_opens_a_new_customer_and_flags_the_record():
    known, _number = known_with_history()
    code = sign_up_code()

    done = sign_up(code, history_decline=True)

    assert done.status_code == 201 and done.json()["linked"] is False
    assert done.json()["customer_id"] != known.pk
    flag = PhoneReuseFlag.objects.get()
    assert (flag.customer_id, flag.new_customer_id, flag.reason) == (known.pk, done.json()["customer_id"], "declined")


def test_the_last_wrong_answer_opens_the_account_without_the_records():
    known, _number = known_with_history()
    code = sign_up_code()
    assert sign_up(code, history_answer="张三").status_code == 422
    assert sign_up(code, history_answer="李四").status_code == 422

    done = sign_up(code, history_answer="王五")

    assert done.status_code == 201 and done.json()["linked"] is False
    assert PhoneReuseFlag.objects.get().reason == "failed"
    assert AuditEvent.objects.filter(action="customer.phone_check_locked", object_id=str(known.pk)).count() == 1


def test_a_new_number_signs_up_without_the_check_and_says_it_is_not_linked():
    done = sign_up(sign_up_code(), history_answer="whatever")
    assert done.status_code == 201 and done.json()["linked"] is False
    assert not PhoneReuseFlag.objects.exists()


def test_the_api_has_no_human_check_but_the_daily_cap_stops_it_and_alerts_once(settings):
    settings.PHONE_CODE_HUMAN_CHECK = "always"  # the web's: the app is trusted by its limits
    settings.PHONE_CODE_DAILY_CAPS = {"86": 2, "*": 0}
    admin = UserFactory(role=Role.ADMINISTRATOR, language="zh-hans")
    client = anonymous()
    for n in (1, 2):
        assert client.post("/api/v1/auth/code", {"phone": f"139 0000 000{n}", "purpose": "sign_up"}).status_code == 202

    refused = client.post("/api/v1/auth/code", {"phone": TYPED, "purpose": "sign_up"})
    abroad = client.post("/api/v1/auth/code", {"phone": "+44 7911 123456", "purpose": "sign_up"})

    assert refused.status_code == 429 and refused.json()["code"] == "code_daily_cap"
    assert 0 < int(refused["Retry-After"]) <= 86400
    assert abroad.status_code == 429  # "*": 0 — no codes abroad at all
    (alert,) = Notification.objects.filter(channel=NotificationChannel.IN_APP)
    assert alert.user == admin and "+86" in alert.subject and "上限" in alert.subject
