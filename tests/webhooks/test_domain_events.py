"""Every event of the catalogue is sent by the change it names (docs/webhooks.md, "Events"): the
plan offered and answered, the survey answered, the work order completed and its appointment,
returns, refunds and compensation, the customer's contact data, an undelivered message, the
crisis — each recorded in the change's transaction for the subscriptions of its region, with
identifiers and statuses and not the customer's personal data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.compensation import services as compensation_services
from aftersales.crisis import services as crisis_services
from aftersales.crisis.models import CrisisLevel, CrisisType
from aftersales.customers.editing import customer_update, customer_update_address
from aftersales.customers.models import Address, Customer
from aftersales.feedback.links import survey_signed_token
from aftersales.feedback.services import survey_submit
from aftersales.fieldservice import services as fs_services
from aftersales.notifications.delivery import receipt_record
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.receipts import Receipt
from aftersales.notifications.services import notification_deliver, notify_ticket_customer
from aftersales.tickets.models import AgreementMethod, MeasureKind, Ticket
from aftersales.tickets.process import ticket_record_agreement, ticket_submit_plan
from aftersales.webhooks.models import SUBSCRIBABLE_EVENTS, Event, Subscription
from tests.compensation.helpers import finance, ticket_with
from tests.factories import CustomerFactory, RegionFactory, UserFactory, make_ticket
from tests.feedback.helpers import pending, resolved
from tests.fieldservice.helpers import dispatcher, in_progress_ticket, new_job, technician, walk_to, window
from tests.returns.helpers import walk_to as rma_walk_to
from tests.returns.helpers import world as returns_world
from tests.tickets.process_helpers import agent, analysed, refreshed, repair_plan

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def subscribe(*events: str, region: Region | None = None) -> Subscription:
    """An active subscription (the cache hears of it at once: the tests' local-memory cache)."""
    return Subscription.objects.create(
        name="CRM", target_url="https://crm.example.com/hook", secret="whsec_" + "s" * 32, event_types=list(events), region=region
    )


def sent(event: str) -> list[dict[str, Any]]:
    """The ``data`` of every ``event`` recorded, oldest first."""
    return [e.payload["data"] for e in Event.objects.filter(event_type=event).order_by("pk")]


def text_of(event: str) -> str:
    return json.dumps(sent(event), ensure_ascii=False)


def test_every_subscribable_event_has_its_row_here() -> None:
    """A new event type in the catalogue needs its emitter and its test (this module or the
    ticket and SLA tests of test_webhooks.py)."""
    covered = {
        "ticket.created",
        "ticket.status_changed",
        "sla.breached",
        "workorder.completed",
        "crisis.opened",
        "crisis.level_changed",
        "plan.offered",
        "plan.agreed",
        "plan.declined",
        "survey.answered",
        "return.status_changed",
        "refund.status_changed",
        "compensation.status_changed",
        "appointment.scheduled",
        "appointment.changed",
        "customer.updated",
        "notification.failed",
        # tests/webhooks/test_fulfilment_requested_events.py
        "refund.requested",
        "compensation.requested",
        # tests/webhooks/test_acceptance_events.py
        "ticket.solution_promised",
        "ticket.awaiting_acceptance",
        "ticket.result_accepted",
        "ticket.returned_for_rework",
    }
    assert {str(e) for e in SUBSCRIBABLE_EVENTS} == covered


def test_the_plan_offered_and_accepted_with_the_customers_link() -> None:
    subscribe("plan.offered", "plan.agreed", "plan.declined")
    handler = agent()
    ticket, _measure = in_progress_ticket(actor=handler)
    [offered] = sent("plan.offered")
    assert offered["ticket"]["number"] == ticket.number
    assert offered["ticket"]["status"] == "awaiting_customer"  # as the offer left it
    plan = offered["plan"]
    assert plan["number"] == 1 and plan["status"] == "awaiting_customer"
    assert plan["summary"] and plan["measures"][0]["kind"] == MeasureKind.ONSITE_REPAIR
    # The customer's signed link opens their ticket in the portal without signing in.
    link = offered["customer_url"]
    assert link.startswith("http") and "/portal/" in link
    assert Client().get(urlsplit(link).path).status_code == 200
    [agreed] = sent("plan.agreed")
    assert agreed["plan"]["status"] == "agreed" and agreed["method"] == AgreementMethod.PHONE
    assert agreed["ticket"]["status"] == "in_progress"
    assert sent("plan.declined") == []
    assert PHONE not in text_of("plan.offered") + text_of("plan.agreed")


def test_the_plan_declined() -> None:
    subscribe("plan.declined")
    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    repair_plan(ticket, handler)
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    ticket_record_agreement(
        ticket=ticket, actor=handler, accepted=False, method=AgreementMethod.PHONE, agreed_at=ticket.updated_at, note="太贵"
    )
    [declined] = sent("plan.declined")
    assert declined["plan"]["status"] == "declined" and declined["ticket"]["status"] == "planning"
    assert "太贵" not in text_of("plan.declined")  # the customer's words stay here


def test_the_survey_answered_with_its_scores_and_not_the_comment() -> None:
    subscribe("survey.answered")
    ticket = resolved(phone=PHONE)
    survey = pending(ticket)
    survey_submit(signed_token=survey_signed_token(survey=survey), overall=5, solved=True, speed=4, nps=9, comment="师傅很专业")
    [answered] = sent("survey.answered")
    assert answered["survey"] == survey.pk and answered["ticket"]["number"] == ticket.number
    assert answered["scores"]["overall"] == 5 and answered["scores"]["speed"] == 4
    assert (answered["solved"], answered["nps"], answered["has_comment"], answered["by_staff"]) == (True, 9, True, False)
    assert answered["ticket"]["status"] == "closed"  # the verdict was applied first
    assert "师傅很专业" not in text_of("survey.answered")


def test_the_appointment_scheduled_changed_and_the_work_completed() -> None:
    subscribe("appointment.scheduled", "appointment.changed", "workorder.completed")
    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler)
    job = new_job(handler=handler, measure=measure)
    job = walk_to(job, "dispatched", boss=boss, tech=tech)
    [scheduled] = sent("appointment.scheduled")
    start, end = window()
    assert scheduled["work_order"]["number"] == job.number and scheduled["change"] == "scheduled"
    assert dt.datetime.fromisoformat(scheduled["appointment"]["start"]) == start
    assert scheduled["previous_appointment"] is None
    later_start, later_end = window(days=1, hour=14)
    fs_services.work_order_reschedule(
        work_order=job, actor=boss, appointment_start=later_start, appointment_end=later_end, reason="客户出差"
    )
    [changed] = sent("appointment.changed")
    assert changed["change"] == "rescheduled"
    assert dt.datetime.fromisoformat(changed["appointment"]["end"]) == later_end
    assert dt.datetime.fromisoformat(changed["previous_appointment"]["end"]) == end
    assert "客户出差" not in text_of("appointment.changed")
    assert sent("workorder.completed") == []
    walk_to(job, "done", boss=boss, tech=technician())  # dispatched again to another technician, then the work
    assert [c["change"] for c in sent("appointment.changed")] == ["rescheduled", "reassigned"]
    [completed] = sent("workorder.completed")
    work_order = completed["work_order"]
    assert (work_order["number"], work_order["status"]) == (job.number, "done") and work_order["completed_at"]
    body = text_of("workorder.completed") + text_of("appointment.scheduled")
    assert "漕溪北路" not in body and PHONE not in body  # no address, no contact


def test_a_return_each_status_with_its_tracking_number() -> None:
    subscribe("return.status_changed")
    w = returns_world()
    rma = w.authorise()
    rma_walk_to(rma, "received", w)
    moves = [(d["from_status"], d["to_status"]) for d in sent("return.status_changed")]
    assert moves == [(None, "authorised"), ("authorised", "in_transit"), ("in_transit", "received")]
    last = sent("return.status_changed")[-1]["rma"]
    assert last["number"] == rma.number and last["tracking_number"] == "SF1234567890" and last["received_at"]
    assert "七天内性能故障" not in text_of("return.status_changed")  # the reason typed


def test_a_refund_and_a_compensation_move_by_move() -> None:
    subscribe("refund.status_changed", "compensation.status_changed")
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, purchase_days_ago=100)
    refund = compensation_services.refund_request(
        measure=measure, actor=handler, method="original", price_paid="3000", daily_rate="0.001", fees="50"
    )
    compensation_services.refund_pay(refund=refund, actor=finance(), payment_reference="BANK-1")
    moves = [(d["from_status"], d["to_status"]) for d in sent("refund.status_changed")]
    assert moves[-1] == ("approved", "paid")
    paid = sent("refund.status_changed")[-1]["refund"]
    assert paid["number"] == refund.number and paid["payment_reference"] == "BANK-1" and paid["amount"] == f"{refund.amount:.2f}"
    _ticket2, measure2 = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="200")
    item = compensation_services.compensation_request(
        measure=measure2, actor=handler, kind="coupon", amount="200", reason="服务延误"
    )
    [approved] = sent("compensation.status_changed")
    assert approved["compensation"]["number"] == item.number and approved["to_status"] == "approved"
    assert approved["compensation"]["kind"] == "coupon" and "code" not in approved["compensation"]


def test_customer_updated_names_the_fields_never_their_values() -> None:
    region = RegionFactory()
    subscribe("customer.updated", region=region)
    editor = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    customer = CustomerFactory(region=region, phone="+8613812345678", external_code="CRM-0042")
    customer_update(customer=customer, actor=editor, phone="13900001111", email="wang.fang@example.com", tier=None)
    [changed] = sent("customer.updated")
    assert changed["fields"] == ["phone", "email"]
    assert changed["customer"]["id"] == customer.pk and changed["customer"]["external_code"] == "CRM-0042"
    assert changed["customer"]["region"] == region.code
    assert "13900001111" not in text_of("customer.updated") and "wang.fang" not in text_of("customer.updated")
    # Nothing that is contact data changed (the notes): nothing sent.
    customer_update(customer=Customer.objects.get(pk=customer.pk), actor=editor, notes="老客户")
    assert len(sent("customer.updated")) == 1
    address = Address.objects.create(customer=customer, province="上海市", city="上海市", detail="漕溪北路88号", is_default=True)
    customer_update_address(address=address, actor=editor, province="上海市", city="上海市", detail="漕溪北路99号")
    assert sent("customer.updated")[-1]["fields"] == ["addresses"]
    assert "漕溪北路" not in text_of("customer.updated")


def test_an_undelivered_message_that_matters(settings) -> None:
    settings.NOTIFICATION_SENDERS = {"sms": "tests.notifications.test_receipts.AcceptingSender"}
    subscribe("notification.failed")
    ticket = make_ticket(actor=agent(), phone=PHONE)
    rows = notify_ticket_customer(
        ticket=ticket,
        template="fieldservice.appointment",
        params={"work_order": "WO20261122-000001", "technician": "刘强", "window": "11月24日 09:00–12:00"},
    )
    [sms] = [notification_deliver(notification_id=r.pk) for r in rows if r.channel == NotificationChannel.SMS]
    receipt_record(
        receipt=Receipt(
            "test", NotificationChannel.SMS, sms.pk, sms.provider_ref, False, "UNDELIV", "用户停机", None, sms.recipient
        )
    )
    [failed] = sent("notification.failed")
    assert failed["ticket"]["number"] == ticket.number
    assert failed["notification"] == {
        "id": sms.pk,
        "kind": "fieldservice.appointment",
        "channel": "sms",
        "code": "UNDELIV",
        "created_at": failed["notification"]["created_at"],
    }
    fallback = Notification.objects.filter(fallback_for=sms).first()
    assert failed["fallback"] == ({"id": fallback.pk, "channel": fallback.channel} if fallback else None)
    assert "138" not in text_of("notification.failed").replace(ticket.number, "")


def test_crisis_opened_and_its_level_changed() -> None:
    subscribe("crisis.opened", "crisis.level_changed")
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    crisis = crisis_services.crisis_open(
        actor=boss, title="停水", crisis_type=CrisisType.SERVICE, level=CrisisLevel.objects.get(code="II")
    )
    crisis_services.crisis_set_level(crisis=crisis, actor=boss, level=CrisisLevel.objects.get(code="I"))
    [opened] = sent("crisis.opened")
    [raised] = sent("crisis.level_changed")
    assert (opened["code"], opened["level"]) == (crisis.code, "II")
    assert (raised["level"], raised["previous_level"]) == ("I", "II")


def test_region_scoped_and_recorded_with_the_change_only() -> None:
    east, west = RegionFactory(), RegionFactory()
    subscribe("customer.updated", region=east)
    editor = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    other = CustomerFactory(region=west, phone="+8613700001111")
    customer_update(customer=other, actor=editor, name="李雷")
    assert sent("customer.updated") == []  # another region's customer
    mine = CustomerFactory(region=east, phone="+8613700002222")
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_update(customer=mine, actor=editor, name="韩梅梅")
        assert len(sent("customer.updated")) == 1
        raise RuntimeError("rolled back")
    assert sent("customer.updated") == [] and Ticket.objects.count() == 0


def test_nobody_subscribed_nothing_stored() -> None:
    handler = agent()
    in_progress_ticket(actor=handler)
    editor = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    customer_update(customer=CustomerFactory(phone="+8613700003333"), actor=editor, name="王芳")
    assert not Event.objects.exists()
