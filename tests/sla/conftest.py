from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.accounts.models import DataScope, Role
from tests.factories import UserFactory

SH = ZoneInfo("Asia/Shanghai")
MONDAY_0900 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def supervisor():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="supervisor")


@pytest.fixture
def agent():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.OWN, username="agent")
