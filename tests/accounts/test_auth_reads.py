"""The session store and the user backend with precompiled reads keep Django's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.auth import SessionStore, UserBackend
from aftersales.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Pw-for-tests-123!"


def _signed_in(user) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_signed_in_staff_reach_their_page_and_the_session_round_trips():
    client = _signed_in(UserFactory(role=Role.AGENT))
    assert client.get(reverse("tickets:list")).status_code == 200
    store = SessionStore(client.session.session_key)
    assert store.load()["_auth_user_id"]
    assert store.session_key is not None


def test_an_expired_session_signs_the_user_out():
    client = _signed_in(UserFactory(role=Role.AGENT))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None
    response = client.get(reverse("tickets:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_deactivated_or_deleted_user_is_signed_out():
    user = UserFactory(role=Role.AGENT)
    client = _signed_in(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("tickets:list")).status_code == 302
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user("not-a-number") is None
    assert UserBackend().get_user(user.pk + 10_000) is None


def test_a_password_change_ends_other_sessions():
    user = UserFactory(role=Role.AGENT)
    client = _signed_in(user)
    user.set_password("Another-Pw-456!")
    user.save()
    assert client.get(reverse("tickets:list")).status_code == 302


def test_login_with_a_wrong_password_fails():
    user = UserFactory(role=Role.AGENT)
    user.set_password(PASSWORD)
    user.save()
    assert not Client().login(username=user.username, password="wrong")
