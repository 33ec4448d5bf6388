"""The agent's list: filters, three sort orders and keyset pagination that never loses a row."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from aftersales.accounts.models import DataScope
from aftersales.tickets.choices import Channel, Priority
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import TicketFilters, ticket_list_for_user
from aftersales.tickets.services import ticket_assign, ticket_transition
from aftersales.tickets.states import TicketStatus
from tests.clock import freeze_time
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def sixty_tickets():
    """60 open tickets over 20 instants (3 at each: ties on created_at and due_at), three
    priorities, and every fifth without a due time (as a paused ticket will have)."""
    ids = []
    for i in range(60):
        with freeze_time(START + dt.timedelta(minutes=37 * (i // 3))):
            ids.append(
                make_ticket(phone=f"1380000{i:04d}", priority=[Priority.NORMAL, Priority.URGENT, Priority.IMPORTANT][i % 3]).pk
            )
    Ticket.objects.filter(pk__in=ids[::5]).update(due_at=None)
    return list(Ticket.objects.filter(pk__in=ids))


def _expected(tickets: list[Ticket], sort: str) -> list[int]:
    if sort == "due":
        key = lambda t: (t.due_at is None, t.due_at or START, t.pk)  # noqa: E731
        return [t.pk for t in sorted(tickets, key=key)]
    if sort == "-created":
        return [t.pk for t in sorted(tickets, key=lambda t: (t.created_at, t.pk), reverse=True)]
    return [t.pk for t in sorted(tickets, key=lambda t: (t.priority, -t.created_at.timestamp(), -t.pk))]


def _walk(user, sort: str, page_size: int, filters: TicketFilters | None = None) -> tuple[list[int], int, int]:
    filters = filters or TicketFilters()
    seen: list[int] = []
    pages, cursor, totals = 0, None, set()
    while True:
        page = ticket_list_for_user(user=user, filters=filters, sort=sort, cursor=cursor, page_size=page_size)
        pages += 1
        totals.add(page.total)
        seen.extend(t.pk for t in page.rows)
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(page.rows) == page_size
        assert pages < 100
    assert len(totals) == 1
    return seen, totals.pop(), pages


def test_paging_through_returns_every_ticket_once_in_order(sixty_tickets):
    """Every sort order at three page sizes, over the same sixty tickets (made once: on
    PostgreSQL they cost two seconds a time)."""
    boss = UserFactory(data_scope=DataScope.ALL)
    for sort in ("due", "-created", "priority"):
        for page_size in (7, 60, 100):
            seen, total, pages = _walk(boss, sort, page_size)
            assert (total, pages) == (60, max(1, -(-60 // page_size))), (sort, page_size)
            assert seen == _expected(sixty_tickets, sort), (sort, page_size)


def test_the_due_order_puts_tickets_without_a_due_time_last(sixty_tickets):
    boss = UserFactory(data_scope=DataScope.ALL)
    seen, _, _ = _walk(boss, "due", 10)
    undated = {t.pk for t in sixty_tickets if t.due_at is None}
    assert len(undated) == 12
    assert set(seen[-12:]) == undated


def test_urgent_goes_first_in_the_priority_order(sixty_tickets):
    boss = UserFactory(data_scope=DataScope.ALL)
    page = ticket_list_for_user(user=boss, filters=TicketFilters(), sort="priority", page_size=20)
    assert {t.priority for t in page.rows} == {Priority.URGENT}


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        _cursor({"a": 1}),
        _cursor([]),
        _cursor(["yesterday", 5]),
        _cursor(["2026-13-45T00:00:00+00:00", 5]),
        _cursor([None, "x"]),
        _cursor([1, 2]),
    ],
)
@pytest.mark.parametrize("sort", ["due", "-created", "priority"])
def test_an_unreadable_cursor_starts_from_the_first_page(sort, cursor):
    boss = UserFactory(data_scope=DataScope.ALL)
    for i in range(6):
        make_ticket(phone=f"1380000{i:04d}", priority=[Priority.NORMAL, Priority.URGENT][i % 2])
    Ticket.objects.filter(pk=Ticket.objects.order_by("pk").first().pk).update(due_at=None)
    first = ticket_list_for_user(user=boss, filters=TicketFilters(), sort=sort, page_size=4)
    again = ticket_list_for_user(user=boss, filters=TicketFilters(), sort=sort, cursor=cursor, page_size=4)
    assert [t.pk for t in again.rows] == [t.pk for t in first.rows]
    assert first.next_cursor is not None


def test_an_unknown_sort_falls_back_to_due():
    boss = UserFactory(data_scope=DataScope.ALL)
    make_ticket()
    assert ticket_list_for_user(user=boss, filters=TicketFilters(), sort="; DROP TABLE").sort == "due"


def test_a_page_costs_two_queries_whatever_its_size(sixty_tickets, django_assert_num_queries):
    boss = UserFactory(data_scope=DataScope.ALL)
    with django_assert_num_queries(2):
        page = ticket_list_for_user(user=boss, filters=TicketFilters(), page_size=25)
        assert len(page.rows) == 25
        assert all(t.customer_name and t.customer_phone for t in page.rows)
        assert all(t.assignee_label == "" for t in page.rows if t.assignee_id is None)
        assert all(t.category_label for t in page.rows if t.category_id)


def test_the_list_is_scoped_to_the_user():
    agent = UserFactory()
    mine = make_ticket(actor=agent)
    make_ticket()
    page = ticket_list_for_user(user=agent, filters=TicketFilters())
    assert ([t.pk for t in page.rows], page.total) == ([mine.pk], 1)


def test_filters_by_status_priority_channel_assignee_and_text():
    boss = UserFactory(data_scope=DataScope.ALL)
    urgent = make_ticket(priority=Priority.URGENT, description="燃气灶漏气")
    web = make_ticket(channel=Channel.WEB, title="网页报修 冰箱不制冷")
    mine = make_ticket()
    ticket_assign(ticket=mine, assignee=boss, actor=boss)
    closed = ticket_transition(ticket=make_ticket(), to_status=TicketStatus.CANCELLED, actor=boss)

    def ids(**kwargs) -> set[int]:
        page = ticket_list_for_user(user=boss, filters=TicketFilters(**kwargs), page_size=50)
        assert page.total == len(page.rows)
        return {t.pk for t in page.rows}

    assert ids() == {urgent.pk, web.pk, mine.pk}
    assert ids(open_only=False) == {urgent.pk, web.pk, mine.pk, closed.pk}
    assert ids(statuses=(TicketStatus.CANCELLED,)) == {closed.pk}
    assert ids(priority=Priority.URGENT) == {urgent.pk}
    assert ids(channel=Channel.WEB) == {web.pk}
    assert ids(assigned_to_me=True) == {mine.pk}
    assert ids(query="冰箱") == {web.pk}
    assert ids(query="漏气") == {urgent.pk}
    assert ids(query=f" {mine.number.lower()} ") == {mine.pk}
    assert ids(query="SH19990101-000001") == set()
