"""Compliance figures against a hand-computed fixture.

On 2026-12-01, with key = 6 months and long-term = 12 months:

| customer | tier | region | latest periodic revisit's agent | last reached | in time? |
|---|---|---|---|---|---|
| k1 | key | east | a1 | 2026-07-01 | yes (07-01 + 6 = 2027-01-01 ≥ 12-01) |
| k2 | key | east | a1 | 2026-05-15 | no (+6 = 11-15) |
| k3 | key | south | a2 | never (2 unreached) | no |
| l1 | long-term | east | a2 | 2026-01-10 | yes (+12 = 2027-01-10) |
| l2 | long-term | — | — | 2025-11-30 | no (+12 = 2026-11-30) |
| n1 | normal | east | — | — | not counted |
| k4 | key, refused contact | east | — | — | not counted |

Total 2 of 5; key 1 of 3, long-term 1 of 2; east 2 of 3, south 0 of 1, no region 0 of 1;
a1 1 of 2, a2 1 of 2, not assigned 0 of 1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from aftersales.accounts.models import DataScope
from aftersales.customers.models import CustomerTier
from aftersales.revisits.models import Revisit, RevisitStatus
from aftersales.revisits.selectors import compliance

from .helpers import agent, at, customer, open_revisit, region, supervisor

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 12, 1)


def _done(cust, day, assignee=None, reason="periodic"):  # type: ignore[no-untyped-def]
    revisit = open_revisit(cust=cust, due=day, assignee=assignee)
    Revisit.objects.filter(pk=revisit.pk).update(status=RevisitStatus.DONE, outcome="reached", completed_at=at(day))
    return revisit


@pytest.fixture
def fixture():  # type: ignore[no-untyped-def]
    east, south = region(), region("south", "华南")
    a1, a2 = agent(region=east, username="a1"), agent(region=south, username="a2")
    k1 = customer(tier=CustomerTier.KEY, region=east)
    k2 = customer(tier=CustomerTier.KEY, region=east)
    k3 = customer(tier=CustomerTier.KEY, region=south)
    l1 = customer(tier=CustomerTier.LONG_TERM, region=east)
    l2 = customer(tier=CustomerTier.LONG_TERM, region=None)
    n1 = customer(tier=CustomerTier.NORMAL, region=east)
    k4 = customer(tier=CustomerTier.KEY, region=east, consent_contact=False)
    _done(k1, dt.date(2026, 1, 2), a2)
    _done(k1, dt.date(2026, 7, 1), a1)
    _done(k2, dt.date(2026, 5, 15), a1)
    retry = open_revisit(cust=k3, due=dt.date(2026, 11, 1), assignee=a2)
    Revisit.objects.filter(pk=retry.pk).update(status=RevisitStatus.RETRY, attempts=2)
    _done(l1, dt.date(2026, 1, 10), a2)
    _done(l2, dt.date(2025, 11, 30), None)
    _done(n1, dt.date(2026, 11, 1), a1)
    _done(k4, dt.date(2026, 11, 1), a1)
    return {"east": east, "south": south, "a1": a1, "a2": a2}


def _rows(rows):  # type: ignore[no-untyped-def]
    return {r.key: (r.revisited, r.eligible) for r in rows}


def test_compliance_matches_the_hand_computed_figures(fixture):
    boss = supervisor(scope=DataScope.ALL)
    figures = compliance(user=boss, on=ON)
    assert (figures.total.revisited, figures.total.eligible) == (2, 5)
    assert figures.total.percent == "40%"
    assert _rows(figures.by_tier) == {"key": (1, 3), "long_term": (1, 2)}
    assert _rows(figures.by_region) == {"east": (2, 3), "south": (0, 1), "": (0, 1)}
    assert _rows(figures.by_agent) == {"a1": (1, 2), "a2": (1, 2), "": (0, 1)}


def test_a_regional_supervisor_counts_only_the_customers_of_the_region(fixture):
    figures = compliance(user=supervisor(region=fixture["east"]), on=ON)
    assert (figures.total.revisited, figures.total.eligible) == (2, 3)
    assert _rows(figures.by_region) == {"east": (2, 3)}


def test_an_agent_counts_the_customers_of_their_own_revisits(fixture):
    figures = compliance(user=fixture["a2"], on=ON)
    # a2 had revisits of k1 (an older one), k3 and l1.
    assert (figures.total.revisited, figures.total.eligible) == (2, 3)
    assert Revisit.objects.filter(Q(assignee=fixture["a2"])).count() == 3
