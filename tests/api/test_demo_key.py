"""The demo integration key: made with the demo data on a local machine, never in production."""

from __future__ import annotations

from io import StringIO

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.api.models import ApiKey
from aftersales.demo.api import DEMO_API_KEY, demo_api_key, load_api_demo
from tests.api.conftest import ApiClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_key_is_made_once_printed_and_works():
    UserFactory(username="agent", role=Role.AGENT, data_scope=DataScope.ALL)
    out = StringIO()
    load_api_demo(out)
    load_api_demo(out)
    assert ApiKey.objects.count() == 1
    assert out.getvalue().count(DEMO_API_KEY) == 2
    assert ApiClient(DEMO_API_KEY).get("/api/v1/me").json()["username"] == "agent"
    assert demo_api_key() == DEMO_API_KEY


def test_no_demo_key_without_the_demo_data():
    out = StringIO()
    load_api_demo(out)
    assert not ApiKey.objects.exists()
    assert out.getvalue() == ""
    assert demo_api_key() is None


def test_no_demo_key_in_production(settings):
    UserFactory(username="agent", role=Role.AGENT, data_scope=DataScope.ALL)
    settings.PRODUCTION = True
    out = StringIO()
    load_api_demo(out)
    assert not ApiKey.objects.exists()
    assert demo_api_key() is None
