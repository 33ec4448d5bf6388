"""The supervisor's dashboard: a grid of status × category with totals, every number a link to the
ticket list filtered by status, category and region, whose total is that number."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import TicketCategory
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import TicketStatus
from tests.clients import client_for
from tests.desk.conftest import list_total, phone
from tests.factories import RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("analytics:dashboard")


def _links(page: str) -> dict[str, tuple[str, int]]:
    """test id → (href, number) of every linked number of the grid."""
    found = re.findall(r'<a href="([^"]+)" data-test-id="([^"]+)">(?:<strong>)?(\d+)', page)
    return {test_id: (html_lib.unescape(href), int(n)) for href, test_id, n in found}


@pytest.fixture
def tickets():  # type: ignore[no-untyped-def]
    north, south = RegionFactory(code="north", name="华北"), RegionFactory(code="south", name="华南")
    categories = list(TicketCategory.objects.order_by("position", "code")[:2])
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    made = []
    for i, (region, category) in enumerate(
        [
            (north, categories[0]),
            (north, categories[0]),
            (north, categories[1]),
            (south, categories[0]),
            (south, None),
            (None, None),
        ]
    ):
        ticket = make_ticket(phone=phone(), region=region, category_code=category.code if category else "")
        if i % 2:
            ticket_transition(ticket=ticket, to_status=TicketStatus.VERIFYING, actor=boss)
        made.append(ticket)
    ticket_transition(ticket=made[0], to_status=TicketStatus.CANCELLED, actor=boss)
    return north, south, categories


def test_every_number_of_the_grid_opens_the_list_with_that_total(tickets):
    north, _south, categories = tickets
    director = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    client = client_for(director)
    page = client.get(DASHBOARD).content.decode()
    links = _links(page)
    assert links["grid-total"][1] == 6
    cell = f"cell-verifying-{categories[0].pk}"
    assert links[cell] == (f"{reverse('tickets:list')}?status=verifying&category={categories[0].pk}", 2)
    assert links["cell-registered-0"][1] == 1 and links["cell-verifying-0"][1] == 1  # without a category
    assert links["row-total-cancelled"][1] == 1
    assert links[f"column-total-{categories[0].pk}"][0].endswith(f"?status=all&category={categories[0].pk}")
    for test_id, (href, number) in links.items():
        assert list_total(client, href) == number, test_id
    # A region picked: the grid and every link are that region's.
    regional = client.get(DASHBOARD, {"region": north.pk}).content.decode()
    assert 'aria-current="page" data-test-id="region-' + str(north.pk) + '"' in regional
    links = _links(regional)
    assert links["grid-total"] == (f"{reverse('tickets:list')}?status=all&region={north.pk}", 3)
    for test_id, (href, number) in links.items():
        assert f"region={north.pk}" in href
        assert list_total(client, href) == number, test_id
    without = _links(client.get(DASHBOARD, {"region": 0}).content.decode())
    assert without["grid-total"][1] == 1
    assert list_total(client, without["grid-total"][0]) == 1


def test_a_regional_supervisors_grid_links_to_their_region(tickets):
    north, _south, _categories = tickets
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=north)
    client = client_for(boss)
    page = client.get(DASHBOARD, {"region": 0}).content.decode()  # another region cannot be picked
    assert 'data-test-id="region-tabs"' not in page
    links = _links(page)
    assert links["grid-total"][1] == 3
    for test_id, (href, number) in links.items():
        assert f"region={north.pk}" in href
        assert list_total(client, href) == number, test_id


def test_the_grid_is_styled_in_both_languages(tickets):
    client = client_for(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL))
    zh = client.get(DASHBOARD).content.decode()
    assert 'class="dashboard-grid"' in zh and "heat-" in zh and 'class="is-open"' in zh
    assert "点击任一数字可查看对应工单。" in zh and "全部区域" in zh and "无区域" in zh
    client.cookies.load({"django_language": "en"})
    en = client.get(DASHBOARD).content.decode()
    assert "Every number opens its tickets." in en and "Without a region" in en
    assert "点击" not in en


def test_the_list_keeps_the_filters_of_a_link_and_ignores_unreadable_ones(tickets):
    north, _south, categories = tickets
    client = client_for(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL))
    url = f"{reverse('tickets:list')}?status=all&category={categories[0].pk}&region={north.pk}"
    page = client.get(url).content.decode()
    assert f'<input type="hidden" name="category" value="{categories[0].pk}"' in page
    assert f'<input type="hidden" name="region" value="{north.pk}"' in page
    assert 'name="team"' not in page and 'name="assignee"' not in page
    assert list_total(client, url) == 2
    assert list_total(client, f"{reverse('tickets:list')}?status=all&region=0") == 1  # without a region
    assert list_total(client, f"{reverse('tickets:list')}?status=all&category=x&region=-1&team=&assignee=0") == 6
