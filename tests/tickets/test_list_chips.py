"""The ticket list names every filter it applies, as a chip with a link that removes that filter
and keeps the rest (the filters the dashboards' links set have no control on the form)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import TicketCategory
from tests.clients import client_for, client_for_language
from tests.factories import RegionFactory, TeamFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")
BACKLOG_CELL = {
    "status": "all",
    "sla": "breached",
    "created_after": "2026-12-01T08:00:00",
    "created_before": "2026-12-04T12:30:00",
    "sort": "-created",
}


class _Chips(HTMLParser):
    """The chips of a page: ``{filter: (text, removal href)}``, and whether they came out of band."""

    def __init__(self) -> None:
        super().__init__()
        self.chips: dict[str, tuple[str, str]] = {}
        self.container: dict[str, str | None] | None = None
        self._key = ""
        self._text: list[str] = []
        self._in_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("data-test-id") == "filter-chips":
            self.container = a
        elif a.get("data-test-id") == "filter-chip":
            self._key, self._text = a["data-filter"] or "", []
        elif a.get("class") == "filter-chip-text":
            self._in_text = True
        elif a.get("data-test-id") == "filter-chip-remove":
            self.chips[self._key] = ("".join(self._text).strip(), a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._in_text = False

    def handle_data(self, data: str) -> None:
        if self._in_text:
            self._text.append(data)


def chips_of(response) -> _Chips:
    assert response.status_code == 200
    parser = _Chips()
    parser.feed(response.content.decode())
    assert parser.container is not None, "the chips' container is always on the page"
    return parser


def pairs(url: str) -> Counter[tuple[str, str]]:
    return Counter(parse_qsl(urlsplit(url).query, keep_blank_values=True))


@pytest.fixture
def supervisor():
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="主管")


def test_the_plain_list_shows_no_chip(supervisor):
    page = chips_of(client_for(supervisor).get(LIST, {"status": "open"}))
    assert page.chips == {}
    assert "hx-swap-oob" not in page.container


def test_a_backlog_cell_link_names_its_filters_in_english(supervisor):
    page = chips_of(client_for_language(supervisor, "en").get(LIST, BACKLOG_CELL))
    assert {key: text for key, (text, _href) in page.chips.items()} == {
        "status": "Status: All statuses",
        "sla": "SLA breached",
        "created": "Registered between 2026-12-01 08:00 and 2026-12-04 12:30",
    }


def test_a_backlog_cell_link_names_its_filters_in_chinese(supervisor):
    page = chips_of(client_for_language(supervisor, "zh-hans").get(LIST, BACKLOG_CELL))
    texts = {key: text for key, (text, _href) in page.chips.items()}
    assert texts["sla"] == "已超服务时限"
    assert texts["status"].startswith("状态：")
    assert "2026-12-01 08:00" in texts["created"] and "2026-12-04 12:30" in texts["created"]
    assert not any(word in text for text in texts.values() for word in ("Registered", "Status", "SLA"))


def test_each_removal_link_drops_exactly_its_parameter_and_keeps_the_rest(supervisor):
    team = TeamFactory(name="客服一组")
    region = RegionFactory(name="华东")
    params = {**BACKLOG_CELL, "team": str(team.pk), "region": str(region.pk), "priority": "1", "q": "漏水"}
    page = chips_of(client_for_language(supervisor, "en").get(LIST, params))
    assert set(page.chips) == {"status", "priority", "q", "region", "team", "sla", "created"}
    assert page.chips["team"][0] == "Team: 客服一组"
    assert page.chips["region"][0] == "Region: 华东"
    assert page.chips["q"][0] == "Search: “漏水”"
    everything = Counter(params.items())
    for key, (_text, href) in page.chips.items():
        assert urlsplit(href).path == LIST
        dropped = {"created": {"created_after", "created_before"}}.get(key, {key})
        assert pairs(href) == Counter({pair: n for pair, n in everything.items() if pair[0] not in dropped}), key


def test_following_a_removal_link_shows_the_list_without_that_filter(supervisor):
    client = client_for_language(supervisor, "en")
    page = chips_of(client.get(LIST, BACKLOG_CELL))
    after = chips_of(client.get(page.chips["sla"][1]))
    assert set(after.chips) == {"status", "created"}
    # The form no longer keeps the removed filter as a hidden field.
    assert 'name="sla"' not in after_html(client, page.chips["sla"][1])


def after_html(client, url: str) -> str:
    return client.get(url).content.decode()


def test_removing_the_last_filter_asks_for_the_default_list_not_the_start_view(supervisor):
    page = chips_of(client_for(supervisor).get(LIST, {"team": "0"}))
    (text, href) = page.chips["team"]
    assert text == "无班组"
    assert href == f"{LIST}?status=open"


def test_the_cursor_is_dropped_with_the_filter(supervisor):
    page = chips_of(client_for(supervisor).get(LIST, {"status": "all", "region": "0", "cursor": "abc"}))
    assert page.chips["region"][0] == "无区域"
    for _text, href in page.chips.values():
        assert "cursor" not in dict(parse_qsl(urlsplit(href).query))


def test_links_without_a_category_team_or_region_and_an_assignee_are_named(supervisor):
    agent = UserFactory(display_name="王小明")
    category = TicketCategory.objects.exclude(name_en="").order_by("position", "code").first()
    assert category is not None
    client = client_for_language(supervisor, "en")
    page = chips_of(client.get(LIST, {"category": str(category.pk), "assignee": str(agent.pk), "team": "0"}))
    assert page.chips["category"][0] == f"Category: {category.name_en}"
    assert page.chips["assignee"][0] == "Assignee: 王小明"
    assert page.chips["team"][0] == "Without a team"
    page = chips_of(client.get(LIST, {"category": "0", "region": "0"}))
    assert page.chips["category"][0] == "Without a category"
    assert page.chips["region"][0] == "No region"


def test_a_value_the_list_ignores_gets_no_chip(supervisor):
    page = chips_of(
        client_for(supervisor).get(LIST, {"team": "abc", "sla": "late", "created_after": "yesterday", "status": "nope"})
    )
    assert page.chips == {}


def test_the_chip_text_is_escaped(supervisor):
    response = client_for(supervisor).get(LIST, {"q": "<b>x</b>"})
    assert "<b>x</b>" not in response.content.decode()
    assert chips_of(response).chips["q"][0] == "搜索：“<b>x</b>”"  # the parser unescapes


def test_a_results_fragment_brings_the_chips_out_of_band(supervisor):
    make_ticket(phone="13800000001")
    response = client_for(supervisor).get(LIST, {**BACKLOG_CELL, "channel": "hotline"}, HTTP_HX_REQUEST="true")
    page = chips_of(response)
    assert page.container is not None and page.container.get("hx-swap-oob") == "true"
    assert set(page.chips) == {"status", "channel", "sla", "created"}
    assert 'data-test-id="ticket-filters"' not in response.content.decode()  # the form stays as it is


def test_the_fragment_without_filters_empties_the_chips(supervisor):
    response = client_for(supervisor).get(LIST, {"status": "open"}, HTTP_HX_REQUEST="true")
    page = chips_of(response)
    assert page.chips == {} and page.container is not None and page.container.get("hx-swap-oob") == "true"
