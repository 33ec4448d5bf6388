"""Housekeeping of the app's sign-in tokens (docs/api.md, "The customer signs in to the app"):
a refused token says whether it expired or was revoked (only to whoever holds its whole secret),
a sign-in past API_SIGNIN_TOKENS_PER_CUSTOMER signs the oldest device out, and the daily job
deletes tokens expired or revoked more than API_SIGNIN_TOKEN_KEEP_DAYS ago."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.accounts.models import DataScope, Role, User
from aftersales.api.models import ApiKey, KeyKind
from aftersales.api.services import api_key_create, api_key_revoke
from aftersales.api.signin import APP_SCOPES
from aftersales.api.tasks import purge_sign_in_tokens
from aftersales.audit.models import AuditEvent
from aftersales.core.schedule import PERIODIC_JOBS
from aftersales.notifications.models import Notification
from tests.api.conftest import ApiClient
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"


@pytest.fixture(autouse=True)
def _codes_at_once(settings: Any) -> None:
    settings.PHONE_CODE_RESEND_SECONDS = 0


def customer(phone: str = PHONE, username: str = "zhao.min") -> User:
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, username=username)
    CustomerFactory(phone=phone, user=user, name="赵敏")
    return user


def sign_in(device: str, phone: str = PHONE) -> dict[str, Any]:
    """The app's sign-in: a code by SMS, exchanged for a token."""
    client = ApiClient(None)
    assert client.post("/api/v1/auth/code", {"phone": phone}).status_code == 202
    sms = Notification.objects.filter(template=PHONE_CODE_TEMPLATE, recipient=phone).latest("pk")
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.body)
    assert code
    answer = client.post("/api/v1/auth/token", {"phone": phone, "code": code.group(1), "device_name": device})
    assert answer.status_code == 201, answer.json()
    body: dict[str, Any] = answer.json()
    return body


def token(user: User, *, expires_in: dt.timedelta = dt.timedelta(days=90), kind: str = KeyKind.SIGN_IN) -> ApiKey:
    expires = timezone.now() + expires_in if kind == KeyKind.SIGN_IN else None
    return api_key_create(name="device", owner=user, scopes=APP_SCOPES, actor=user, kind=kind, expires_at=expires).key


def refusal(secret: str, language: str = "en") -> dict[str, Any]:
    response = ApiClient(secret, language=language).get("/api/v1/me")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    body: dict[str, Any] = response.json()
    return body


# --- Why a token is refused ----------------------------------------------------------------------


def test_an_expired_token_and_a_signed_out_one_are_told_apart() -> None:
    customer()
    expired, signed_out = sign_in("old phone"), sign_in("lost phone")
    ApiKey.objects.filter(pk=expired["token_id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    device = ApiClient(signed_out["token"])
    assert device.client.delete("/api/v1/auth/token", headers=device._headers(None)).status_code == 204

    late = refusal(expired["token"])
    assert (late["code"], late["detail"]) == ("api_key_expired", "The sign-in on this device has expired: sign in again.")
    gone = refusal(signed_out["token"])
    assert gone["code"] == "api_key_revoked" and gone["detail"].startswith("This device was signed out")
    assert refusal(expired["token"], language="zh-hans")["detail"] == "此设备上的登录已过期，请重新登录。"


def test_an_integration_key_says_so_and_a_wrong_secret_learns_nothing(world: dict[str, Any]) -> None:
    created = api_key_create(name="crm", owner=world["agent"], scopes=["tickets:read"], actor=None)
    api_key_revoke(key=created.key, actor=None)

    revoked = refusal(created.secret)
    assert (revoked["code"], revoked["detail"]) == (
        "api_key_revoked",
        "The API key was revoked: ask an administrator for a new key.",
    )
    forged = refusal(created.secret[:-4] + ("AAAA" if not created.secret.endswith("AAAA") else "BBBB"))
    assert (forged["code"], forged["detail"]) == ("invalid_api_key", "The API key is not valid or was revoked.")
    expiring = api_key_create(
        name="crm-2", owner=world["agent"], scopes=["tickets:read"], actor=None, expires_at=timezone.now() - dt.timedelta(days=1)
    )
    assert refusal(expiring.secret)["code"] == "api_key_expired"


# --- The limit of devices ------------------------------------------------------------------------


def test_a_sign_in_past_the_limit_signs_the_oldest_device_out(settings: Any) -> None:
    settings.API_SIGNIN_TOKENS_PER_CUSTOMER = 2
    user = customer()
    neighbour = customer(phone="+8613912340001", username="neighbour")
    theirs = token(neighbour)
    integration = token(user, kind=KeyKind.INTEGRATION)  # a key staff made for them: no device
    expired = token(user, expires_in=dt.timedelta(seconds=-1))  # no longer signed in: not counted
    first, second = sign_in("phone 1"), sign_in("phone 2")
    assert ApiClient(first["token"]).get("/api/v1/me").status_code == 200

    third = sign_in("phone 3")

    assert refusal(first["token"])["code"] == "api_key_revoked"
    listed = ApiClient(third["token"]).get("/api/v1/me/tokens").json()
    assert [d["id"] for d in listed] == [third["token_id"], second["token_id"]]
    event = AuditEvent.objects.get(action="api.key_revoked", object_id=str(first["token_id"]))
    assert (event.actor, event.changes) == (user, {"reason": "device_limit"})
    untouched = ApiKey.objects.filter(pk__in=[theirs.pk, integration.pk, expired.pk], revoked_at__isnull=True)
    assert untouched.count() == 3


# --- The daily purge -----------------------------------------------------------------------------


def test_the_purge_deletes_tokens_expired_or_revoked_long_ago_and_nothing_else(settings: Any) -> None:
    settings.API_SIGNIN_TOKEN_KEEP_DAYS = 30
    user = customer()
    now = timezone.now()
    long_expired = token(user)
    long_revoked = token(user)
    lately_expired = token(user)
    lately_revoked = token(user)
    live = token(user)
    old_integration = token(user, kind=KeyKind.INTEGRATION)
    ApiKey.objects.filter(pk=long_expired.pk).update(expires_at=now - dt.timedelta(days=31))
    ApiKey.objects.filter(pk__in=[long_revoked.pk, old_integration.pk]).update(revoked_at=now - dt.timedelta(days=31))
    ApiKey.objects.filter(pk=lately_expired.pk).update(expires_at=now - dt.timedelta(days=29))
    api_key_revoke(key=lately_revoked, actor=user)

    assert purge_sign_in_tokens.call() == 2

    kept = set(ApiKey.objects.values_list("pk", flat=True))
    assert kept == {lately_expired.pk, lately_revoked.pk, live.pk, old_integration.pk}
    assert AuditEvent.objects.filter(action="api.key_created", object_id=str(long_expired.pk)).exists()  # history stays
    assert purge_sign_in_tokens.call() == 0  # idempotent


def test_the_purge_is_a_job_of_the_schedule() -> None:
    assert "aftersales.api.tasks.purge_sign_in_tokens" in {job.task_path for job in PERIODIC_JOBS}
