"""The company's app signs its customer in through the API (docs/api-app.md, "Sign the customer
in"): the portal's SMS code for a per-device token (an API key of kind sign_in, the app's scopes,
an expiry), the same answer for every number, staff never; sign-up through the portal's service;
signing a device out, the customer's list of devices; audit rows and limits."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.accounts.models import DataScope, PhoneCode, Role, User
from aftersales.api.models import ApiKey, KeyKind
from aftersales.api.signin import APP_SCOPES
from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Customer
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.tickets.models import Ticket
from tests.api.conftest import ApiClient, api_client
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
TYPED = "139 1234 5678"
PASSWORD = "Xin-Mima-2026!"


@pytest.fixture(autouse=True)
def _codes_at_once(settings: Any) -> None:
    settings.PHONE_CODE_RESEND_SECONDS = 0  # a second device may ask at once (the limit has its own test)


def anonymous(language: str = "en") -> ApiClient:
    return ApiClient(None, language=language)


def customer(phone: str = PHONE, username: str = "zhao.min") -> User:
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, username=username)
    CustomerFactory(phone=phone, user=user, name="赵敏")
    return user


def last_code(phone: str = PHONE) -> str:
    sms = Notification.objects.filter(channel=NotificationChannel.SMS, template=PHONE_CODE_TEMPLATE, recipient=phone)
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.latest("pk").body)
    assert found
    return found.group(1)


def sms_count(phone: str = PHONE) -> int:
    return Notification.objects.filter(template=PHONE_CODE_TEMPLATE, recipient=phone).count()


def sign_in(device: str | None = "iPhone 15", phone: str = PHONE) -> Any:
    client = anonymous()
    asked = client.post("/api/v1/auth/code", {"phone": phone})
    assert asked.status_code == 202, asked.json()
    body: dict[str, Any] = {"phone": phone, "code": last_code(phone)}
    if device is not None:
        body["device_name"] = device
    return client.post("/api/v1/auth/token", body)


def delete(client: ApiClient, path: str) -> Any:
    return client.client.delete(path, headers=client._headers(None))


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_customer_signs_in_by_code_and_the_token_acts_as_them_with_the_apps_scopes(settings):
    settings.API_SIGNIN_TOKEN_DAYS = 30
    user = customer()

    answer = sign_in("iPhone 15 of 赵敏")

    assert answer.status_code == 201, answer.json()
    assert "no-store" in answer["Cache-Control"]
    body = answer.json()
    key = ApiKey.objects.get(pk=body["token_id"])
    assert (key.owner, key.kind, key.name, key.revoked_at) == (user, KeyKind.SIGN_IN, "iPhone 15 of 赵敏", None)
    assert body["token"].startswith(body["prefix"]) and body["device_name"] == "iPhone 15 of 赵敏"
    assert sorted(body["scopes"]) == sorted(APP_SCOPES) == sorted(key.scopes)
    assert body["customer_id"] == Customer.objects.get(user=user).pk and body["username"] == "zhao.min"
    left = key.expires_at - timezone.now()
    assert dt.timedelta(days=29, hours=23) < left <= dt.timedelta(days=30)
    me = ApiClient(body["token"]).get("/api/v1/me").json()
    assert (me["username"], me["customer"], me["via"], me["key_prefix"]) == ("zhao.min", True, "api_key", key.prefix)
    created = ApiClient(body["token"]).post(
        "/api/v1/tickets", {"channel": "app", "customer_name": "赵敏", "phone": PHONE, "description": "洗衣机不脱水。"}
    )
    assert created.status_code == 201, created.json()
    assert Ticket.objects.get(number=created.json()["number"]).customer.user == user
    event = AuditEvent.objects.get(action="api.key_created", object_id=str(key.pk))
    assert event.actor == user
    assert (event.changes["kind"], event.changes["via"], event.changes["owner"]) == ("sign_in", "sign_in", user.pk)
    assert body["token"] not in str(event.changes)
    assert PhoneCode.objects.get().used_at is not None  # the code is spent: it signs in once
    again = anonymous().post("/api/v1/auth/token", {"phone": TYPED, "code": last_code()})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "code"


def test_the_code_request_answers_alike_for_every_number_and_only_a_customer_gets_a_code():
    customer()
    UserFactory(role=Role.AGENT, phone="+8613912340000")  # staff sign in with password and second factor
    CustomerFactory(phone="+8613912341111")  # a customer without an account
    answers = [
        anonymous().post("/api/v1/auth/code", {"phone": phone}) for phone in (TYPED, "13912340000", "13912341111", "13700000000")
    ]

    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    assert answers[0].json()["detail"] == "If the number belongs to a customer's account, the code is on its way."
    assert answers[0].json()["code_minutes"] == 10
    assert [sms_count(p) for p in (PHONE, "+8613912340000", "+8613912341111", "+8613700000000")] == [1, 0, 0, 0]
    staff = anonymous().post("/api/v1/auth/token", {"phone": "13912340000", "code": "123456"})
    assert staff.status_code == 422 and [e["field"] for e in staff.json()["errors"]] == ["code"]
    assert not ApiKey.objects.exists()


def test_a_wrong_code_is_refused_on_its_field_and_counts_an_attempt():
    customer()
    anonymous().post("/api/v1/auth/code", {"phone": TYPED})

    refused = anonymous("zh-hans").post("/api/v1/auth/token", {"phone": TYPED, "code": wrong(last_code())})

    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == ["code"]
    assert "验证码错误或已过期" in refused.json()["errors"][0]["message"]
    assert PhoneCode.objects.get().attempts == 1
    assert sign_in_with_last_code().status_code == 201  # the right code still works


def sign_in_with_last_code() -> Any:
    return anonymous().post("/api/v1/auth/token", {"phone": TYPED, "code": last_code()})


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/auth/code", {"phone": "12345"}, "phone"),
        ("/api/v1/auth/code", {"phone": "010 6512 3456"}, "phone"),  # a landline gets no SMS
        ("/api/v1/auth/code", {"phone": TYPED, "purpose": "reset"}, "purpose"),
        ("/api/v1/auth/code", {"phone": TYPED, "admin": True}, "admin"),
        ("/api/v1/auth/token", {"phone": TYPED, "code": "12ab56"}, "code"),
        ("/api/v1/auth/token", {"phone": TYPED}, "code"),
        ("/api/v1/auth/token", {"phone": TYPED, "code": "123456", "device_name": "x" * 101}, "device_name"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(path, body, field):
    customer()
    answer = anonymous().post(path, body)
    assert answer.status_code == 422, answer.json()
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert sms_count() == 0 and not ApiKey.objects.exists()


def test_the_portals_limits_apply_with_retry_after(settings):
    customer()
    settings.PHONE_CODE_RESEND_SECONDS = 60
    assert anonymous().post("/api/v1/auth/code", {"phone": TYPED}).status_code == 202

    soon = anonymous().post("/api/v1/auth/code", {"phone": TYPED})
    assert soon.status_code == 429 and soon.json()["code"] == "code_resend_wait"
    assert 1 <= int(soon["Retry-After"]) <= 60 and soon.json()["errors"][0]["field"] == "phone"
    settings.PHONE_CODE_RESEND_SECONDS = 0
    settings.PHONE_CODE_PER_HOUR = 1
    often = anonymous().post("/api/v1/auth/code", {"phone": TYPED})
    assert often.status_code == 429 and often.json()["code"] == "throttled" and often["Retry-After"] == "3600"
    assert sms_count() == 1
    settings.PHONE_CODE_CHECK_PER_IP_HOUR = 1
    anonymous().post("/api/v1/auth/token", {"phone": TYPED, "code": wrong(last_code())})
    checks = anonymous().post("/api/v1/auth/token", {"phone": TYPED, "code": last_code()})
    assert checks.status_code == 429 and checks.json()["errors"][0]["field"] == "code"
    assert not ApiKey.objects.exists()


def test_the_app_signs_this_device_out_and_the_token_stops_at_once():
    user = customer()
    token = sign_in().json()["token"]
    app = ApiClient(token)

    assert delete(app, "/api/v1/auth/token").status_code == 204

    assert app.get("/api/v1/me").status_code == 401
    key = ApiKey.objects.get(owner=user)
    assert key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api.key_revoked", object_id=str(key.pk), actor=user).count() == 1


def test_an_integration_key_is_not_revoked_as_a_sign_out():
    user = customer()
    staff_made = api_client(user)  # a customer's key made by staff
    agent_key = api_client(UserFactory(role=Role.AGENT, data_scope=DataScope.ALL))
    for client in (staff_made, agent_key):
        refused = delete(client, "/api/v1/auth/token")
        assert refused.status_code == 403 and refused.json()["code"] == "sign_in_token_only"
        assert client.get("/api/v1/me").status_code == 200
    assert delete(anonymous(), "/api/v1/auth/token").status_code == 401


def test_the_customer_lists_their_devices_and_signs_one_out():
    user = customer()
    phone_token = sign_in("Huawei Mate 60").json()
    tablet_token = sign_in(None).json()  # no name: the User-Agent, else "app"
    other = customer(phone="+8613955556666", username="other")
    sign_in(phone="+8613955556666")
    phone_app = ApiClient(phone_token["token"])

    devices = phone_app.get("/api/v1/me/tokens").json()

    assert [(d["id"], d["device_name"], d["current"]) for d in devices] == [
        (tablet_token["token_id"], "app", False),
        (phone_token["token_id"], "Huawei Mate 60", True),
    ]
    assert all(d["expires_at"] and d["prefix"] for d in devices)
    assert delete(phone_app, f"/api/v1/me/tokens/{tablet_token['token_id']}").status_code == 204
    assert ApiClient(tablet_token["token"]).get("/api/v1/me").status_code == 401
    assert [d["id"] for d in phone_app.get("/api/v1/me/tokens").json()] == [phone_token["token_id"]]
    others = ApiKey.objects.get(owner=other)
    assert delete(phone_app, f"/api/v1/me/tokens/{others.pk}").status_code == 404  # never another's
    assert ApiKey.objects.get(pk=others.pk).revoked_at is None
    staff = api_client(UserFactory(role=Role.AGENT, data_scope=DataScope.ALL))
    assert staff.get("/api/v1/me/tokens").json()["code"] == "customer_only"
    assert user.api_keys.filter(revoked_at__isnull=True).count() == 1


def test_an_expired_token_is_refused_and_no_longer_listed():
    customer()
    body = sign_in().json()
    ApiKey.objects.filter(pk=body["token_id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert ApiClient(body["token"]).get("/api/v1/me").status_code == 401
    fresh = sign_in().json()
    listed = ApiClient(fresh["token"]).get("/api/v1/me/tokens").json()
    assert [d["id"] for d in listed] == [fresh["token_id"]]


# --- Sign-up -------------------------------------------------------------------------------------


def sign_up_code(phone: str = TYPED) -> str:
    asked = anonymous().post("/api/v1/auth/code", {"phone": phone, "purpose": "sign_up"})
    assert asked.status_code == 202 and asked.json()["purpose"] == "sign_up"
    return last_code()


def sign_up(code: str, **overrides: Any) -> Any:
    body = {"phone": TYPED, "code": code, "name": "王大妈", "password": PASSWORD, "privacy_accepted": True}
    body.update(overrides)
    return anonymous("zh-hans").post("/api/v1/auth/signup", body)


def test_a_new_customer_signs_up_through_the_app_and_gets_the_first_token():
    answer = sign_up(sign_up_code(), marketing=True, device_name="小米 14")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    record = Customer.objects.get(pk=body["customer_id"])
    user = record.user
    assert (record.phone, record.name, record.consent_contact, record.consent_marketing) == (PHONE, "王大妈", True, True)
    assert user.role == Role.CUSTOMER and user.check_password(PASSWORD) and user.language == "zh-hans"
    assert AuditEvent.objects.get(action="customer.portal_account_created", object_id=str(record.pk)).actor == user
    key = ApiKey.objects.get(pk=body["token_id"])
    assert (key.owner, key.kind, key.name) == (user, KeyKind.SIGN_IN, "小米 14")
    assert AuditEvent.objects.get(action="api.key_created", object_id=str(key.pk)).changes["via"] == "sign_up"
    assert ApiClient(body["token"]).get("/api/v1/me").json()["customer_id"] == record.pk


def test_a_known_customer_gets_the_account_linked():
    known = CustomerFactory(phone=PHONE, name="王秀英")
    answer = sign_up(sign_up_code())
    assert answer.status_code == 201 and answer.json()["customer_id"] == known.pk
    assert Customer.objects.count() == 1


def test_details_are_refused_before_the_code_is_spent_and_the_same_code_works_after_the_fix():
    code = sign_up_code()

    refused = sign_up(code, name="   ", password="123", privacy_accepted=False)

    assert refused.status_code == 422 and refused.json()["code"] == "signup_invalid"
    assert {e["field"] for e in refused.json()["errors"]} == {"name", "password", "privacy_accepted"}
    assert PhoneCode.objects.get().verified_at is None and not User.objects.exists()
    assert sign_up(code).status_code == 201


def test_a_phone_with_an_account_is_told_to_sign_in_and_a_wrong_code_changes_nothing():
    customer()
    wrong_code = sign_up(wrong(sign_up_code()))
    assert wrong_code.status_code == 422 and [e["field"] for e in wrong_code.json()["errors"]] == ["code"]

    exists = sign_up(last_code())

    assert exists.status_code == 409 and exists.json()["code"] == "portal_account_exists"
    assert User.objects.count() == 1 and not ApiKey.objects.exists()
