"""Work orders: creation from a measure, every move of the status machine, its guards, the
timeline and audit entries, notifications and the measure completing."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.fieldservice import services
from aftersales.fieldservice.models import AcceptanceCode, WorkOrderStatus
from aftersales.fieldservice.states import TRANSITIONS
from aftersales.notifications.models import Notification
from aftersales.tickets.models import MeasureKind, MeasureStatus, TicketEvent
from aftersales.tickets.process import ticket_hold
from aftersales.tickets.states import TicketStatus
from tests.factories import make_ticket

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    photo,
    signature_data,
    skill,
    technician,
    unit_in_warranty,
    walk_to,
    window,
)

pytestmark = pytest.mark.django_db
W = WorkOrderStatus


@pytest.fixture
def people():
    return {"handler": agent(), "boss": dispatcher(), "tech": technician()}


@pytest.fixture
def job(people):
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_in_warranty())
    return new_job(handler=people["handler"], measure=measure, site_requirements="商场需提前办理进场证")


def test_a_work_order_is_created_from_the_agreed_measure_with_the_tickets_address(people, job):
    assert job.number.startswith("WO") and job.status == W.TO_DISPATCH
    assert job.kind == MeasureKind.ONSITE_REPAIR and job.address == "漕溪北路88号3栋502室"
    assert fresh(job).measure.status == MeasureStatus.IN_PROGRESS
    assert TicketEvent.objects.filter(ticket=job.ticket, data__work_order=job.number, data__action="created").exists()
    assert AuditEvent.objects.filter(action="fieldservice.created", object_id=str(job.pk)).exists()
    assert not job.chargeable  # the unit is in warranty


def test_work_orders_only_while_the_plan_is_agreed_and_the_ticket_in_progress_or_on_hold():
    handler = agent()
    ticket = make_ticket(actor=handler)
    _ticket, measure = in_progress_ticket(actor=handler)
    ticket_hold(ticket=measure.plan.ticket, actor=handler, reason="等配件")
    assert new_job(handler=handler, measure=measure).status == W.TO_DISPATCH  # on hold is fine
    _t2, other = in_progress_ticket(actor=handler, kind=MeasureKind.REFUND)
    with pytest.raises(ValidationFailed) as exc:
        new_job(handler=handler, measure=other)
    assert exc.value.code == "measure_kind_not_field"
    assert ticket.status == TicketStatus.REGISTERED


def test_a_technician_cannot_create_work_orders(people):
    _ticket, measure = in_progress_ticket(actor=people["handler"])
    with pytest.raises(PermissionDenied):
        new_job(handler=people["tech"], measure=measure)


def test_the_happy_path_to_customer_acceptance_completes_the_measure(people, job):
    done = walk_to(job, "done", boss=people["boss"], tech=people["tech"])
    assert done.status == W.DONE and done.checked_in_at and done.checked_out_at
    acceptance = services.work_order_customer_accept(
        work_order=done, actor=people["tech"], method="signature", signer_name="张伟", signature=signature_data()
    )
    assert acceptance.signature and acceptance.summary["number"] == job.number
    job = fresh(job)
    assert job.status == W.CUSTOMER_ACCEPTED
    assert job.measure.status == MeasureStatus.DONE
    actions = list(
        TicketEvent.objects.filter(ticket=job.ticket, data__work_order=job.number).values_list("data__action", flat=True)
    )
    for step in (
        "status.dispatched",
        "status.accepted",
        "status.on_the_way",
        "status.on_site",
        "status.done",
        "status.customer_accepted",
    ):
        assert step in actions
    templates = set(Notification.objects.filter(ticket=job.ticket).values_list("template", flat=True))
    assert {"fieldservice.appointment", "fieldservice.on_the_way", "fieldservice.job"} <= templates


def test_every_move_the_machine_lacks_is_refused_with_a_clear_error(people, job):
    assert W.DONE not in TRANSITIONS[W.TO_DISPATCH]
    with pytest.raises(PermissionDenied):  # not dispatched to anyone yet
        services.work_order_accept(work_order=job, actor=people["tech"])
    walk_to(job, "dispatched", boss=people["boss"], tech=people["tech"])
    with pytest.raises(DomainError) as exc:
        services.work_order_check_out(work_order=fresh(job), actor=people["tech"])
    assert exc.value.code == "not_on_site"
    with pytest.raises(DomainError) as exc:
        services.work_order_depart(work_order=fresh(job), actor=people["tech"])  # must accept first
    assert exc.value.code == "transition_not_allowed"


def test_completion_needs_work_hours_and_both_photos(people, job):
    walk_to(job, "on_site", boss=people["boss"], tech=people["tech"])
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_check_out(work_order=fresh(job), actor=people["tech"])
    assert {"work_done", "labour_hours", "photos"} <= set(exc.value.errors)
    services.work_order_record_work(work_order=fresh(job), actor=people["tech"], diagnosis="d", work_done="w", labour_hours="1")
    services.work_order_add_photo(work_order=fresh(job), actor=people["tech"], kind="before", file=photo())
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_check_out(work_order=fresh(job), actor=people["tech"])
    assert set(exc.value.errors) == {"photos"}
    services.work_order_add_photo(work_order=fresh(job), actor=people["tech"], kind="after", file=photo())
    assert services.work_order_check_out(work_order=fresh(job), actor=people["tech"]).status == W.DONE


def test_reassign_reschedule_cancel_and_fail(people, job):
    other = technician()
    walk_to(job, "accepted", boss=people["boss"], tech=people["tech"])
    moved = services.work_order_dispatch(work_order=fresh(job), actor=people["boss"], technician=other)
    assert moved.status == W.DISPATCHED and moved.technician == other and moved.accepted_at is None
    assert Notification.objects.filter(user=people["tech"], template="fieldservice.job").count() == 2  # new job, then reassigned
    told = Notification.objects.filter(ticket=job.ticket, template="fieldservice.reassigned").values_list("body", flat=True)
    assert told and all(str(other) in body for body in told)  # the customer hears who comes now
    with pytest.raises(DomainError):
        services.work_order_dispatch(work_order=fresh(job), actor=people["boss"], technician=other)
    start, end = window(days=1, hour=14)
    with pytest.raises(ValidationFailed):
        services.work_order_reschedule(
            work_order=fresh(job), actor=people["boss"], appointment_start=start, appointment_end=end, reason=""
        )
    moved = services.work_order_reschedule(
        work_order=fresh(job), actor=people["boss"], appointment_start=start, appointment_end=end, reason="客户改约"
    )
    assert moved.status == W.RESCHEDULED and moved.appointment_start == start
    assert Notification.objects.filter(ticket=job.ticket, template="fieldservice.rescheduled").exists()
    services.work_order_accept(work_order=fresh(job), actor=other)
    services.work_order_depart(work_order=fresh(job), actor=other)
    with pytest.raises(ValidationFailed):
        services.work_order_fail(work_order=fresh(job), actor=other, reason=" ")
    failed = services.work_order_fail(work_order=fresh(job), actor=other, reason="客户不在家")
    assert failed.status == W.FAILED and failed.status_reason == "客户不在家"
    with pytest.raises(DomainError):
        services.work_order_cancel(work_order=fresh(job), actor=people["boss"], reason="x")
    assert fresh(job).measure.status == MeasureStatus.IN_PROGRESS  # nothing accepted yet


def test_cancelled_and_accepted_work_orders_complete_the_measure(people, job):
    second = new_job(handler=people["handler"], measure=job.measure)
    services.work_order_cancel(work_order=second, actor=people["boss"], reason="重复派单")
    done = walk_to(job, "done", boss=people["boss"], tech=people["tech"])
    assert fresh(job).measure.status == MeasureStatus.IN_PROGRESS
    services.work_order_customer_accept(
        work_order=done, actor=people["tech"], method="signature", signer_name="张伟", signature=signature_data()
    )
    assert fresh(job).measure.status == MeasureStatus.DONE


def test_a_stale_version_is_refused(people, job):
    with pytest.raises(Conflict):
        services.work_order_dispatch(
            work_order=job,
            actor=people["boss"],
            technician=people["tech"],
            appointment_start=window()[0],
            appointment_end=window()[1],
            expected_version=job.version + 1,
        )


def test_dispatch_needs_a_window_and_a_technician(people, job):
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_dispatch(work_order=job, actor=people["boss"], technician=people["tech"])
    assert exc.value.code == "window_required"
    start, end = window()
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_dispatch(
            work_order=job, actor=people["boss"], technician=people["handler"], appointment_start=start, appointment_end=end
        )
    assert exc.value.code == "not_a_technician"
    with pytest.raises(ValidationFailed):
        services.work_order_dispatch(
            work_order=job, actor=people["boss"], technician=people["tech"], appointment_start=end, appointment_end=start
        )


def test_location_is_stored_only_with_consent(people, job):
    walk_to(job, "on_the_way", boss=people["boss"], tech=people["tech"])
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_check_in(work_order=fresh(job), actor=people["tech"], lat="31.2", lng="121.4")
    assert exc.value.code == "location_without_consent"
    checked = services.work_order_check_in(
        work_order=fresh(job), actor=people["tech"], share_location=True, lat="31.2", lng="121.4"
    )
    assert str(checked.check_in_lat) == "31.200000"


def test_check_in_without_location_keeps_none(people, job):
    walk_to(job, "on_the_way", boss=people["boss"], tech=people["tech"])
    checked = services.work_order_check_in(work_order=fresh(job), actor=people["tech"], share_location=True)
    assert checked.check_in_lat is None and checked.check_in_lng is None


def test_one_time_code_acceptance_hashed_limited_and_expiring(people, job, settings):
    settings.FIELDSERVICE_ACCEPTANCE_CODE_ATTEMPTS = 2
    done = walk_to(job, "done", boss=people["boss"], tech=people["tech"])
    record = services.acceptance_code_send(work_order=done, actor=people["tech"])
    message = Notification.objects.filter(ticket=job.ticket, template="fieldservice.acceptance_code").latest("id")
    code = next(word for word in message.body.replace("：", " ").replace(":", " ").split() if word[:6].isdigit())[:6]
    assert code not in record.code_hash
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_customer_accept(
            work_order=fresh(job), actor=people["tech"], method="code", code="000000" if code != "000000" else "111111"
        )
    assert exc.value.code == "code_wrong"
    assert AcceptanceCode.objects.get(pk=record.pk).attempts == 1
    acceptance = services.work_order_customer_accept(work_order=fresh(job), actor=people["tech"], method="code", code=code)
    assert acceptance.method == "code" and fresh(job).status == W.CUSTOMER_ACCEPTED


def test_a_code_locks_after_too_many_attempts_and_expires(people, job, settings):
    settings.FIELDSERVICE_ACCEPTANCE_CODE_ATTEMPTS = 1
    done = walk_to(job, "done", boss=people["boss"], tech=people["tech"])
    record = services.acceptance_code_send(work_order=done, actor=people["tech"])
    with pytest.raises(ValidationFailed):
        services.work_order_customer_accept(work_order=fresh(job), actor=people["tech"], method="code", code="x")
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_customer_accept(work_order=fresh(job), actor=people["tech"], method="code", code="x")
    assert exc.value.code == "code_locked"
    services.acceptance_code_send(work_order=fresh(job), actor=people["tech"])
    latest = AcceptanceCode.objects.filter(work_order=job).latest("id")
    assert AcceptanceCode.objects.get(pk=record.pk).revoked
    AcceptanceCode.objects.filter(pk=latest.pk).update(expires_at=latest.created_at - dt.timedelta(seconds=1))
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_customer_accept(work_order=fresh(job), actor=people["tech"], method="code", code="123456")
    assert exc.value.code == "code_expired"


def test_required_skills_and_permits_are_kept(people):
    _ticket, measure = in_progress_ticket(actor=people["handler"])
    permit = photo("permit.png")
    job = new_job(handler=people["handler"], measure=measure, required_skills=[skill("hvac", "制冷")], permits=[permit])
    assert list(job.required_skills.values_list("code", flat=True)) == ["hvac"]
    assert job.files.get().kind == "permit"


def test_acceptance_codes_are_rate_limited_per_job(people, job):
    done = walk_to(job, "done", boss=people["boss"], tech=people["tech"])
    for _i in range(services.CODES_PER_HOUR):
        services.acceptance_code_send(work_order=fresh(done), actor=people["tech"])
    with pytest.raises(DomainError) as exc:
        services.acceptance_code_send(work_order=fresh(done), actor=people["tech"])
    assert exc.value.code == "code_rate_limited"
    assert AcceptanceCode.objects.filter(work_order=job, revoked=False).count() == 1


def test_a_cancelled_ticket_takes_no_more_field_work_but_its_jobs_can_be_cancelled(people, job):
    from aftersales.tickets.models import Ticket

    walk_to(job, "dispatched", boss=people["boss"], tech=people["tech"])
    Ticket.objects.filter(pk=job.ticket_id).update(status=TicketStatus.CANCELLED)
    with pytest.raises(DomainError) as exc:
        services.work_order_accept(work_order=fresh(job), actor=people["tech"])
    assert exc.value.code == "ticket_final"
    assert services.work_order_cancel(work_order=fresh(job), actor=people["boss"], reason="工单已撤销").status == W.CANCELLED
