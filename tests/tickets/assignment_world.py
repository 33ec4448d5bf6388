"""What the assignment tests share: the east region with its teams and people (``east``), the
rules' cache emptied around each test, and small helpers."""

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Role
from aftersales.notifications.models import Notification
from aftersales.tickets.models import (
    Ticket,
)
from aftersales.tickets.selectors.assignment import (
    RULES_CACHE_KEY,
)
from tests.factories import (
    RegionFactory,
    TeamFactory,
    UserFactory,
    make_ticket,
)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}


@pytest.fixture(autouse=True)
def _no_cached_rules():
    """The active rules are cached (Django's cache outlives a test's rolled-back rows)."""
    cache.delete(RULES_CACHE_KEY)
    yield
    cache.delete(RULES_CACHE_KEY)


@pytest.fixture
def east():
    """华东: a region with a child region (上海), two teams, a supervisor and agents."""
    region = RegionFactory(code="east", name="华东")
    shanghai = RegionFactory(code="shanghai", name="上海", parent=region)
    west = RegionFactory(code="west", name="华西")
    team = TeamFactory(name="华东一组", region=region)
    other_team = TeamFactory(name="华东二组", region=region)
    west_team = TeamFactory(name="华西一组", region=west)
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=region, display_name="周主管")
    director = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="总监")
    wang = UserFactory(role=Role.AGENT, team=team, region=region, display_name="王芳")
    li = UserFactory(role=Role.AGENT, team=team, region=region, display_name="李娜")
    zhao = UserFactory(role=Role.AGENT, team=other_team, region=region, display_name="赵敏")
    westerner = UserFactory(role=Role.AGENT, team=west_team, region=west, display_name="孙西")
    return {
        "region": region,
        "shanghai": shanghai,
        "west": west,
        "team": team,
        "other_team": other_team,
        "west_team": west_team,
        "supervisor": supervisor,
        "director": director,
        "wang": wang,
        "li": li,
        "zhao": zhao,
        "westerner": westerner,
    }


def _ticket(region=None, **overrides) -> Ticket:  # type: ignore[no-untyped-def]
    return make_ticket(region=region, **overrides)


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("assignee").get(pk=ticket.pk)


def _inbox(user) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(user=user).order_by("id"))
