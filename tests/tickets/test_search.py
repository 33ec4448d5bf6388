"""Keyword search: the bigram index (PostgreSQL) gives exactly the matches of a substring scan."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import Ticket
from aftersales.tickets.search import search_grams_for, text_bigrams
from aftersales.tickets.selectors import TicketFilters, ticket_list_for_user
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db

TEXTS = [
    ("空调漏水", "室内机漏水到地板上，已经三天了。"),
    ("洗衣机不脱水", "脱水时噪音很大，不漏水。"),
    ("Refund request", "The customer asks for a REFUND of the deposit."),
    ("退款申请", "客户要求退款，refund 已批准。"),
    ("热水器", "Water heater leaks; 水管漏了。"),
    ("冰箱", "冰箱不制冷，需要上门维修。"),
    ("Installation", "Install the unit on the wall; refunded last year."),
    ("漏", "只有一个字：漏"),
]
QUERIES = [
    "漏水",
    "退款",
    "上门维修",
    "脱水时噪音",
    "refund",
    "REFUND",
    "Refund",
    "refunded",
    "水",
    "r",
    "漏",
    "wall;",
    "不存在的词",
    "xyz",
]


@pytest.fixture
def tickets():
    return [make_ticket(title=t, description=d, phone=f"1391234{i:04d}") for i, (t, d) in enumerate(TEXTS)]


def substring_scan(query: str) -> set[int]:
    q = query.lower()
    return {t.pk for t in Ticket.objects.all() if q in t.title.lower() or q in t.description.lower() or t.number == query.upper()}


def test_bigrams_are_lowercased_and_skip_whitespace():
    assert text_bigrams("Ab c漏水") == {"ab", "c漏", "漏水"}
    assert text_bigrams("x") == set()
    assert search_grams_for("漏水", "AB") == "ab 漏水"


def test_intake_fills_the_search_grams(tickets):
    ticket = Ticket.objects.get(pk=tickets[0].pk)
    assert ticket.search_grams == search_grams_for(ticket.title, ticket.description)
    assert "漏水" in ticket.search_grams.split()


@pytest.mark.parametrize("query", QUERIES)
def test_search_matches_a_substring_scan(tickets, query):
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    page = ticket_list_for_user(user=user, filters=TicketFilters(open_only=False, query=query), page_size=100)
    assert {t.pk for t in page.rows} == substring_scan(query)
    assert page.total == len(substring_scan(query))


def test_search_by_number(tickets):
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    page = ticket_list_for_user(user=user, filters=TicketFilters(open_only=False, query=tickets[5].number.lower()))
    assert [t.pk for t in page.rows] == [tickets[5].pk]


@pytest.mark.postgres
def test_postgres_search_uses_the_bigram_index_condition(tickets):
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    with CaptureQueriesContext(connection) as queries:
        ticket_list_for_user(user=user, filters=TicketFilters(open_only=False, query="漏水"))
    assert any("string_to_array" in q["sql"] and "@>" in q["sql"] for q in queries.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_search_grams_gin'")
        assert "gin" in cursor.fetchone()[0].lower()


def test_rebuild_command_fills_rows_written_without_grams(tickets):
    Ticket.objects.filter(pk=tickets[2].pk).update(search_grams="")
    call_command("rebuild_search_grams", "--missing", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert "re" in Ticket.objects.get(pk=tickets[2].pk).search_grams.split()


@pytest.mark.parametrize("query", ["漏水", "refund", "水"])
def test_dense_search_walk_gives_the_same_page(tickets, monkeypatch, query):
    """From DENSE_SEARCH matches on, PostgreSQL walks the sort order's index: same rows, same order."""
    from aftersales.tickets.selectors import search as selectors

    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    filters = TicketFilters(open_only=False, query=query)
    sparse = ticket_list_for_user(user=user, filters=filters, sort="-created", page_size=2)
    monkeypatch.setattr(selectors, "DENSE_SEARCH", 1)
    with CaptureQueriesContext(connection) as queries:
        dense = ticket_list_for_user(user=user, filters=filters, sort="-created", page_size=2)
    assert [t.pk for t in dense.rows] == [t.pk for t in sparse.rows]
    assert dense.total == sparse.total == len(substring_scan(query))
    walked = any("enable_bitmapscan" in q["sql"] for q in queries.captured_queries)
    assert walked == (connection.vendor == "postgresql")


def test_search_total_is_capped(tickets, monkeypatch):
    from aftersales.tickets.selectors import search as selectors

    monkeypatch.setattr(selectors, "SEARCH_TOTAL_CAP", 2)
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    page = ticket_list_for_user(user=user, filters=TicketFilters(open_only=False, query="漏"))
    assert (page.total, page.total_capped) == (2, True)


@pytest.mark.postgres
@pytest.mark.parametrize("step", ["index", "newest", "unbounded"])
@pytest.mark.parametrize("query", ["漏水", "refund", "漏", "不存在的词", "refunded"])
def test_every_step_of_the_search_count_gives_the_same_total(tickets, monkeypatch, step, query):
    """The search total is counted by the bigram index within a budget, else among the newest
    tickets, else without a limit: whichever answers, the same number."""
    from aftersales.tickets.selectors import search as selectors

    monkeypatch.setattr(selectors, "SEARCH_TOTAL_CAP", 2)
    if step != "index":  # the statistics say: common bigrams, skip the index
        monkeypatch.setattr(selectors, "search_rows_estimate", lambda text: 10.0**9)
    if step == "unbounded":  # nothing among the newest settles it
        monkeypatch.setattr(selectors, "SEARCH_COUNT_WALK_ROWS", 0)
    with CaptureQueriesContext(connection) as queries:
        page = ticket_list_for_user(
            user=UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL), filters=TicketFilters(open_only=False, query=query)
        )
    exact = len(substring_scan(query))
    assert (page.total, page.total_capped) == (min(exact, 2), exact > 2)
    sqls = " ".join(q["sql"] for q in queries.captured_queries)
    assert ("statement_timeout" in sqls) == (step == "index")
    assert ("newest" in sqls) == (step == "newest")


@pytest.mark.postgres
def test_a_statement_over_budget_is_cancelled_and_the_settings_do_not_outlive_the_call():
    from aftersales.tickets.selectors import _steered

    def slow():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_sleep(0.5)")
        return "finished"

    assert _steered(slow, walk_index=True, timeout_ms=30) is None
    assert _steered(lambda: "quick", timeout_ms=1000) == "quick"
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('statement_timeout'), current_setting('enable_seqscan')")
        assert cur.fetchone() == ("0", "on")


@pytest.mark.postgres
def test_the_statistics_tell_how_many_tickets_the_rarest_bigram_covers(tickets):
    from aftersales.tickets import search

    with connection.cursor() as cur:
        cur.execute("ANALYZE tickets_ticket")
    search._gram_stats = None  # read them again
    both = search.search_rows_estimate("漏水")  # 3 of 8 texts hold 漏水
    assert both is not None and 1 <= both <= 8
    assert search.search_rows_estimate("漏") is None  # no bigram
    assert search.search_rows_estimate("不存在的词") <= both


# --- Full-width and half-width forms are the same (NFKC, issue 20) -------------------------------

WIDTHS = [
    ("ＭＰ３没声音", "买的ＭＰ３播放器用了两天就没有声音了。"),
    ("系统问题", "预装的ＸＰ系统装不上驱动，蓝屏。"),
    ("mp3 坏了", "这个 mp3 充不进电。"),
    ("平板", "XP 模式下触屏没反应。"),
]


@pytest.fixture
def widths():
    return [make_ticket(title=t, description=d, phone=f"1380000{i:04d}") for i, (t, d) in enumerate(WIDTHS)]


def _found(query: str) -> set[int]:
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    page = ticket_list_for_user(user=user, filters=TicketFilters(open_only=False, query=query), page_size=100)
    assert page.total == len(page.rows)
    return {t.pk for t in page.rows}


def test_the_bigrams_are_those_of_the_normalised_text():
    assert search_grams_for("ＭＰ３", "ＸＰ") == search_grams_for("mp3", "xp") == "mp p3 xp"


@pytest.mark.parametrize("query", ["MP3", "mp3", "ＭＰ３", "Mp３"])
def test_a_search_for_mp3_finds_tickets_written_in_either_width(widths, query):
    assert _found(query) == {widths[0].pk, widths[2].pk}


@pytest.mark.parametrize("query", ["XP", "xp", "ＸＰ"])
def test_a_search_for_xp_finds_tickets_written_in_either_width(widths, query):
    assert _found(query) == {widths[1].pk, widths[3].pk}


@pytest.mark.parametrize("query", ["MP3", "ＸＰ"])
def test_the_dense_search_walk_finds_either_width_too(widths, monkeypatch, query):
    from aftersales.tickets.selectors import search as search_module

    monkeypatch.setattr(search_module, "DENSE_SEARCH", 0)
    expected = {widths[0].pk, widths[2].pk} if query == "MP3" else {widths[1].pk, widths[3].pk}
    assert _found(query) == expected


def test_the_rebuild_gives_old_rows_the_normalised_bigrams(widths):
    from importlib import import_module

    from django.apps import apps

    Ticket.objects.filter(pk=widths[0].pk).update(search_grams="ｍｐ ｐ３")  # as written before the normalisation
    import_module("aftersales.tickets.migrations.0016_search_grams_normalised").rebuild(apps, None)
    assert {"mp", "p3"} <= set(Ticket.objects.get(pk=widths[0].pk).search_grams.split())
