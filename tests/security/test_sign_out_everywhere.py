"""Issue 21, item 4: "sign out everywhere" — the user's own (other sessions end, this one stays)
and an administrator's for a user (every session ends); audited; sessions made before the
feature existed stay valid."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role, User
from aftersales.accounts.sessions import sign_out_everywhere
from aftersales.audit.audit_actions import AccessAudit
from aftersales.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-2026"


def _signed_in(user: User) -> Client:
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _user(**kwargs) -> User:
    user = UserFactory(data_scope=DataScope.ALL, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def _signed_in_still(client: Client) -> bool:
    return client.get(reverse("tickets:list")).status_code == 200


def test_the_user_ends_every_other_session_and_keeps_this_one():
    user = _user(role=Role.AGENT)
    phone, laptop, tablet = _signed_in(user), _signed_in(user), _signed_in(user)
    assert all(_signed_in_still(c) for c in (phone, laptop, tablet))
    response = laptop.post(reverse("accounts:sign_out_elsewhere"))
    assert response.status_code == 200
    assert 'data-test-id="signed-out-elsewhere"' in response.content.decode()
    assert _signed_in_still(laptop)
    assert not _signed_in_still(phone) and not _signed_in_still(tablet)
    assert AuditEvent.objects.filter(action=AccessAudit.SIGNED_OUT_EVERYWHERE, actor=user).count() == 1
    # A new sign-in afterwards works as usual.
    assert _signed_in_still(_signed_in(user))


def test_an_administrator_ends_every_session_of_a_user():
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    leaving = _user(role=Role.TECHNICIAN)
    session = _signed_in(leaving)
    assert session.get(reverse("fieldservice:my_jobs")).status_code == 200
    client = Client()
    client.force_login(admin)
    changelist = reverse("admin:accounts_user_changelist")
    response = client.post(changelist, {"action": "sign_out_everywhere", "_selected_action": [leaving.pk]})
    assert response.status_code == 302
    assert session.get(reverse("fieldservice:my_jobs")).status_code == 302  # back to sign in
    event = AuditEvent.objects.get(action=AccessAudit.SIGNED_OUT_EVERYWHERE)
    assert event.actor == admin
    assert client.get(changelist).status_code == 200  # the administrator stays signed in


def test_sessions_from_before_keep_working_until_the_first_sign_out_everywhere():
    user = _user(role=Role.AGENT)
    before = _signed_in(user)
    assert user.session_epoch == 0 and _signed_in_still(before)
    sign_out_everywhere(user=user)
    assert not _signed_in_still(before)
    # A password change also ends them (Django's own rule), at any generation.
    after = _signed_in(user)
    user.set_password("another-long-password-2026")
    user.save()
    assert not _signed_in_still(after)
