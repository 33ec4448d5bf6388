"""A process step's status change does not read the ticket row it has just read under its lock
again: the UPDATE checks that the row still holds what the step read. A copy that is not the
row's (changed behind its back, stale, or of a final ticket) is decided on the row, as always."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from aftersales.core.errors import Conflict, DomainError
from aftersales.tickets.models import Ticket, TicketCount
from aftersales.tickets.process import ticket_start_verification
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import TicketStatus as S
from tests.factories import RegionFactory, UserFactory, make_ticket

from .process_helpers import agent

pytestmark = pytest.mark.django_db

ROW_READ = 'FROM "tickets_ticket" WHERE "tickets_ticket"."id" ='


def _maintained() -> dict[tuple[str, int, int], int]:
    return {
        (row["status"], row["category_key"], row["region_key"]): row["total"]
        for row in TicketCount.objects.values("status", "category_key", "region_key").annotate(total=Sum("n"))
        if row["total"]
    }


def _counts_agree() -> bool:
    maintained = _maintained()
    actual = {
        (row["status"], row["category_id"] or 0, row["region_id"] or 0): row["n"]
        for row in Ticket.objects.order_by().values("status", "category_id", "region_id").annotate(n=Count("id"))
    }
    return maintained == actual


def test_a_process_step_reads_the_ticket_once_before_it_changes_the_status():
    handler = agent()
    ticket = make_ticket(actor=handler)
    with CaptureQueriesContext(connection) as queries:
        moved = ticket_start_verification(ticket=ticket, actor=handler, expected_version=ticket.version)
    sqls = [q["sql"] for q in queries.captured_queries]
    status_update = next(i for i, s in enumerate(sqls) if s.startswith('UPDATE "tickets_ticket" SET "status"'))
    reads_before = [s for s in sqls[:status_update] if s.startswith("SELECT") and ROW_READ in s]
    assert len(reads_before) == 1, reads_before  # the step's lock; the status change reads nothing more
    assert 'AND "tickets_ticket"."version" =' in sqls[status_update]  # the UPDATE checks what it read
    assert (moved.status, moved.version) == (S.VERIFYING, ticket.version + 1)
    assert Ticket.objects.get(pk=ticket.pk).status == S.VERIFYING
    assert _counts_agree()


def test_a_copy_changed_behind_its_back_is_moved_as_the_row_says():
    actor = UserFactory()
    ticket = make_ticket(actor=actor)
    region = RegionFactory()
    # Another write moved the region without touching the version (nor the counts, here).
    Ticket.objects.filter(pk=ticket.pk).update(region=region)
    before = _maintained()
    moved = ticket_transition(ticket=ticket, to_status=S.VERIFYING, actor=actor, expected_version=ticket.version)
    assert moved.region_id == region.pk != ticket.region_id
    after = _maintained()
    changed = {
        key: after.get(key, 0) - before.get(key, 0) for key in {*before, *after} if after.get(key, 0) != before.get(key, 0)
    }
    category = ticket.category_id or 0
    # The count left the row's region, not the copy's.
    assert changed == {(S.REGISTERED.value, category, region.pk): -1, (S.VERIFYING.value, category, region.pk): 1}


def test_a_stale_copy_still_meets_the_version_check_and_the_table():
    actor = UserFactory()
    ticket = make_ticket(actor=actor)
    ticket_transition(ticket=ticket, to_status=S.VERIFYING, actor=actor)
    with pytest.raises(Conflict):  # the page's version is the copy's, the row has moved on
        ticket_transition(ticket=ticket, to_status=S.ANALYSING, actor=actor, expected_version=ticket.version)
    # Without a version, the row decides: VERIFYING → ANALYSING is allowed, whatever the copy says.
    moved = ticket_transition(ticket=ticket, to_status=S.ANALYSING, actor=actor)
    assert moved.status == S.ANALYSING
    ticket_transition(ticket=moved, to_status=S.CANCELLED, actor=actor)
    with pytest.raises(DomainError) as raised:  # the copy says ANALYSING; the row is final
        ticket_transition(ticket=moved, to_status=S.VERIFYING, actor=actor)
    assert raised.value.code == "illegal_transition"
    assert Ticket.objects.get(pk=ticket.pk).status == S.CANCELLED
    assert _counts_agree()
