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


def test_no_dispatch_through_an_outlet_without_a_contract_in_force_that_day():
    import datetime as dt

    from aftersales.core.errors import ValidationFailed
    from aftersales.fieldservice.selectors import suggest_technicians

    handler, boss = agent(), dispatcher()
    start, end = window(days=1)
    day = start.date()
    ended = OutletFactory(name="合同到期网点", contract_until=day - dt.timedelta(days=1))
    closed = OutletFactory(name="停用网点", active=False, contract_from=None, contract_until=None)
    open_ended = OutletFactory(name="长期网点", contract_from=day, contract_until=None)
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = new_job(handler=handler, measure=measure)
    for outlet in (ended, closed):
        with pytest.raises(ValidationFailed) as refused:
            services.work_order_dispatch(
                work_order=fresh(job),
                actor=boss,
                technician=outlet_technician(outlet),
                appointment_start=start,
                appointment_end=end,
            )
        assert refused.value.field == "technician" and outlet.name in str(refused.value)
        assert fresh(job).technician is None  # nothing half-done

    # The dispatch board does not suggest them either; the outlet in force is suggested and taken.
    taken = outlet_technician(open_ended)
    suggested = {s.technician.pk for s in suggest_technicians(work_order=fresh(job), day=day, limit=50)}
    assert taken.pk in suggested
    assert not suggested & set(ended.team.members.values_list("pk", flat=True))
    services.work_order_dispatch(
        work_order=fresh(job), actor=boss, technician=taken, appointment_start=start, appointment_end=end
    )
    assert fresh(job).outlet == open_ended


def test_the_refusal_is_a_clear_error_on_the_dispatch_form_in_chinese():
    import datetime as dt

    handler, boss = agent(), dispatcher()
    start, end = window(days=1)
    ended = OutletFactory(name="合同到期网点", contract_until=start.date() - dt.timedelta(days=1))
    outside = outlet_technician(ended)
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = new_job(handler=handler, measure=measure)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(boss)
    page = client.post(
        reverse("fieldservice:action", args=[job.number, "dispatch"]),
        {
            "technician": outside.pk,
            "appointment_start": start.strftime("%Y-%m-%dT%H:%M"),
            "appointment_end": end.strftime("%Y-%m-%dT%H:%M"),
            "expected_version": job.version,
        },
        follow=True,
    )
    assert page.status_code == 200
    assert f"合同到期网点在 {start.date().isoformat()} 没有有效合同".encode() in page.content
    assert fresh(job).technician is None
