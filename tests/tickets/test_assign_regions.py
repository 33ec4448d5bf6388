"""``manage.py assign_regions``: tickets registered without a region get the region of their
address, in batches, with the counts moved and an audit row each; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from aftersales.accounts.models import RegionArea
from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_add_address
from aftersales.tickets.models import Ticket, TicketCount
from tests.accounts.test_regions import demo_regions
from tests.factories import RegionFactory, make_ticket

pytestmark = pytest.mark.django_db


def _counted(region_id: int | None) -> int:
    return TicketCount.objects.filter(region_key=region_id or 0).aggregate(n=Sum("n"))["n"] or 0


def _run(batch_size: int = 2) -> str:
    out = StringIO()
    call_command("assign_regions", batch_size=batch_size, stdout=out)
    return out.getvalue()


def test_old_tickets_get_the_region_of_their_address_once():
    # Registered before the region table had rows: no region.
    jiangsu = make_ticket(phone="13800000001", province="江苏省", city="南京市")
    shanghai = make_ticket(phone="13800000002", province="上海")
    nowhere = make_ticket(phone="13800000003", province="火星")
    at_home = make_ticket(phone="13800000004")  # no address on the ticket…
    assert {t.region_id for t in (jiangsu, shanghai, nowhere, at_home)} == {None}
    other = RegionFactory(code="other")
    by_hand = make_ticket(phone="13800000005", province="江苏", region=other)  # has one already: never touched
    regions = demo_regions()
    customer_add_address(
        customer=Customer.objects.get(pk=at_home.customer_id), province="广东", city="广州", detail="天河路 1 号"
    )
    assert _counted(None) == 4

    output = _run()

    stored = {t.pk: t.region_id for t in Ticket.objects.all()}
    assert stored[jiangsu.pk] == stored[shanghai.pk] == regions["east"].pk
    assert stored[at_home.pk] == regions["south"].pk  # …their customer's default address
    assert stored[nowhere.pk] is None
    assert stored[by_hand.pk] == other.pk
    assert "region assigned: 3" in output and "still without one: 1" in output
    # The counts moved with them (the dashboard and the list totals read them).
    assert (_counted(regions["east"].pk), _counted(regions["south"].pk), _counted(None), _counted(other.pk)) == (2, 1, 1, 1)
    audited = AuditEvent.objects.filter(action="ticket.region_set").values_list("object_id", "changes")
    assert {(pk, tuple(changes["region"])) for pk, changes in audited} == {
        (str(jiangsu.pk), (None, "east")),
        (str(shanghai.pk), (None, "east")),
        (str(at_home.pk), (None, "south")),
    }

    # Idempotent: nothing more to do, nothing written.
    again = _run()
    assert "region assigned: 0" in again
    assert AuditEvent.objects.filter(action="ticket.region_set").count() == 3
    assert (_counted(regions["east"].pk), _counted(None)) == (2, 1)

    # A row added later for the remaining place: the next run finds it.
    RegionArea.objects.create(region=regions["north"], province="火星")  # model save does not validate
    _run(batch_size=500)
    assert Ticket.objects.get(pk=nowhere.pk).region_id == regions["north"].pk
