"""The customers behind the compliance figures: every count of /revisits/compliance/ opens the
customers it counts (by default those not reached in time), each linking to the customer's page,
and the same list exports to Excel.

Today T, key = 6 months, long-term = 12 months:

| customer | tier | region | agent | last reached | in time? |
|---|---|---|---|---|---|
| 甲 | key | east | a1 | T − 1 month | yes |
| 乙 | key | east | a1 | T − 8 months | no |
| 丙 | key | south | a2 | never | no |
| 丁 | long-term | — | — | T − 2 months | yes |
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from aftersales.accounts.models import DataScope
from aftersales.catalog.warranty import add_months
from aftersales.core import clock
from aftersales.customers.models import CustomerTier
from aftersales.exports.kinds.revisit_compliance import REVISIT_COMPLIANCE  # registers the kind
from aftersales.exports.registry import kind_for_user
from aftersales.revisits.models import Revisit, RevisitStatus
from tests.clients import client_for
from tests.exports.helpers import column, export_sheet

from .helpers import agent, at, customer, open_revisit, region, supervisor

pytestmark = pytest.mark.django_db


def _reached(cust, day: dt.date, assignee=None) -> None:  # type: ignore[no-untyped-def]
    revisit = open_revisit(cust=cust, due=day, assignee=assignee)
    Revisit.objects.filter(pk=revisit.pk).update(status=RevisitStatus.DONE, outcome="reached", completed_at=at(day))


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    today = clock.local_today()
    east, south = region(), region("south", "华南")
    a1, a2 = agent(region=east, username="a1"), agent(region=south, username="a2")
    jia = customer(tier=CustomerTier.KEY, region=east, name="甲")
    yi = customer(tier=CustomerTier.KEY, region=east, name="乙")
    bing = customer(tier=CustomerTier.KEY, region=south, name="丙")
    ding = customer(tier=CustomerTier.LONG_TERM, region=None, name="丁")
    _reached(jia, add_months(today, -1), a1)
    _reached(yi, add_months(today, -8), a1)
    open_revisit(cust=bing, due=today, assignee=a2)
    _reached(ding, add_months(today, -2))
    return {"east": east, "jia": jia, "yi": yi, "bing": bing, "ding": ding}


def _customers(page: str) -> dict[int, str]:
    """Customer id → the link of their name, as the page lists them."""
    rows = re.findall(r'data-customer="(\d+)">\s*<td><a href="([^"]+)">', page)
    return {int(pk): html.unescape(url) for pk, url in rows}


def test_the_page_lists_the_customers_not_reached_in_time_with_links_to_them(people):
    client = client_for(supervisor(scope=DataScope.ALL))
    page = client.get("/revisits/compliance/").content.decode()
    assert re.search(r'data-test-id="rv-total-revisited">2</a>', page)
    assert re.search(r'data-test-id="rv-total-eligible">4</a>', page)
    listed = _customers(page)
    assert set(listed) == {people["yi"].pk, people["bing"].pk}
    assert listed[people["yi"].pk] == f"/desk/customers/{people['yi'].pk}/"
    assert client.get(listed[people["yi"].pk]).status_code == 200


def test_every_count_opens_the_customers_it_counts(people):
    client = client_for(supervisor(scope=DataScope.ALL))
    page = client.get("/revisits/compliance/").content.decode()
    links = re.findall(r'<a href="(\?[^"]+)" data-test-id="rv-(eligible|revisited|missed)"[^>]*>\(?(\d+)', page)
    assert len(links) >= 12
    for url, _what, n in links:
        listed = _customers(client.get("/revisits/compliance/" + html.unescape(url)).content.decode())
        assert len(listed) == int(n), url
    east = client.get("/revisits/compliance/", {"by": "region", "key": "east", "state": "revisited"}).content.decode()
    assert set(_customers(east)) == {people["jia"].pk}
    nobody = client.get("/revisits/compliance/", {"by": "agent", "key": "-", "state": "all"}).content.decode()
    assert set(_customers(nobody)) == {people["ding"].pk}
    everyone = client.get("/revisits/compliance/", {"state": "all"}).content.decode()
    assert len(_customers(everyone)) == 4


def test_a_regional_supervisor_lists_only_the_customers_of_the_region(people):
    client = client_for(supervisor(region=people["east"]))
    listed = _customers(client.get("/revisits/compliance/", {"state": "all"}).content.decode())
    assert set(listed) == {people["jia"].pk, people["yi"].pk}


def test_the_export_holds_the_customers_the_page_lists(people):
    boss = supervisor(scope=DataScope.ALL, language="en")
    assert kind_for_user(REVISIT_COMPLIANCE.key, boss) is REVISIT_COMPLIANCE
    sheet, rows = export_sheet("revisit_compliance", boss, {})
    assert rows == 2 and sorted(column(sheet, "Customer")) == ["丙", "乙"]
    assert column(sheet, "In time") == ["no", "no"]
    sheet, rows = export_sheet("revisit_compliance", boss, {"by": "tier", "key": "key", "state": "all"})
    assert sorted(column(sheet, "Customer")) == ["丙", "乙", "甲"]
    last = dict(zip(column(sheet, "Customer"), column(sheet, "Last reached"), strict=True))
    assert last["丙"] is None and last["甲"].date() == add_months(clock.local_today(), -1)
    assert kind_for_user(REVISIT_COMPLIANCE.key, agent()) is None  # agents do not oversee
