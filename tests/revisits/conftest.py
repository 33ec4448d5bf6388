"""The default revisit policies of the data migration, present in every revisit test (a
transactional test may have flushed the migration's rows from a reused database)."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.revisits.models import AfterTicketRule, RevisitPolicy


@pytest.fixture(autouse=True)
def default_revisit_policies(request: Any) -> None:
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    for tier, months in (("key", 6), ("long_term", 12)):
        RevisitPolicy.objects.get_or_create(tier=tier, defaults={"interval_months": months})
    AfterTicketRule.objects.get_or_create(request_type="repair", defaults={"days_after_close": 7})
