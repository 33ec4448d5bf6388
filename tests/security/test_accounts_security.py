"""Issue 21, item 3: sign-in throttling and lockout (django-axes) for staff and customers, and a
password reset by e-mail without user enumeration."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.audit.audit_actions import AccessAudit
from aftersales.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _try(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.parametrize("role", [Role.AGENT, Role.CUSTOMER])
def test_200_wrong_passwords_are_refused_after_the_limit_and_then_even_the_right_one(role, settings):
    user = UserFactory(role=role)
    client = Client()
    statuses = [_try(client, user.username, f"wrong-{n}").status_code for n in range(200)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, "wrong password"
    assert set(statuses[limit:]) == {429}
    # Locked: the right password does not get in either, and the page says why (translated).
    response = _try(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert 'data-test-id="login-locked-out"' in html
    assert "登录失败次数过多" in html
    client.cookies["django_language"] = "en"
    assert "Too many failed sign-in attempts" in _try(client, user.username, PASSWORD).content.decode()
    assert AuditEvent.objects.filter(action=AccessAudit.LOGIN_LOCKED_OUT).exists()


def test_a_lockout_does_not_touch_another_account_and_a_success_resets_the_count():
    alice, bob = UserFactory(), UserFactory()
    client = Client()
    for n in range(10):
        _try(client, alice.username, f"wrong-{n}")
    response = _try(client, bob.username, PASSWORD)
    assert response.status_code == 302
    # Fewer failures than the limit, then a success: the count starts again.
    carol = UserFactory()
    other = Client()
    for n in range(4):
        _try(other, carol.username, f"wrong-{n}")
    assert _try(other, carol.username, PASSWORD).status_code == 302
    other.post(reverse("accounts:logout"))
    for n in range(4):
        assert _try(other, carol.username, f"wrong-{n}").status_code == 200


def test_an_administrator_unlocks_an_account():
    from axes.utils import reset

    user = UserFactory()
    client = Client()
    for n in range(6):
        _try(client, user.username, f"wrong-{n}")
    assert _try(client, user.username, PASSWORD).status_code == 429
    reset(username=user.username)  # what admin → Axes → access attempts → delete does
    assert _try(client, user.username, PASSWORD).status_code == 302


# --- Password reset --------------------------------------------------------------------------


def _link(message) -> str:
    found = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body)
    assert found, message.body
    return found.group(0)


@override_settings(AFTERSALES_SITE_URL="https://service.example.com")
@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CUSTOMER])
def test_a_password_reset_sends_an_absolute_link_that_sets_a_new_password(role):
    user = UserFactory(role=role, email="wang@example.com", language="en")
    client = Client()
    page = client.get(reverse("accounts:login"))
    assert reverse("accounts:password_reset") in page.content.decode()
    response = client.post(reverse("accounts:password_reset"), {"email": "WANG@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wang@example.com"]
    assert message.subject == "Reset your password"  # the user's language
    link = _link(message)
    assert link.startswith("https://service.example.com/accounts/password/reset/")
    path = link.removeprefix("https://service.example.com")
    form = client.get(path, follow=True)
    assert 'data-test-id="password-reset-confirm-form"' in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"})
    assert done.status_code == 302
    assert _try(Client(), user.username, "a-new-Secret-42").status_code == 302
    # Used once: the link is dead now.
    assert 'data-test-id="password-reset-invalid"' in Client().get(path, follow=True).content.decode()


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing():
    UserFactory(email="known@example.com")
    client = Client()
    known = client.post(reverse("accounts:password_reset"), {"email": "known@example.com"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    sent = client.get(known["Location"]).content.decode()
    assert 'data-test-id="password-reset-sent"' in sent
    assert "如果该地址属于某个账户" in sent


def test_reset_requests_are_limited_per_address():
    UserFactory(email="many@example.com")
    client = Client()
    for _ in range(8):
        assert client.post(reverse("accounts:password_reset"), {"email": "many@example.com"}).status_code == 302
    assert len(mail.outbox) == 5


def test_a_new_password_lifts_the_lockout():
    user = UserFactory(email="locked@example.com")
    client = Client()
    for n in range(6):
        _try(client, user.username, f"wrong-{n}")
    assert _try(client, user.username, PASSWORD).status_code == 429
    client.post(reverse("accounts:password_reset"), {"email": "locked@example.com"})
    path = "/" + _link(mail.outbox[0]).split("/", 3)[3]
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"})
    assert _try(Client(), user.username, "a-new-Secret-42").status_code == 302
