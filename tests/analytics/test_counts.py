"""The dashboard's maintained aggregates equal a GROUP BY over the tickets after any sequence of
the services that change what they count; and the page is scoped and bounded in queries."""

from __future__ import annotations

import contextlib
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.analytics.selectors import dashboard_grid_for_user
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.tickets.choices import Priority
from aftersales.tickets.counts import ticket_counts_rebuild
from aftersales.tickets.models import Ticket, TicketCategory, TicketCount
from aftersales.tickets.process.verification import ticket_classify, ticket_merge
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import TRANSITIONS, TicketStatus
from tests.clients import client_for
from tests.factories import CustomerFactory, RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def aggregates() -> Counter:
    result: Counter = Counter()
    for row in TicketCount.objects.all():
        result[(row.status, row.category_key, row.region_key)] += row.n
    return +result  # drop zero sums


def group_by() -> Counter:
    return Counter(
        {
            (s, c or 0, r or 0): n
            for (s, c, r), n in Counter(Ticket.objects.values_list("status", "category_id", "region_id")).items()
        }
    )


def test_random_operations_keep_the_aggregates_equal_to_a_group_by():
    rng = random.Random(20261124)
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, is_superuser=True)
    regions = [RegionFactory(), RegionFactory(), None]
    categories = list(TicketCategory.objects.all())
    customers = [CustomerFactory(region=r) for r in regions]
    for step in range(60):
        op = rng.random()
        tickets = list(Ticket.objects.all())
        if op < 0.35 or not tickets:
            customer = rng.choice(customers)
            make_ticket(
                phone=customer.phone,
                customer_name=customer.name,
                category_code=rng.choice(categories).code if rng.random() < 0.7 else "",
                region=rng.choice(regions),
            )
        elif op < 0.7:
            ticket = rng.choice(tickets)
            allowed = sorted(TRANSITIONS.get(ticket.status_enum, ()))
            if allowed:
                ticket_transition(ticket=ticket, to_status=rng.choice(allowed), actor=boss)
        elif op < 0.85:
            ticket = rng.choice(tickets)
            with contextlib.suppress(DomainError):  # a final ticket refuses: nothing may change
                ticket_classify(
                    ticket=ticket,
                    actor=boss,
                    category=rng.choice([*categories, None]),
                    nature="",
                    severity="",
                    request_type="repair",
                    priority=Priority.NORMAL,
                )
        else:
            a, b = rng.sample(tickets, 2) if len(tickets) > 1 else (tickets[0], tickets[0])
            with contextlib.suppress(DomainError):
                ticket_merge(ticket=a, into=b, actor=boss)
        assert aggregates() == group_by(), f"after step {step}"
    assert Ticket.objects.count() > 10
    assert len({t.status for t in Ticket.objects.all()}) > 2


def test_rebuild_recomputes_from_the_tickets():
    make_ticket(phone="13900001111")
    make_ticket(phone="13900001112")
    TicketCount.objects.all().update(n=99)
    call_command("rebuild_ticket_counts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert aggregates() == group_by()
    assert ticket_counts_rebuild() == len(group_by())


def test_grid_is_scoped_by_region_and_refuses_team_scope():
    north, south = RegionFactory(), RegionFactory()
    make_ticket(phone="13900002221", region=north)
    make_ticket(phone="13900002222", region=north)
    make_ticket(phone="13900002223", region=south)
    everyone = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    regional = UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.REGION, region=north)
    assert dashboard_grid_for_user(user=everyone).total == 3
    grid = dashboard_grid_for_user(user=regional)
    assert grid.total == 2
    registered = next(r for r in grid.rows if r.status == TicketStatus.REGISTERED)
    assert registered.total == 2
    with pytest.raises(PermissionDenied):
        dashboard_grid_for_user(user=UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.TEAM))
    with pytest.raises(PermissionDenied):
        dashboard_grid_for_user(user=UserFactory(role=Role.AGENT, data_scope=DataScope.ALL))


def test_dashboard_page_and_nav_link():
    make_ticket(phone="13900003331")
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    response = client_for(boss).get(reverse("analytics:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="dashboard-grid"' in html and 'data-test-id="nav-dashboard"' in html
    assert 'data-test-id="grid-total"><strong>1<' in html
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    agent_client = client_for(agent)
    assert agent_client.get(reverse("analytics:dashboard")).status_code == 403
    assert 'data-test-id="nav-dashboard"' not in agent_client.get(reverse("tickets:list")).content.decode()


def test_dashboard_query_count_does_not_depend_on_the_number_of_tickets():
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    client = client_for(boss)
    url = reverse("analytics:dashboard")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    categories = list(TicketCategory.objects.all())
    for i in range(5):
        make_ticket(phone=f"139000044{i:02d}", category_code=categories[i % len(categories)].code)
    few = count()
    for i in range(5, 50):
        make_ticket(phone=f"139000044{i:02d}", category_code=categories[i % len(categories)].code, region=RegionFactory())
    assert count() == few
