"""Everyone sees only what they may (SPEC §4): scopes, the customer's own tickets, hidden events."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser

from aftersales.accounts.models import DataScope, Role
from aftersales.core.errors import NotFound
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import (
    attachment_get_for_user,
    ticket_attachments,
    ticket_get_for_user,
    ticket_timeline,
    tickets_visible_to,
)
from aftersales.tickets.services import ticket_add_attachment, ticket_add_note, ticket_assign
from tests.factories import CustomerFactory, ProductUnitFactory, RegionFactory, TeamFactory, UserFactory, make_ticket
from tests.tickets.media import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Tickets in every relation to one agent: assigned, created, in the team, in the region, other."""
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    team, other_team = TeamFactory(region=east), TeamFactory(region=west)
    agent = UserFactory(team=team, region=east)
    supervisor = UserFactory(role=Role.SUPERVISOR)
    assigned = make_ticket(phone="13800000001")
    ticket_assign(ticket=assigned, assignee=agent, actor=supervisor)
    created = make_ticket(actor=agent, phone="13800000002")
    in_team = make_ticket(team=team, region=west, phone="13800000003")
    in_region = make_ticket(region=east, team=other_team, phone="13800000004")
    other = make_ticket(region=west, team=other_team, phone="13800000005")
    return {
        "agent": agent,
        "team": team,
        "region": east,
        "tickets": {"assigned": assigned, "created": created, "team": in_team, "region": in_region, "other": other},
    }


def _visible(user, world) -> set[str]:
    ids = set(tickets_visible_to(user).values_list("pk", flat=True))
    return {name for name, ticket in world["tickets"].items() if ticket.pk in ids}


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (DataScope.OWN, {"assigned", "created"}),
        (DataScope.TEAM, {"assigned", "created", "team"}),
        (DataScope.REGION, {"assigned", "created", "region"}),
        (DataScope.ALL, {"assigned", "created", "team", "region", "other"}),
    ],
)
def test_staff_see_tickets_by_their_data_scope(world, scope, expected):
    agent = world["agent"]
    agent.data_scope = scope
    agent.save(update_fields=["data_scope"])
    assert _visible(agent, world) == expected


def test_a_team_or_region_scope_without_a_team_or_region_falls_back_to_own(world):
    loner = UserFactory(data_scope=DataScope.TEAM, team=None)
    assert _visible(loner, world) == set()
    loner.data_scope = DataScope.REGION
    assert _visible(loner, world) == set()


def test_a_superuser_sees_everything(world):
    assert _visible(UserFactory(is_superuser=True), world) == set(world["tickets"])


def test_a_customer_sees_only_their_own_tickets(world):
    portal_user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.ALL)
    CustomerFactory(user=portal_user, phone="+8613900000009")
    mine = make_ticket(phone="13900000009")
    assert list(tickets_visible_to(portal_user)) == [mine]


def test_inactive_and_anonymous_users_see_nothing(world):
    inactive = UserFactory(data_scope=DataScope.ALL, is_active=False)
    assert not tickets_visible_to(inactive).exists()
    assert not tickets_visible_to(AnonymousUser()).exists()


def test_fetching_a_ticket_outside_the_scope_is_not_found_as_if_it_did_not_exist(world):
    agent = world["agent"]
    own = world["tickets"]["assigned"]
    assert ticket_get_for_user(user=agent, number=own.number) == own
    with pytest.raises(NotFound):
        ticket_get_for_user(user=agent, number=world["tickets"]["other"].number)
    with pytest.raises(NotFound):
        ticket_get_for_user(user=agent, number="SH20000101-999999")
    with pytest.raises(NotFound):
        ticket_get_for_user(user=AnonymousUser(), number=own.number)


def test_a_ticket_is_fetched_with_what_its_page_shows_in_one_query(django_assert_num_queries):
    agent = UserFactory(data_scope=DataScope.ALL)
    number = make_ticket(actor=agent).number
    Ticket.objects.filter(number=number).update(assignee=agent)
    with django_assert_num_queries(1):
        ticket = ticket_get_for_user(user=agent, number=number)
        assert ticket.customer.name and ticket.assignee == agent and ticket.category is None
        assert ticket.product_unit is None and ticket.team is None and ticket.region is None


def test_optional_relations_cost_one_query_each_only_when_set(django_assert_num_queries):
    agent = UserFactory(data_scope=DataScope.ALL)
    unit = ProductUnitFactory()
    number = make_ticket(actor=agent, serial_number=unit.serial_number).number
    Ticket.objects.filter(number=number).update(team=TeamFactory(), region=RegionFactory())
    # the ticket; the unit with its model and warranty policy; the reported model; team; region
    with django_assert_num_queries(5):
        ticket = ticket_get_for_user(user=agent, number=number)
        assert ticket.product_unit.model.warranty_policy is not None
        assert ticket.team.name and ticket.region.name and ticket.customer.name


def test_the_customer_timeline_hides_internal_events():
    agent = UserFactory(data_scope=DataScope.ALL)
    portal_user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=portal_user, phone="+8613900000009")
    ticket = make_ticket(actor=agent, phone="13900000009")
    ticket_add_note(ticket=ticket, actor=agent, body="内部备注：疑似人为损坏")
    ticket_add_note(ticket=ticket, actor=agent, body="您好，已收到。", kind=EventKind.MESSAGE_OUT)
    ticket_assign(ticket=ticket, assignee=agent, actor=agent)

    staff_view = [e.kind for e in ticket_timeline(ticket=ticket, user=agent)]
    customer_view = [e.kind for e in ticket_timeline(ticket=ticket, user=portal_user)]
    assert staff_view == [EventKind.CREATED, EventKind.NOTE, EventKind.MESSAGE_OUT, EventKind.ASSIGNMENT]
    assert customer_view == [EventKind.CREATED, EventKind.MESSAGE_OUT]


def test_attachments_are_fetched_only_within_scope_and_customers_only_get_public_ones():
    agent = UserFactory()
    outsider = UserFactory()
    portal_user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=portal_user, phone="+8613900000009")
    ticket = make_ticket(actor=agent, phone="13900000009")
    public = ticket_add_attachment(ticket=ticket, actor=agent, fileobj=io.BytesIO(png_bytes()), filename="a.png")
    internal = ticket_add_attachment(ticket=ticket, actor=agent, fileobj=io.BytesIO(png_bytes()), filename="b.png", public=False)

    assert attachment_get_for_user(user=agent, attachment_id=internal.pk) == internal
    assert attachment_get_for_user(user=portal_user, attachment_id=public.pk) == public
    with pytest.raises(NotFound):
        attachment_get_for_user(user=portal_user, attachment_id=internal.pk)
    with pytest.raises(NotFound):
        attachment_get_for_user(user=outsider, attachment_id=public.pk)
    with pytest.raises(NotFound):
        attachment_get_for_user(user=AnonymousUser(), attachment_id=public.pk)
    with pytest.raises(NotFound):
        attachment_get_for_user(user=agent, attachment_id=internal.pk + 1000)
    assert ticket_attachments(ticket=ticket, user=agent) == [public, internal]
    assert ticket_attachments(ticket=ticket, user=portal_user) == [public]


def test_a_regional_supervisor_sees_the_tickets_without_a_region_to_route_them():
    from aftersales.accounts.models import DataScope, Role
    from aftersales.tickets.selectors import tickets_visible_to
    from tests.factories import RegionFactory, UserFactory, make_ticket

    east, west = RegionFactory(code="east-r"), RegionFactory(code="west-r")
    nowhere = make_ticket(phone="13900001111", region=None)
    eastern = make_ticket(phone="13900001112", region=east)
    western = make_ticket(phone="13900001113", region=west)
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=east)
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    assert set(tickets_visible_to(supervisor)) == {nowhere, eastern}
    assert set(tickets_visible_to(agent)) == {eastern}
    assert western not in set(tickets_visible_to(supervisor))
