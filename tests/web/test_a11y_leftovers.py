"""Accessibility leftovers (docs/architecture.md "Accessibility on pages"): the customer list
announces its count line only, never its whole results block; the ticket page's panels that say
what happened through ``data-sr-status`` keep their visible message without ``role="status"``
(read twice otherwise), in both languages; a refusal announces nothing."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.customers.models import Customer, CustomerTier
from aftersales.desk.selectors import customers as customer_selectors
from aftersales.tickets.models import MeasureKind
from tests.appraisal.helpers import agent as appraisal_agent
from tests.appraisal.helpers import ticket_with_unit
from tests.clients import client_for_language
from tests.factories import CustomerFactory, UserFactory
from tests.remedies.helpers import agent as remedies_agent
from tests.remedies.helpers import ticket_on, unit_sold
from tests.returns.helpers import world

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
LANGUAGES = ["zh-hans", "en"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def tags(html: bytes | str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.tags


def sr_status(html: bytes | str) -> list[str]:
    return [attrs["data-sr-status"] for _, attrs in tags(html) if "data-sr-status" in attrs]


def live(html: bytes | str) -> list[dict[str, str]]:
    """The elements that a screen reader reads out on a change: aria-live or role=status."""
    return [attrs for _, attrs in tags(html) if "aria-live" in attrs or attrs.get("role") == "status"]


# --- The customer list: the count line alone is live ----------------------------------------


@pytest.fixture
def supervisor():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)


def count_line(client: Client, **params: str) -> tuple[str, list[dict[str, str]]]:
    answer = client.get(reverse("desk:customers"), params, headers=HX)
    assert answer.status_code == 200 and b"<html" not in answer.content
    html = answer.content.decode()
    start = html.index('data-test-id="customer-total"')
    text = html[html.index(">", start) + 1 : html.index("</span>", start)]
    return text.strip(), live(html)


@pytest.mark.parametrize(
    ("language", "two", "one"),
    [("zh-hans", "共 2 位客户", "共 1 位客户"), ("en", "2 customers", "1 customer")],
)
def test_the_customer_list_announces_its_count_line_only(supervisor, language, two, one):  # type: ignore[no-untyped-def]
    CustomerFactory(name="甲客户", tier=CustomerTier.KEY)
    CustomerFactory(name="乙客户", tier=CustomerTier.NORMAL)
    client = client_for_language(supervisor, language)
    page = client.get(reverse("desk:customers")).content.decode()
    results = next(attrs for _, attrs in tags(page) if attrs.get("id") == "customer-results")
    assert "aria-live" not in results  # the block htmx replaces is not live itself
    assert [a.get("data-test-id") for a in live(page)] == ["sr-status", "results-summary"]
    text, live_now = count_line(client)
    assert text == two
    assert [a.get("data-test-id") for a in live_now] == ["results-summary"]
    assert live_now[0]["aria-atomic"] == "true"
    assert count_line(client, tier=CustomerTier.KEY)[0] == one


def test_the_count_says_more_than_the_cap_and_counts_every_page(supervisor, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(customer_selectors, "PAGE_SIZE", 2)
    for i in range(4):
        CustomerFactory(name=f"客户{i}")
    client = client_for_language(supervisor, "en")
    assert count_line(client)[0] == "4 customers"
    last = max(c.pk for c in Customer.objects.all())
    assert count_line(client, after=str(last - 1))[0] == "4 customers"  # a later page: the same total
    monkeypatch.setattr(customer_selectors, "CUSTOMER_TOTAL_CAP", 3)
    answer = client.get(reverse("desk:customers"), headers=HX).content.decode()
    assert 'data-capped="1"' in answer and "More than 3 customers" in answer


# --- The ticket page's panels: data-sr-status on the root, no role=status beside it --------------


def assert_announced_once(html: bytes, visible_test_id: str) -> str:
    (text,) = sr_status(html)
    roots = [attrs for _, attrs in tags(html) if "data-sr-status" in attrs]
    assert roots and text
    assert not [a for a in live(html) if a.get("role") == "status"], "read twice: role=status beside data-sr-status"
    assert f'data-test-id="{visible_test_id}"' in html.decode()  # the visible message stays
    return text


@pytest.mark.parametrize(("language", "said"), [("zh-hans", "处理方式已记录。"), ("en", "The remedy was recorded.")])
def test_the_remedies_panel_says_it_once(language, said):  # type: ignore[no-untyped-def]
    handler = remedies_agent()
    today = clock.local_today()
    ticket = ticket_on(unit_sold(today - dt.timedelta(days=5)), today, actor=handler)
    client = client_for_language(handler, language)
    url = reverse("remedies:decide", args=[ticket.number])
    refused = client.post(url, {"remedy": "repair_paid", "reason": ""}, headers=HX)
    assert b'data-test-id="error-reason"' in refused.content
    assert sr_status(refused.content) == [] and b'data-test-id="remedy-saved"' not in refused.content
    done = client.post(url, {"remedy": "exchange", "reason": ""}, headers=HX)
    assert assert_announced_once(done.content, "remedy-saved") == said


@pytest.mark.parametrize(("language", "done_word"), [("zh-hans", "已完成"), ("en", "done")])
def test_the_return_page_says_a_done_step_once(language, done_word):  # type: ignore[no-untyped-def]
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    keeper = client_for_language(w.keeper, language)
    step = reverse("returns:step", args=[rma.number, "receive"])
    answer = keeper.post(step, {"version": rma.version, "note": "外箱完好"}, headers=HX)
    text = assert_announced_once(answer.content, "flash")
    assert rma.number in text and done_word in text
    stale = keeper.post(step, {"version": rma.version, "note": "again"}, headers=HX)
    assert sr_status(stale.content) == [] and b'data-test-id="flash"' not in stale.content


@pytest.mark.parametrize(("language", "said"), [("zh-hans", "鉴定已申请。"), ("en", "The appraisal was requested.")])
def test_the_appraisal_panel_says_a_request_once(language, said):  # type: ignore[no-untyped-def]
    requester = appraisal_agent()
    ticket = ticket_with_unit(actor=requester)
    client = client_for_language(requester, language)
    refused = client.post(reverse("appraisal:request", args=[ticket.number]), {"place": "moon"}, headers=HX)
    assert b'data-test-id="error-place"' in refused.content and sr_status(refused.content) == []
    done = client.post(reverse("appraisal:request", args=[ticket.number]), {"place": "outlet", "note": "x"}, headers=HX)
    assert assert_announced_once(done.content, "appraisal-messages") == said


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_plain_load_of_the_panels_announces_nothing(language):  # type: ignore[no-untyped-def]
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    page = client_for_language(w.keeper, language).get(reverse("returns:detail", args=[rma.number])).content
    assert sr_status(page) == []
    assert [a.get("data-test-id") for a in live(page)] == ["sr-status"]
