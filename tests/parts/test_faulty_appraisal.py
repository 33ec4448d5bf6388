"""The faulty-part appraisal is one kind of appraisal (docs/appraisal.md): receiving a parts
return requests an appraisal of kind faulty part for each faulty part (the parts hook), signing
it gives the part its result in parts, and the mapping between the two vocabularies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aftersales.appraisal import services as appraisal_services
from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.faulty import CONCLUSION_OF_RESULT, faulty_result_of
from aftersales.appraisal.models import Appraisal, AppraisalPlace, AppraisalStatus, AppraisalSubject
from aftersales.appraisal.selectors import appraisals_visible_to, conclusions_by, ticket_appraisal_conclusion
from aftersales.core.errors import PermissionDenied
from aftersales.notifications.models import Notification
from aftersales.parts import services
from aftersales.parts.effects import FAULTY_PARTS_RECEIVED
from aftersales.parts.models import AppraisalResult, FaultyStatus
from aftersales.parts.services import FaultyInput
from aftersales.tickets.choices import Cause, Responsibility
from tests.appraisal.helpers import appraiser, customer_user, full_report

from .test_services import issued_to_van

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(stocked, board, sensor, work_order, technician, keeper):  # type: ignore[no-untyped-def]
    """A parts return of one unused sensor and one burnt board, received by the warehouse."""
    issued_to_van(work_order, stocked, [(board, 1), (sensor, 1)], keeper=keeper, actor=technician)
    part_return = services.return_create(
        work_order=work_order,
        technician=technician,
        warehouse=stocked,
        unused=[(sensor, 1)],
        faulty=[FaultyInput(part=board, serial="OLD-9", condition="烧毁")],
        actor=technician,
    )
    services.return_receive(part_return=part_return, actor=keeper)
    return part_return.faulty.get()


def test_receiving_a_return_requests_an_appraisal_of_each_faulty_part(received, board, work_order, keeper) -> None:  # type: ignore[no-untyped-def]
    appraisal = Appraisal.objects.get()
    assert appraisal.subject == AppraisalSubject.FAULTY_PART and appraisal.faulty_part_id == received.pk
    assert appraisal.ticket_id == work_order.ticket_id and appraisal.status == AppraisalStatus.REQUESTED
    assert appraisal.place == AppraisalPlace.RETURNED and appraisal.component_id == board.pk
    assert appraisal.product_unit_id == work_order.ticket.product_unit_id
    assert appraisal.requested_by == keeper and "OLD-9" in appraisal.request_note
    assert FAULTY_PARTS_RECEIVED.paths == ("aftersales.appraisal.receivers.faulty_parts_received",)
    # Requested once: the hook sent again (a retry) finds the part already under appraisal.
    FAULTY_PARTS_RECEIVED.send(faulty_ids=[received.pk], actor=keeper)
    assert Appraisal.objects.count() == 1


def test_signing_gives_the_part_its_result_and_leaves_the_ticket_and_customer_alone(received, work_order) -> None:  # type: ignore[no-untyped-def]
    who = appraiser()
    appraisal = Appraisal.objects.get()
    appraisal = appraisal_services.appraisal_assign(appraisal=appraisal, actor=who, appraiser=who)
    appraisal = appraisal_services.appraisal_start(appraisal=appraisal, actor=who)
    report = full_report(responsibility=Responsibility.SUPPLIER, supplier="宁波电子", component_text="")
    appraisal = appraisal_services.appraisal_record_report(appraisal=appraisal, actor=who, report=report)
    before = Notification.objects.count()
    appraisal_services.appraisal_sign(appraisal=appraisal, actor=who)
    received.refresh_from_db()
    assert received.status == FaultyStatus.APPRAISED
    assert received.appraisal_result == AppraisalResult.SUPPLIER_DEFECT and received.appraised_by == who
    assert received.appraisal_note == "启动电容击穿。"
    ticket = work_order.ticket
    ticket.refresh_from_db()
    assert ticket.responsibility == "" and ticket_appraisal_conclusion(ticket=ticket) is None
    assert Notification.objects.count() == before, "the customer is not told about a part's appraisal"
    rows = conclusions_by("supplier")
    assert any(row["supplier"] == "宁波电子" for row in rows)
    customer = customer_user(ticket.customer)
    assert not appraisals_visible_to(customer).exists()
    with pytest.raises(PermissionDenied):
        appraisal_services.appraisal_answer(
            appraisal=Appraisal.objects.get(), decision="accepted", customer_id=ticket.customer_id
        )


def test_a_part_appraised_by_the_parts_form_keeps_its_result(received, keeper) -> None:  # type: ignore[no-untyped-def]
    services.faulty_appraise(faulty=received, actor=keeper, result=AppraisalResult.WEAR, note="正常磨损")
    assert services.faulty_appraised(faulty_id=received.pk, actor=keeper, result=AppraisalResult.MISUSE) is None
    received.refresh_from_db()
    assert received.appraisal_result == AppraisalResult.WEAR


@pytest.mark.parametrize(
    ("result", "fault_type", "cause", "responsibility", "sanbao"),
    [
        (AppraisalResult.SUPPLIER_DEFECT, FaultType.PERFORMANCE, Cause.MATERIALS, Responsibility.SUPPLIER, True),
        (AppraisalResult.WEAR, FaultType.NON_PERFORMANCE, Cause.ENVIRONMENT, "", True),
        (AppraisalResult.MISUSE, FaultType.MAN_MADE, Cause.MISUSE, Responsibility.CUSTOMER, False),
        (AppraisalResult.NO_FAULT, FaultType.NO_FAULT, "", "", False),
    ],
)
def test_the_mapping_of_the_old_results_goes_both_ways(result, fault_type, cause, responsibility, sanbao) -> None:  # type: ignore[no-untyped-def]
    conclusion = CONCLUSION_OF_RESULT[result]
    assert (conclusion["fault_type"], conclusion["cause"], conclusion["responsibility"]) == (fault_type, cause, responsibility)
    assert conclusion["sanbao_applies"] is sanbao
    assert faulty_result_of(fault_type=fault_type, responsibility=responsibility) == result
    assert set(CONCLUSION_OF_RESULT) == set(AppraisalResult.values)


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_signed_appraisals_of_the_parts_appraised_in_place(  # type: ignore[no-untyped-def]
    received, keeper, work_order
) -> None:
    Appraisal.objects.all().delete()  # as before the hook: appraised in place only
    services.faulty_appraise(faulty=received, actor=keeper, result=AppraisalResult.MISUSE, note="进水烧毁")
    executor = MigrationExecutor(connection)
    executor.migrate([("appraisal", "0002_faulty_part_subject")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("appraisal", "0003_faulty_parts_appraised")])
    # Back to the latest state before reading through the current model (later migrations add columns).
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    appraisal = Appraisal.objects.get(faulty_part=received)
    received.refresh_from_db()
    assert appraisal.subject == AppraisalSubject.FAULTY_PART and appraisal.status == AppraisalStatus.SIGNED
    assert (appraisal.fault_type, appraisal.cause, appraisal.responsibility) == (FaultType.MAN_MADE, Cause.MISUSE, "customer")
    assert appraisal.sanbao_applies is False and appraisal.findings == "进水烧毁"
    assert appraisal.signed_by == keeper and appraisal.signed_at == received.appraised_at
    assert appraisal.ticket_id == work_order.ticket_id and appraisal.component_id == received.part_id
