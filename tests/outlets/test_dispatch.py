"""Work order → outlet: dispatching to a technician of an outlet's team freezes the outlet on the
job; a re-dispatch changes or clears it; moving the technician later leaves the job alone. The
work order page and the dispatch board show the outlet."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from aftersales.fieldservice import services
from tests.factories import TeamFactory
from tests.fieldservice.helpers import agent, dispatcher, fresh, in_progress_ticket, new_job, technician, unit_in_warranty, window

from .factories import OutletFactory, outlet_technician

pytestmark = pytest.mark.django_db


def test_the_outlet_is_frozen_at_dispatch_and_follows_a_redispatch():
    handler, boss = agent(), dispatcher()
    outlet = OutletFactory(name="徐汇授权网点")
    outside = outlet_technician(outlet)
    own = technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = new_job(handler=handler, measure=measure)
    start, end = window(days=1)
    services.work_order_dispatch(work_order=job, actor=boss, technician=outside, appointment_start=start, appointment_end=end)
    job = fresh(job)
    assert job.outlet == outlet
    event = AuditEvent.objects.filter(action="fieldservice.status.dispatched", object_id=str(job.pk)).latest("id")
    assert event.changes["outlet"] == [None, outlet.pk]

    # The technician moves to another team: the dispatched job stays the outlet's.
    outside.team = TeamFactory()
    outside.save(update_fields=["team"])
    assert fresh(job).outlet == outlet

    services.work_order_dispatch(work_order=fresh(job), actor=boss, technician=own)
    assert fresh(job).outlet is None  # re-dispatched to an own technician


def test_the_work_order_page_and_the_board_show_the_outlet():
    handler, boss = agent(), dispatcher()
    outlet = OutletFactory(name="徐汇授权网点")
    outside = outlet_technician(outlet)
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    waiting = new_job(handler=handler, measure=measure)
    job = new_job(handler=handler, measure=measure)
    start, end = window()
    services.work_order_dispatch(work_order=job, actor=boss, technician=outside, appointment_start=start, appointment_end=end)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(boss)
    page = client.get(reverse("fieldservice:detail", args=[job.number]))
    assert page.status_code == 200
    assert 'data-test-id="wo-outlet"' in page.content.decode() and "徐汇授权网点" in page.content.decode()
    board = client.get(reverse("fieldservice:board") + f"?day={start.date():%Y-%m-%d}").content.decode()
    assert 'data-test-id="board-outlet"' in board  # the planned job goes outside
    assert 'data-test-id="suggestion-outlet"' in board and waiting.number in board  # so would a suggestion
