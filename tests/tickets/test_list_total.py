"""The list's total: exact up to TOTAL_CAP, a marked "more than" above it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import Channel
from aftersales.tickets.selectors import TicketFilters, ticket_list_for_user
from aftersales.tickets.selectors import listing as selectors
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import OPEN_STATUS_LIST, TicketStatus
from tests.clients import client_for
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_total_is_exact_up_to_the_cap_and_capped_above(monkeypatch):
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    for i in range(4):
        make_ticket(phone=f"1361234{i:04d}")
    monkeypatch.setattr(selectors, "TOTAL_CAP", 4)
    # Filtered by more than the status: counted (capped), not taken from the aggregates.
    hotline = TicketFilters(channel=Channel.HOTLINE)
    page = ticket_list_for_user(user=boss, filters=hotline, page_size=2)
    assert (page.total, page.total_capped) == (4, False)
    make_ticket(phone="13612349999")
    page = ticket_list_for_user(user=boss, filters=hotline, page_size=2)
    assert (page.total, page.total_capped) == (4, True)
    assert len(page.rows) == 2 and page.next_cursor is not None
    html = client_for(boss).get(reverse("tickets:list"), {"channel": Channel.HOTLINE}).content.decode()
    assert 'data-test-id="ticket-total" data-capped="1"' in html and ">4<" not in html.split('data-capped="1"')[1][:3]


def test_status_only_total_is_exact_from_the_maintained_counts_above_the_cap(monkeypatch):
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    tickets = [make_ticket(phone=f"1361234{i:04d}") for i in range(5)]
    monkeypatch.setattr(selectors, "TOTAL_CAP", 2)
    ticket_transition(ticket=tickets[0], to_status=TicketStatus.CANCELLED, actor=boss, reason="test")
    for filters, expected in [
        (TicketFilters(), 4),  # open
        (TicketFilters(open_only=False), 5),  # every status
        (TicketFilters(statuses=(TicketStatus.CANCELLED,)), 1),
        (TicketFilters(statuses=(TicketStatus.RESOLVED,)), 0),
    ]:
        page = ticket_list_for_user(user=boss, filters=filters, page_size=2)
        counted = selectors.tickets_visible_to(boss)
        if filters.statuses:
            counted = counted.filter(status__in=filters.statuses)
        elif filters.open_only:
            counted = counted.filter(status__in=OPEN_STATUS_LIST)
        assert (page.total, page.total_capped) == (expected, False) == (counted.count(), False)
    html = client_for(boss).get(reverse("tickets:list")).content.decode()
    assert 'data-test-id="ticket-total">' in html and "data-capped" not in html


def test_scoped_user_total_is_counted_within_their_scope():
    own_scope_agent = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)
    make_ticket(phone="13612340001")
    mine = make_ticket(phone="13612340002", actor=own_scope_agent)
    page = ticket_list_for_user(user=own_scope_agent, filters=TicketFilters(), page_size=25)
    assert page.total == 1 and [t.pk for t in page.rows] == [mine.pk]


def test_open_list_uses_the_same_status_list_as_the_partial_index():
    from aftersales.tickets.models import Ticket
    from aftersales.tickets.states import OPEN_STATUS_LIST, OPEN_STATUSES

    index = next(i for i in Ticket._meta.indexes if i.name == "ticket_open_due_idx")
    assert index.condition.children == [("status__in", OPEN_STATUS_LIST)]
    assert sorted(OPEN_STATUS_LIST) == sorted(s.value for s in OPEN_STATUSES)
