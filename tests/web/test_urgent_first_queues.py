"""SPEC §2.4: urgent tickets go first in every work queue. The dispatch board's "to dispatch"
list, the appraisal queue, the returns worklist and the approval queue put an urgent ticket's
item first even when it came last, with the priority badge; the planned visits (the board's
"planned" list, the technician's day) keep their time order and only show the badge."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.models import DataScope, Role
from aftersales.compensation import services as compensation_services
from aftersales.core import clock
from aftersales.fieldservice import services as fieldservice_services
from aftersales.fieldservice.models import WorkOrderStatus
from aftersales.tickets.models import MeasureKind, Priority, Ticket
from tests.appraisal.helpers import agent as appraisal_agent
from tests.appraisal.helpers import appraiser, ticket_with_unit
from tests.appraisal.helpers import walk as walk_appraisal
from tests.clients import client_for
from tests.compensation.helpers import agent as compensation_agent
from tests.compensation.helpers import rule, supervisor, ticket_with
from tests.factories import ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import agent, dispatcher, in_progress_ticket, new_job, technician, unit_in_warranty
from tests.parts.factories import make_work_order
from tests.returns.helpers import walk_to, world

pytestmark = pytest.mark.django_db

BADGE = 'data-test-id="urgent-badge"'


def make_urgent(ticket: Ticket) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.URGENT)


def numbers(page: str, test_id: str, attribute: str = "data-number") -> list[str]:
    return re.findall(rf'data-test-id="{test_id}"[^>]*?{attribute}="([^"]+)"', page)


def badged(page: str, test_id: str, attribute: str = "data-number") -> list[str]:
    """The rows of ``test_id`` whose own markup (up to the next row) carries the urgent badge."""
    parts = re.split(rf'(?=<[^<]*data-test-id="{test_id}")', page)[1:]
    found = []
    for part in parts:
        part = re.split(r"</li>|</article>|</section>", part, maxsplit=1)[0]
        match = re.search(rf'{attribute}="([^"]+)"', part)
        if match and BADGE in part:
            found.append(match.group(1))
    return found


def at(days: int, hour: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(
        clock.local_today() + dt.timedelta(days=days), dt.time(hour), tzinfo=timezone.get_default_timezone()
    )
    return start, start + dt.timedelta(hours=2)


def test_dispatch_board_lists_the_urgent_job_first_and_keeps_planned_visits_in_time_order():
    handler, boss = agent(), dispatcher()
    region = RegionFactory(code="east", name="华东")
    tech = technician(regions=[region])
    _t1, m1 = in_progress_ticket(actor=handler, unit=unit_in_warranty(), region=region)
    urgent_ticket, m2 = in_progress_ticket(actor=handler, unit=unit_in_warranty(), region=region)
    make_urgent(urgent_ticket)
    early = new_job(handler=handler, measure=m1, region=region)
    urgent = new_job(handler=handler, measure=m2, region=region)  # created last
    # Planned this day: the normal visit at 09:00, the urgent one at 15:00.
    planned_normal = new_job(handler=handler, measure=m1, region=region)
    planned_urgent = new_job(handler=handler, measure=m2, region=region)
    for job, hour in ((planned_normal, 9), (planned_urgent, 15)):
        start, end = at(0, hour)
        fieldservice_services.work_order_dispatch(
            work_order=job, actor=boss, technician=tech, appointment_start=start, appointment_end=end
        )
    page = client_for(boss).get(reverse("fieldservice:board")).content.decode()
    assert numbers(page, "board-job") == [urgent.number, early.number]
    assert badged(page, "board-job") == [urgent.number]
    assert numbers(page, "board-planned") == [planned_normal.number, planned_urgent.number]
    assert badged(page, "board-planned") == [planned_urgent.number]


def test_technicians_day_keeps_the_visit_order_and_badges_the_urgent_job():
    tech = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN)
    jobs = []
    for hour, priority in ((9, Priority.NORMAL), (14, Priority.URGENT)):
        ticket = make_ticket(phone=f"1391000{hour:04d}", serial_number=ProductUnitFactory().serial_number, priority=priority)
        start, end = at(0, hour)
        jobs.append(
            make_work_order(
                ticket=ticket, technician=tech, status=WorkOrderStatus.DISPATCHED, appointment_start=start, appointment_end=end
            )
        )
    page = client_for(tech).get(reverse("desk:today")).content.decode()
    assert numbers(page, "today-job") == [jobs[0].number, jobs[1].number]
    assert badged(page, "today-job") == [jobs[1].number]


def test_appraisal_queue_puts_the_urgent_request_first():
    who = appraiser()
    first = walk_appraisal(to="requested", who=who)
    ticket = ticket_with_unit(actor=appraisal_agent(), priority=Priority.URGENT)
    urgent = walk_appraisal(to="requested", ticket=ticket, who=who)  # created last
    page = client_for(who).get(reverse("appraisal:queue")).content.decode()
    assert numbers(page, "queue-row", "data-id") == [str(urgent.pk), str(first.pk)]
    assert badged(page, "queue-row", "data-id") == [str(urgent.pk)]


def test_returns_worklists_put_the_urgent_return_first():
    w = world(stock=4)
    first = w.authorise()
    urgent = w.authorise()  # created last
    make_urgent(urgent.ticket)
    keeper = client_for(w.keeper)
    expected = keeper.get(reverse("returns:worklist")).content.decode()
    assert numbers(expected, "rma-card") == [urgent.number, first.number]
    assert badged(expected, "rma-card") == [urgent.number]
    walk_to(first, "received", w)
    walk_to(urgent, "received", w)  # received last
    received = keeper.get(reverse("returns:worklist") + "?view=received").content.decode()
    assert numbers(received, "rma-card") == [urgent.number, first.number]


def test_approval_queue_puts_the_urgent_refund_first():
    handler = compensation_agent()
    rule(MeasureKind.REFUND, "2000")  # the plans (1000) need no approval; the refunds (2650) do
    _t1, m1 = ticket_with(actor=handler, phone="13911110001", purchase_days_ago=100)
    t2, m2 = ticket_with(actor=handler, phone="13911110002", purchase_days_ago=100)
    make_urgent(t2)
    refund = {"method": "original", "price_paid": "3000", "daily_rate": "0.001", "fees": "50"}
    first = compensation_services.refund_request(measure=m1, actor=handler, **refund)
    urgent = compensation_services.refund_request(measure=m2, actor=handler, **refund)  # requested last
    page = client_for(supervisor()).get(reverse("compensation:queues")).content.decode()
    decide = page.split('data-test-id="queue-decide"', 1)[1].split("</section>", 1)[0]
    assert decide.index(urgent.number) < decide.index(first.number)
    row = decide.split(urgent.number, 1)[1].split("</li>", 1)[0]
    assert BADGE in row
    assert BADGE not in decide.split(first.number, 1)[1].split("</li>", 1)[0]
