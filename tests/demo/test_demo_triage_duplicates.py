"""The demo's repeated complaints: each merged ticket of the demo story is a second report of an
earlier one (same customer, product and problem, ``demo.stories``). At the moment it was
registered, the duplicate search finds the ticket it was later merged into. (Here, with the demo
the package loads once.)"""

from __future__ import annotations

import pytest

from aftersales.tickets.models import Ticket
from aftersales.tickets.states import OPEN_STATUSES
from aftersales.triage.duplicates import SAME_CUSTOMER, find_duplicates

pytestmark = pytest.mark.django_db


def test_the_duplicate_list_finds_the_demos_repeated_complaints(demo_output):
    repeats = list(Ticket.objects.filter(merged_into__isnull=False).select_related("merged_into", "customer"))
    assert repeats, "the demo story has merged (repeated) complaints"
    found_pairs = 0
    for repeat in repeats:
        primary = repeat.merged_into
        assert primary is not None
        if primary.status not in OPEN_STATUSES:
            continue  # the first report is finished now: no longer an open duplicate
        found = find_duplicates(repeat, now=repeat.created_at)
        match = next((d for d in found if d.ticket_id == primary.pk), None)
        if match is not None:
            found_pairs += 1
            assert SAME_CUSTOMER in match.reasons and match.score > 0
    assert found_pairs >= 1
