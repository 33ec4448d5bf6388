"""The first account of a real company: ``manage.py create_administrator`` (password from the
environment or typed twice, validated; ``--promote`` for an existing account) and
``createsuperuser``, both making an administrator who sees every ticket and customers' phones."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.urls import reverse

from aftersales.accounts.management.commands import create_administrator
from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.models import AuditEvent
from tests.clients import client_for
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db

PASSWORD = "Kf7-lantern-orbit-42"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_administrator", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def assert_administrator(user: User) -> None:
    assert user.role == Role.ADMINISTRATOR and user.data_scope == DataScope.ALL
    assert user.is_superuser and user.is_staff and user.is_active


def ticket_total(user: User) -> int:
    html = client_for(user).get(reverse("tickets:list")).content.decode()
    found = re.search(r'data-test-id="ticket-total"[^>]*>\D*(\d+)', html)
    assert found
    return int(found.group(1))


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_password_from_the_environment_makes_a_working_administrator(monkeypatch):
    monkeypatch.setenv(create_administrator.PASSWORD_VARIABLE, PASSWORD)
    out = run("--username", "boss", "--email", "boss@acme.com.cn", "--display-name", "王总", "--no-input")
    boss = User.objects.get(username="boss")
    assert_administrator(boss)
    assert boss.email == "boss@acme.com.cn" and boss.display_name == "王总"
    assert authenticate(username="boss", password=PASSWORD) == boss
    assert "boss" in out and "/admin/" in out
    row = AuditEvent.objects.get(action="account.administrator_created", object_id=str(boss.pk))
    assert row.actor_id is None and row.actor_label == "manage.py create_administrator"
    assert row.changes == {"role": "administrator", "data_scope": "all", "is_superuser": True}
    make_ticket()  # registered by someone else: the administrator sees it, and the phone unmasked
    assert ticket_total(boss) == 1
    assert boss.sees_personal_data


def test_without_a_password_or_a_terminal_nothing_is_created(monkeypatch):
    monkeypatch.delenv(create_administrator.PASSWORD_VARIABLE, raising=False)
    with pytest.raises(CommandError, match=create_administrator.PASSWORD_VARIABLE):
        run("--username", "boss", "--no-input")
    with pytest.raises(CommandError, match="--username"):
        run("--no-input")
    assert not User.objects.exists()


def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv(create_administrator.PASSWORD_VARIABLE, "12345678")
    with pytest.raises(CommandError):
        run("--username", "boss", "--no-input")
    assert not User.objects.exists()


def test_in_a_terminal_it_asks_for_the_name_and_the_password_twice(monkeypatch):
    monkeypatch.delenv(create_administrator.PASSWORD_VARIABLE, raising=False)
    monkeypatch.setattr(create_administrator.sys, "stdin", FakeTerminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "boss")
    typed = iter([PASSWORD, "a typo", PASSWORD, PASSWORD])  # the first pair differs: asked again
    monkeypatch.setattr(create_administrator.getpass, "getpass", lambda prompt: next(typed))
    run()
    boss = User.objects.get(username="boss")
    assert_administrator(boss)
    assert boss.check_password(PASSWORD)
    assert next(typed, None) is None


def test_an_existing_account_is_refused_unless_promoted(monkeypatch):
    monkeypatch.delenv(create_administrator.PASSWORD_VARIABLE, raising=False)
    agent = UserFactory(username="boss", role=Role.AGENT, data_scope=DataScope.OWN, password="old-pass-phrase-77")
    with pytest.raises(CommandError, match="--promote"):
        run("--username", "boss", "--no-input")
    with pytest.raises(CommandError):
        run("--username", "nobody", "--promote", "--no-input")
    run("--username", "boss", "--promote", "--no-input")  # no variable: the password stays
    agent.refresh_from_db()
    assert_administrator(agent)
    promoted = AuditEvent.objects.get(action="account.administrator_promoted", object_id=str(agent.pk))
    assert promoted.changes["role"] == ["agent", "administrator"] and promoted.changes["data_scope"] == ["own", "all"]
    assert agent.check_password("old-pass-phrase-77")
    monkeypatch.setenv(create_administrator.PASSWORD_VARIABLE, PASSWORD)
    run("--username", "boss", "--promote", "--no-input")
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_createsuperuser_makes_an_administrator_who_sees_everything(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--username", "boss", "--email", "boss@acme.com.cn", stdout=io.StringIO())
    boss = User.objects.get(username="boss")
    assert_administrator(boss)
    make_ticket()
    assert ticket_total(boss) == 1  # not "共 0 张工单" as an agent with scope "own" saw
    assert boss.sees_personal_data


def test_a_superuser_made_in_code_keeps_a_role_and_scope_given_to_it():
    user = User.objects.create_superuser(
        "auditor", "auditor@acme.com.cn", PASSWORD, role=Role.SUPERVISOR, data_scope=DataScope.REGION
    )
    assert user.role == Role.SUPERVISOR and user.data_scope == DataScope.REGION
    assert user.is_superuser and user.is_staff  # a superuser may use /admin/ whatever the role
