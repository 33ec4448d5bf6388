"""The customer's timeline says what a customer understands — received, being checked, proposal
ready, accepted, technician booked (name, window, the hotline to call — never the technician's
own number), visit done, resolved (the survey is offered once, at the top) — and never the department's internals (check-in positions, work-order numbers, parts,
internal notes, status codes, staff-only events), even when such an event is marked public."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import Role
from aftersales.core import clock
from aftersales.fieldservice import services as fs
from aftersales.portal.links import portal_path_for
from aftersales.portal.timeline import PHRASES, customer_timeline, event_key
from aftersales.tickets.choices import Channel, EventKind
from aftersales.tickets.models import PlanMeasure, Ticket, TicketEvent
from aftersales.tickets.process import ticket_resolve, ticket_submit_plan
from aftersales.tickets.selectors import ticket_public_timeline
from aftersales.tickets.services import ticket_add_note
from tests.factories import CustomerFactory, RegionFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import (
    dispatcher,
    fresh,
    new_job,
    photo,
    signature_data,
    technician,
    unit_in_warranty,
    walk_to,
    window,
)
from tests.tickets.process_helpers import agent, analysed, repair_plan

pytestmark = pytest.mark.django_db

LAT, LNG = "31.230416", "121.473701"


@pytest.fixture(autouse=True)
def hotline(settings):  # type: ignore[no-untyped-def]
    settings.SERVICE_HOTLINE = "400-820-8820"


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, username="li.na")
    CustomerFactory(user=user, phone="+8613912345678", name="李娜")
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _timeline_html(html: str) -> str:
    start = html.index('data-test-id="portal-timeline"')
    return html[start : html.index("</ol>", start)]


def _visible_text(fragment: str) -> str:
    return re.sub(r"<[^>]+>", " ", fragment)


def _keys(html: str) -> list[str]:
    return re.findall(r'data-test-id="portal-step" data-key="([^"]+)"', html)


def _done_visit(wo, tech):  # type: ignore[no-untyped-def]
    """On site with the position shared, the work recorded and checked out."""
    fs.work_order_check_in(work_order=fresh(wo), actor=tech, share_location=True, lat=LAT, lng=LNG)
    fs.work_order_record_work(
        work_order=fresh(wo), actor=tech, diagnosis="排水泵故障", work_done="更换排水泵", labour_hours=Decimal("1.5")
    )
    fs.work_order_add_photo(work_order=fresh(wo), actor=tech, kind="before", file=photo())
    fs.work_order_add_photo(work_order=fresh(wo), actor=tech, kind="after", file=photo())
    if fresh(wo).chargeable:
        fs.work_order_prepare_quote(work_order=fresh(wo), actor=tech, estimated_hours="1.5")
        fs.work_order_confirm_quote(work_order=fresh(wo), actor=tech)
    fs.work_order_check_out(work_order=fresh(wo), actor=tech, share_location=True, lat=LAT, lng=LNG)


def test_a_whole_repair_reads_as_the_customers_steps_without_internals(customer_user):
    handler = agent()
    unit = unit_in_warranty()  # a free repair: no quote on the way
    ticket = make_ticket(
        actor=customer_user,
        channel=Channel.WEB,
        phone="13912345678",
        customer_name="李娜",
        serial_number=unit.serial_number,
        region=RegionFactory(),
    )
    ticket = analysed(ticket, handler)
    ticket_add_note(ticket=ticket, actor=handler, body="客户情绪激动，内部备注勿外传", kind=EventKind.NOTE)
    repair_plan(ticket, handler)
    ticket = ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    client = _client(customer_user)
    answered = client.post(
        reverse("portal:answer_plan", args=[ticket.number]),
        {"decision": "accept", "expected_version": ticket.version, "signature": signature_data()},
    )
    assert answered.status_code == 302
    measure = PlanMeasure.objects.get(plan__ticket=ticket)
    wo = new_job(handler=handler, measure=measure)
    tech = technician(display_name="王师傅", phone="+8613811112222")
    walk_to(wo, "on_the_way", boss=dispatcher(), tech=tech)
    _done_visit(wo, tech)
    fs.work_order_customer_accept(
        work_order=fresh(wo), actor=tech, method="signature", signer_name="李娜", signature=signature_data()
    )
    ticket_resolve(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler, summary="已更换排水泵，试机正常。")

    html = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    timeline = _timeline_html(html)
    keys = _keys(timeline)
    expected = [
        "created",
        "status:verifying",
        "status:analysing",
        "status:awaiting_customer",
        "ticket:plan_accepted",
        "visit:created",
        "visit:status.dispatched",
        "visit:status.on_the_way",
        "visit:status.done",
        "visit:status.customer_accepted",
        "ticket:measure_done",
        "status:resolved",
    ]
    assert [k for k in keys if k in expected] == expected
    assert set(keys) <= set(PHRASES)
    text = _visible_text(timeline)
    for phrase in ("我们已收到您的服务申请", "技术人员已预约", "上门服务已完成", "已解决"):
        assert phrase in text
    # The booked technician: name, the appointment window, and the hotline to call (staff's own
    # numbers stay private, even masked).
    start, end = window()
    visit = re.search(r'data-test-id="portal-visit">(.*?)</p>', timeline, re.S)
    assert visit is not None
    assert "王师傅" in visit.group(1) and "2222" not in html
    assert 'data-test-id="portal-visit-phone"' in timeline and "400-820-8820" in timeline and 'href="tel:4008208820"' in timeline
    assert f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" in visit.group(1)
    # Never the internals.
    for internal in (
        wo.number,
        LAT,
        LNG,
        "31.23",
        "内部备注",
        "排水泵故障",
        "awaiting_customer",
        "in_progress",
        "status.",
        "system",
    ):
        assert internal not in text, internal
    # The survey: one link, at the top of the page; the timeline does not repeat it.
    assert "rate" not in keys and html.count('data-test-id="portal-survey-link"') == 1
    assert html.count("/feedback/") == 1


def test_internal_events_never_reach_the_customer_even_when_marked_public(customer_user):
    ticket = make_ticket(actor=customer_user, channel=Channel.WEB, phone="13912345678", customer_name="李娜")
    internal = [
        (EventKind.NOTE, {}),
        (EventKind.NOTE, {"parts": True, "requisition": "RQ000001", "action": "requisition_submitted"}),
        (EventKind.NOTE, {"sla": "first_response", "what": "breach"}),
        (EventKind.ASSIGNMENT, {"from": None, "to": 3}),
        (EventKind.NOTIFICATION, {"channel": "sms"}),
        (EventKind.FIELD_CHANGED, {"action": "classified"}),
        (EventKind.FIELD_CHANGED, {"action": "responsibility_set"}),
        (EventKind.FIELD_CHANGED, {"action": "plan_proposed"}),
        (EventKind.FIELD_CHANGED, {"action": "measure_updated", "status": "in_progress", "kind": "onsite_repair"}),
        (EventKind.FIELD_CHANGED, {"work_order": "WO000009", "action": "status.on_site", "status": "on_site"}),
        (EventKind.FIELD_CHANGED, {"work_order": "WO000009", "action": "status.accepted", "status": "accepted"}),
        (EventKind.FIELD_CHANGED, {"work_order": "WO000009", "action": "photo_before", "status": "on_site"}),
        (EventKind.FIELD_CHANGED, {"work_order": "WO000009", "action": "work_recorded", "status": "on_site"}),
        (EventKind.FIELD_CHANGED, {"work_order": "WO000009", "action": "expense_submitted", "status": "done"}),
        (EventKind.FIELD_CHANGED, {"work_order": "WO000009", "action": "permit_added", "status": "to_dispatch"}),
        (EventKind.NOTE, {"action": "plan_approved"}),
        (EventKind.STATUS_CHANGED, {"from": "analysing", "to": "planning"}),
        (EventKind.STATUS_CHANGED, {"from": "planning", "to": "awaiting_approval"}),
        (EventKind.STATUS_CHANGED, {"from": "awaiting_customer", "to": "in_progress"}),
        (EventKind.STATUS_CHANGED, {"from": "planning", "to": "a_status_added_later"}),
        (EventKind.FIELD_CHANGED, {"action": "an_action_added_later"}),
    ]
    for index, (kind, data) in enumerate(internal):
        TicketEvent.objects.create(
            ticket=ticket, kind=kind, public=True, body=f"INTERNAL-{index} 签到位置 {LAT}", data=data, created_at=clock.now()
        )
    events = ticket_public_timeline(ticket=ticket)
    assert all(event_key(event) not in PHRASES for event in events if event.kind != EventKind.CREATED)
    steps = customer_timeline(ticket_id=ticket.pk, events=events)
    assert [step.key for step in steps] == ["created"]
    html = _client(customer_user).get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "INTERNAL-" not in html and LAT not in html


def test_only_the_latest_booking_of_a_visit_shows_who_comes_and_when(customer_user):
    from tests.fieldservice.helpers import in_progress_ticket

    handler = agent()
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    wo = new_job(handler=handler, measure=measure)
    boss = dispatcher()
    tech = technician(display_name="赵师傅", phone="+8613822223333")
    walk_to(wo, "dispatched", boss=boss, tech=tech)
    new_start, new_end = window(days=2, hour=14)
    fs.work_order_reschedule(
        work_order=fresh(wo), actor=boss, appointment_start=new_start, appointment_end=new_end, reason="客户要求改期"
    )
    steps = customer_timeline(ticket_id=ticket.pk, events=ticket_public_timeline(ticket=ticket))
    booked = [s for s in steps if s.key in {"visit:status.dispatched", "visit:status.rescheduled", "visit:rescheduled"}]
    assert [s.visit is not None for s in booked] == [False, True]
    latest = booked[-1].visit
    assert latest is not None and (latest.start, latest.end) == (new_start, new_end)
    assert (latest.technician, latest.phone) == ("赵师傅", "400-820-8820")
    html = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(portal_path_for(ticket)).content.decode()
    assert "客户要求改期" not in _visible_text(_timeline_html(html))  # the department's reason stays inside


def test_messages_to_and_from_the_customer_are_shown_with_their_text(customer_user):
    ticket = make_ticket(actor=customer_user, channel=Channel.WEB, phone="13912345678", customer_name="李娜")
    ticket_add_note(ticket=ticket, actor=agent(), body="已安排师傅明天上门", kind=EventKind.MESSAGE_OUT)
    steps = customer_timeline(ticket_id=ticket.pk, events=ticket_public_timeline(ticket=ticket))
    assert [(s.key, s.text) for s in steps][-1] == ("message_out", "已安排师傅明天上门")


def test_every_customer_phrase_is_translated_into_chinese():
    for key, phrase in PHRASES.items():
        with translation.override("en"):
            english = str(phrase)
        with translation.override("zh-hans"):
            chinese = str(phrase)
        assert chinese != english, key
        assert not re.search(r"[A-Za-z]{3,}", chinese.replace("%(what)s", "")), key
