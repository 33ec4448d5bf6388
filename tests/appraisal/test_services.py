"""The appraisal's services: the walk through the statuses, the refusals naming their field, the
conclusion the other apps read, the ticket fed, the audit and the timeline."""

from __future__ import annotations

import pytest

from aftersales.appraisal import services
from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.models import Appraisal, AppraisalFile, AppraisalPlace, AppraisalStatus, FileKind
from aftersales.appraisal.selectors import (
    appraisals_for,
    appraisals_visible_to,
    appraiser_queue,
    conclusions_by,
    ticket_appraisal_conclusion,
)
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.notifications.models import Notification
from aftersales.tickets.choices import Cause, Responsibility
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.process import ticket_cancel
from tests.appraisal.helpers import A, agent, appraiser, customer_user, full_report, photo, ticket_with_unit, walk

pytestmark = pytest.mark.django_db


def test_the_walk_to_a_signed_report_feeds_the_ticket_and_tells_the_customer():
    who = appraiser()
    appraisal = walk(to=A.SIGNED, who=who)
    appraisal.refresh_from_db()
    ticket = appraisal.ticket
    ticket.refresh_from_db()
    assert appraisal.status == A.SIGNED
    assert appraisal.signed_by == who and appraisal.signed_at is not None
    assert appraisal.product_model_id == ticket.product_unit.model_id and appraisal.batch == "B20260301"
    # The conclusion fed the ticket through the tickets app's audited write.
    assert ticket.responsibility == Responsibility.SUPPLIER
    assert ticket.responsible_party == "宁波电容厂"
    assert ticket.cause == Cause.MATERIALS
    assert AuditEvent.objects.filter(action="ticket.responsibility_set", object_id=str(ticket.pk)).exists()
    # Every step audited (typed) and on the timeline.
    actions = list(AuditEvent.objects.filter(object_type="appraisal.appraisal").values_list("action", flat=True))
    assert set(actions) >= {
        "appraisal.requested",
        "appraisal.assigned",
        "appraisal.in_progress",
        "appraisal.reported",
        "appraisal.signed",
    }
    assert TicketEvent.objects.filter(ticket=ticket, data__appraisal=appraisal.pk, data__action="signed", public=True).exists()
    # The result notice, with the absolute signed link to the portal page.
    notices = Notification.objects.filter(ticket=ticket, template="appraisal.result")
    assert notices.exists()
    assert all("http" in n.body and "/portal/appraisal/" in n.body for n in notices)


def test_conclusion_for_the_remedies_engine():
    appraisal = walk(to=A.REPORTED)
    assert ticket_appraisal_conclusion(ticket=appraisal.ticket) is None  # a draft concludes nothing
    services.appraisal_sign(appraisal=appraisal, actor=appraisal.appraiser)
    conclusion = ticket_appraisal_conclusion(ticket=appraisal.ticket)
    assert conclusion is not None
    assert conclusion.appraisal_id == appraisal.pk
    assert conclusion.fault_type == FaultType.PERFORMANCE and conclusion.sanbao_applies is True
    assert conclusion.cause == Cause.MATERIALS and conclusion.responsibility == Responsibility.SUPPLIER
    assert conclusion.component == "启动电容" and conclusion.signed_at is not None
    with pytest.raises(AttributeError):
        conclusion.fault_type = "x"  # type: ignore[misc]


def test_a_signed_reappraisal_wins_over_the_first():
    first = walk(to=A.REAPPRAISAL)
    second = Appraisal.objects.get(previous=first)
    assert second.status == A.REQUESTED and second.request_note == "不认可"
    assert ticket_appraisal_conclusion(ticket=first.ticket).disputed  # the first, disputed, until the second is signed
    who = appraiser()
    services.appraisal_assign(appraisal=second, actor=agent(), appraiser=who)
    services.appraisal_record_report(
        appraisal=second,
        actor=who,
        report=full_report(
            fault_type=FaultType.MAN_MADE,
            sanbao_applies=False,
            cause=Cause.MISUSE,
            responsibility=Responsibility.CUSTOMER,
            supplier="",
        ),
    )
    services.appraisal_add_file(appraisal=second, actor=who, kind=FileKind.EXTERNAL_REPORT, fileobj=photo(), name="检测报告.png")
    services.appraisal_sign(appraisal=second, actor=who)
    conclusion = ticket_appraisal_conclusion(ticket=first.ticket)
    assert conclusion.appraisal_id == second.pk and conclusion.fault_type == FaultType.MAN_MADE
    assert conclusion.sanbao_applies is False
    assert [a.pk for a in appraisals_for(product_model_id=second.product_model_id)] == [second.pk]


def test_selectors_per_model_batch_component_supplier():
    one = walk(to=A.SIGNED)
    walk(to=A.SIGNED, supplier="另一家", component_text="")
    by_supplier = {row["supplier"]: row["n"] for row in conclusions_by("supplier")}
    assert by_supplier == {"宁波电容厂": 1, "另一家": 1}
    by_batch = conclusions_by("batch")
    assert by_batch == [{"batch": "B20260301", "fault_type": "performance", "n": 2, "sanbao": 2}]
    assert len(conclusions_by("model")) == 2  # each ticket's unit has its own model
    assert list(appraisals_for(supplier="宁波电容厂")) == [one]
    with pytest.raises(ValueError):
        conclusions_by("colour")


def test_no_appraisal_on_a_closed_ticket():
    requester = agent()
    ticket = ticket_with_unit(actor=requester)
    ticket_cancel(ticket=ticket, actor=requester, reason="客户撤回")
    ticket.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.appraisal_request(ticket=ticket, actor=requester, place=AppraisalPlace.ON_SITE)
    assert refused.value.code == "ticket_final" and refused.value.field == "ticket"
    assert not Appraisal.objects.exists()


def test_signing_needs_fault_type_and_conclusion():
    who = appraiser()
    appraisal = walk(to=A.IN_PROGRESS, who=who)
    services.appraisal_record_report(appraisal=appraisal, actor=who, report=services.ReportInput(symptom="不制冷"))
    with pytest.raises(ValidationFailed) as refused:
        services.appraisal_sign(appraisal=appraisal, actor=who)
    assert set(refused.value.errors) == {"fault_type", "sanbao_applies"}
    appraisal.refresh_from_db()
    assert appraisal.status == A.REPORTED and appraisal.signed_at is None


def test_report_input_is_checked_field_by_field_and_nothing_is_written():
    who = appraiser()
    appraisal = walk(to=A.IN_PROGRESS, who=who)
    bad = [
        ({"fault_type": "broken"}, "fault_type"),
        ({"cause": "gremlins"}, "cause"),
        ({"responsibility": Responsibility.SUPPLIER, "supplier": ""}, "supplier"),
        ({"fault_type": FaultType.NO_FAULT, "sanbao_applies": True}, "sanbao_applies"),
        ({"tests": [{"name": "", "reading": "1"}]}, "tests"),
        ({"tests": "x"}, "tests"),
        ({"component_id": 999999}, "component"),
    ]
    for overrides, name in bad:
        with pytest.raises(ValidationFailed) as refused:
            services.appraisal_record_report(appraisal=appraisal, actor=who, report=full_report(**overrides))
        assert name in refused.value.errors, overrides
    appraisal.refresh_from_db()
    assert appraisal.status == A.IN_PROGRESS and appraisal.symptom == ""


def test_signed_report_is_read_only():
    appraisal = walk(to=A.SIGNED)
    with pytest.raises(DomainError) as refused:
        services.appraisal_record_report(appraisal=appraisal, actor=appraisal.appraiser, report=full_report(symptom="改"))
    assert refused.value.code == "report_read_only"
    with pytest.raises(DomainError):
        services.appraisal_add_file(
            appraisal=appraisal, actor=appraisal.appraiser, kind=FileKind.PHOTO, fileobj=photo(), name="a.png"
        )


def test_only_the_assigned_appraiser_writes_and_signs():
    appraisal = walk(to=A.REPORTED)
    with pytest.raises(PermissionDenied):
        services.appraisal_sign(appraisal=appraisal, actor=appraiser())
    with pytest.raises(PermissionDenied):
        services.appraisal_record_report(appraisal=appraisal, actor=agent(), report=full_report())


def test_stale_version_is_refused():
    appraisal = walk(to=A.ASSIGNED)
    with pytest.raises(Conflict):
        services.appraisal_start(appraisal=appraisal, actor=appraisal.appraiser, expected_version=appraisal.version - 1)


def test_illegal_move_is_refused_by_the_table():
    appraisal = walk(to=A.REQUESTED)
    with pytest.raises(PermissionDenied):
        services.appraisal_start(appraisal=appraisal, actor=appraiser())
    signed = walk(to=A.SIGNED)
    with pytest.raises(DomainError) as refused:
        services.appraisal_cancel(appraisal=signed, actor=agent(), reason="不要了")
    assert refused.value.code == "illegal_transition"


def test_customer_answers_once_and_only_their_own():
    appraisal = walk(to=A.SIGNED)
    other = walk(to=A.SIGNED)
    owner = customer_user(appraisal.ticket.customer)
    with pytest.raises(PermissionDenied):
        services.appraisal_answer(appraisal=other, actor=owner, decision="accepted")
    with pytest.raises(PermissionDenied):
        services.appraisal_answer(appraisal=appraisal, customer_id=other.ticket.customer_id, decision="accepted")
    services.appraisal_answer(appraisal=appraisal, actor=owner, decision="accepted")
    with pytest.raises(DomainError) as refused:
        services.appraisal_answer(appraisal=appraisal, actor=owner, decision="reappraisal", reason="再看看")
    assert refused.value.code == "already_answered" and refused.value.field == "decision"
    appraisal.refresh_from_db()
    assert appraisal.status == A.ACCEPTED and not Appraisal.objects.filter(previous=appraisal).exists()


def test_reappraisal_needs_a_reason():
    appraisal = walk(to=A.SIGNED)
    with pytest.raises(ValidationFailed) as refused:
        services.appraisal_answer(appraisal=appraisal, customer_id=appraisal.ticket.customer_id, decision="reappraisal")
    assert refused.value.field == "reason"


def test_files_are_checked_from_the_bytes():
    who = appraiser()
    appraisal = walk(to=A.IN_PROGRESS, who=who)
    import io

    fake = io.BytesIO(b"MZ\x90\x00 not a picture at all")
    with pytest.raises(ValidationFailed) as refused:
        services.appraisal_add_file(appraisal=appraisal, actor=who, kind=FileKind.PHOTO, fileobj=fake, name="photo.jpg")
    assert refused.value.field == "file"
    stored = services.appraisal_add_file(appraisal=appraisal, actor=who, kind=FileKind.PHOTO, fileobj=photo(), name="外机.png")
    assert stored.content_type == "image/png" and AppraisalFile.objects.count() == 1


def test_queue_and_scope():
    region_user = appraiser(data_scope="region")
    mine = walk(to=A.ASSIGNED, who=region_user)
    open_request = walk(to=A.REQUESTED)
    queue = appraiser_queue(user=region_user)
    assert mine in queue["mine"]
    # Another region's unassigned request is out of an own-region appraiser's scope.
    assert open_request not in queue["unassigned"]
    everyone = appraiser()
    assert open_request in appraiser_queue(user=everyone)["unassigned"]
    services.appraisal_assign(appraisal=open_request, actor=everyone, appraiser=everyone)  # take it
    open_request.refresh_from_db()
    assert open_request.appraiser == everyone and open_request.status == AppraisalStatus.ASSIGNED
    # A customer sees only the signed reports of their own tickets.
    owner = customer_user(mine.ticket.customer)
    assert list(appraisals_visible_to(owner)) == []
