"""Issue 21, item 4: optional two-step sign-in (TOTP, django-otp) for staff, required for the
roles in TWO_FACTOR_REQUIRED_ROLES (administrators in production); every change audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.audit_actions import AccessAudit
from aftersales.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-2026"


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _sign_in(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _user(role=Role.AGENT):
    user = UserFactory(role=role, data_scope=DataScope.ALL)
    user.set_password(PASSWORD)
    user.save()
    return user


def _set_up(client: Client, user) -> TOTPDevice:
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-test-id="two-factor-qr"' in html and "data:image/svg+xml;base64," in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp delays the next try after a wrong code (tested below)
    code = _code(device)
    done = client.post(reverse("accounts:two_factor_setup"), {"code": code})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    device.setup_code = code  # the code that confirmed it, for the replay test
    return device


def test_a_user_sets_it_up_and_then_every_sign_in_asks_for_the_code():
    user = _user()
    client = _sign_in(user)
    device = _set_up(client, user)
    assert AuditEvent.objects.filter(action=AccessAudit.SECOND_FACTOR_ON, actor=user).count() == 1

    again = _sign_in(user)
    page = again.get(reverse("tickets:list"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert again.get("/api/v1/tickets").status_code == 401  # the API does not take a half-signed session
    wrong = again.post(reverse("accounts:two_factor_verify"), {"code": "12 34 5x", "next": "/tickets/"})
    assert wrong.status_code == 200 and "六位数字" in wrong.content.decode()
    device.refresh_from_db()
    ok = again.post(reverse("accounts:two_factor_verify"), {"code": _code(device, drift=1), "next": "/tickets/"})
    assert ok.status_code == 302 and ok["Location"] == "/tickets/"
    assert again.get(reverse("tickets:list")).status_code == 200
    assert again.get("/api/v1/tickets").status_code == 200


def test_a_wrong_code_is_refused_audited_and_a_used_code_does_not_work_twice():
    user = _user()
    device = _set_up(_sign_in(user), user)
    client = _sign_in(user)
    bad = "000000" if _code(device) != "000000" else "111111"
    response = client.post(reverse("accounts:two_factor_verify"), {"code": bad})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AccessAudit.SECOND_FACTOR_WRONG, actor=user).count() == 1
    assert client.get(reverse("tickets:list")).status_code == 302
    # Right after a wrong code even the right one waits (django-otp's throttle)…
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.post(reverse("accounts:two_factor_verify"), {"code": _code(device, drift=1)}).status_code == 200
    # …and the code that confirmed the set-up was used: replaying it is refused (the exact code,
    # not the current one: a 30-second step may have passed since, and a new step's code is fresh).
    used = device.setup_code
    device.refresh_from_db()
    device.throttle_reset()
    replay = client.post(reverse("accounts:two_factor_verify"), {"code": used})
    assert replay.status_code == 200
    assert client.get(reverse("tickets:list")).status_code == 302


def test_an_external_next_is_not_followed():
    user = _user()
    device = _set_up(_sign_in(user), user)
    client = _sign_in(user)
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": _code(device, drift=1), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_required_role_must_set_it_up_before_any_page_and_cannot_turn_it_off(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ("administrator",)
    admin = _user(Role.ADMINISTRATOR)
    client = _sign_in(admin)
    page = client.get(reverse("tickets:list"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert 'data-test-id="two-factor-required"' in client.get(reverse("accounts:two_factor_setup")).content.decode()
    _set_up(client, admin)
    assert client.get(reverse("tickets:list")).status_code == 200
    refused = client.post(reverse("accounts:two_factor_disable"))
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_an_optional_user_turns_it_off_and_signs_in_with_the_password_alone():
    user = _user()
    client = _sign_in(user)
    _set_up(client, user)
    assert client.post(reverse("accounts:two_factor_disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action=AccessAudit.SECOND_FACTOR_OFF, actor=user).count() == 1
    assert _sign_in(user).get(reverse("tickets:list")).status_code == 200


def test_the_pages_are_in_chinese_by_default():
    user = _user()
    client = _sign_in(user)
    html = client.get(reverse("accounts:security"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "两步登录" in html
    assert "Two-step sign-in" not in html
