"""``manage.py api_key`` speaks the operator's language: ``--language`` (default the site's,
``settings.LANGUAGE_CODE``) for every line it prints and every error it answers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from aftersales.accounts.models import DataScope, Role
from aftersales.api.models import ApiKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("api_key", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def owner():
    return UserFactory(username="crm-agent", role=Role.AGENT, data_scope=DataScope.ALL)


def test_in_english_when_asked(owner):
    created = _run("create", "--owner", "crm-agent", "--name", "CRM", "--scope", "tickets:read", "--language", "en")
    assert "API key created for" in created and "Store it now: it is not shown again." in created
    key = ApiKey.objects.get(name="CRM")
    assert "active" in _run("list", "--language", "en")
    assert _run("revoke", key.prefix, "--language", "en").startswith(f"Revoked {key}")
    assert "revoked" in _run("list", "--language", "en")
    with pytest.raises(CommandError, match="No user is called nobody"):
        _run("create", "--owner", "nobody", "--name", "x", "--language", "en")
    with pytest.raises(CommandError, match="No region has the code mars"):
        _run("create", "--owner", "crm-agent", "--name", "x", "--region", "mars", "--language", "en")
    with pytest.raises(CommandError, match="No API key has this prefix"):
        _run("revoke", "ask_nothing", "--language", "en")


def test_in_chinese_when_asked_and_by_default(owner):
    created = _run("create", "--owner", "crm-agent", "--name", "CRM", "--scope", "tickets:read", "--language", "zh-hans")
    assert "创建 API 密钥" in created
    assert "请立即保存：之后不会再次显示。" in created
    assert "启用" in _run("list")  # the site's language: Chinese
    key = ApiKey.objects.get(name="CRM")
    assert _run("revoke", key.prefix).startswith("已吊销")
    with pytest.raises(CommandError, match="没有名为 nobody 的用户"):
        _run("create", "--owner", "nobody", "--name", "x")


@override_settings(LANGUAGE_CODE="en")
def test_the_default_is_the_sites_language(owner):
    with pytest.raises(CommandError, match="No user is called nobody"):
        _run("create", "--owner", "nobody", "--name", "x")


def test_an_unknown_language_is_refused(owner):
    with pytest.raises(CommandError):
        _run("list", "--language", "fr")


def test_the_help_prints_in_the_active_language():
    """``manage.py api_key --help`` (the description argparse formats) once failed on a lazy text."""
    from django.core.management import load_command_class
    from django.utils import translation

    command = load_command_class("aftersales.api", "api_key")
    with translation.override("en"):
        english = command.create_parser("manage.py", "api_key").format_help()
    with translation.override("zh-hans"):
        chinese = command.create_parser("manage.py", "api_key").format_help()
    assert "Create, revoke or list API keys." in english
    assert "创建、吊销或列出 API 密钥。" in chinese


@pytest.mark.parametrize(
    "args",
    [
        ("--language", "en", "list"),  # before the subcommand
        ("list", "--language", "en"),  # after it
        ("--language=en", "list"),
        ("list", "--language=en"),
    ],
)
def test_the_language_is_taken_before_or_after_the_subcommand(owner, args):
    _run("create", "--owner", "crm-agent", "--name", "CRM", "--scope", "tickets:read")
    assert "active" in _run(*args)


def test_the_language_before_the_subcommand_also_says_the_errors(owner):
    with pytest.raises(CommandError, match="No user is called nobody"):
        _run("--language", "en", "create", "--owner", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="No API key has this prefix"):
        _run("--language", "en", "revoke", "ask_nothing")
    # Given in both places, the subcommand's (the nearer one) is taken.
    _run("create", "--owner", "crm-agent", "--name", "CRM", "--scope", "tickets:read")
    assert "启用" in _run("--language", "en", "list", "--language", "zh-hans")
