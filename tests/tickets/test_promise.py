"""Promising the customer a solution date (承诺解决时间): the service's rules, the timeline and the
audit row, who may do it, the messages in the customer's language, the ticket page in both
languages and the API endpoint. The SLA's side is tests/sla/test_promise_sla.py."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.models.promise import SolutionPromise
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.process.promise import ticket_current_promise, ticket_promise_solution_date
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import TicketStatus as S
from tests.api.conftest import api_client, customer_user
from tests.clients import client_for_language
from tests.clock import freeze_time
from tests.factories import UserFactory, make_ticket
from tests.tickets.process_helpers import agent, refreshed

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_0900 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
THURSDAY = dt.date(2026, 11, 26)
FRIDAY = dt.date(2026, 11, 27)
WHY = "配件需从工厂发货。"


def promise(ticket: Ticket, actor, **kwargs):  # type: ignore[no-untyped-def]
    values = {"promised_date": THURSDAY, "reason": WHY, **kwargs}
    return ticket_promise_solution_date(ticket=refreshed(ticket), actor=actor, **values)


def in_progress(ticket: Ticket) -> Ticket:
    for status in (S.VERIFYING, S.ANALYSING, S.PLANNING, S.AWAITING_CUSTOMER, S.IN_PROGRESS):
        ticket = ticket_transition(ticket=ticket, to_status=status, actor=None)
    return ticket


# --- The service ------------------------------------------------------------------------------


@freeze_time(MONDAY_0900)
def test_a_promise_is_stored_told_on_the_public_timeline_audited_and_is_the_first_response():
    handler = agent()
    ticket = make_ticket()
    version = ticket.version
    given = promise(ticket, handler, expected_version=version)
    assert (given.revision, given.is_current, given.later_than_before) == (1, True, False)
    # Without a time the promise holds until the end of Thursday in Shanghai.
    assert given.deadline == dt.datetime(2026, 11, 27, 0, 0, tzinfo=SH)
    ticket = refreshed(ticket)
    assert ticket.version == version + 1
    assert ticket.first_responded_at == MONDAY_0900
    entry = TicketEvent.objects.filter(ticket=ticket, data__action="solution_promised").get()
    assert entry.kind == EventKind.MESSAGE_OUT and entry.public and entry.actor == handler
    assert entry.data["first_response"] == "message"
    audit = AuditEvent.objects.filter(action="ticket.solution_promised").get()
    assert audit.changes["reason"] == WHY and audit.changes["revision"] == 1
    assert ticket_current_promise(ticket=ticket) == given


@freeze_time(MONDAY_0900)
def test_a_revision_keeps_the_history_and_a_later_one_is_marked_as_a_delay():
    handler = agent()
    ticket = make_ticket()
    first = promise(ticket, handler, promised_time=dt.time(18, 0))
    assert first.deadline == dt.datetime(2026, 11, 26, 18, 0, tzinfo=SH)
    later = promise(ticket, handler, promised_date=FRIDAY, reason="工厂发货延迟。")
    earlier = promise(ticket, handler, promised_date=dt.date(2026, 11, 25), reason="配件提前到货。")
    rows = list(SolutionPromise.objects.filter(ticket=ticket).order_by("revision"))
    assert [(p.revision, p.is_current, p.later_than_before) for p in rows] == [
        (1, False, False),
        (2, False, True),
        (3, True, False),
    ]
    assert ticket_current_promise(ticket=ticket) == earlier and later.later_than_before
    entries = TicketEvent.objects.filter(ticket=ticket, data__action="solution_promised").order_by("pk")
    assert [e.data["later"] for e in entries] == [False, True, False]


@freeze_time(MONDAY_0900)
@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"reason": "  "}, "reason", "reason_required"),
        ({"promised_date": dt.date(2026, 11, 22)}, "promised_date", "promised_date_past"),
        ({"promised_date": dt.date(2026, 11, 23), "promised_time": dt.time(8, 0)}, "promised_time", "promised_date_past"),
        ({"promised_date": dt.date(2027, 12, 1)}, "promised_date", "promised_date_too_far"),
        ({"promised_date": None}, "promised_date", "promised_date_required"),
    ],
)
def test_a_promise_needs_a_reason_and_a_date_ahead_within_a_year(kwargs, field, code):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    with pytest.raises(ValidationFailed) as refused:
        promise(ticket, agent(), **kwargs)
    assert refused.value.code == code and field in refused.value.errors
    assert not SolutionPromise.objects.exists()


@freeze_time(MONDAY_0900)
def test_today_without_a_time_is_a_promise_for_the_rest_of_the_day_and_the_same_date_twice_is_refused():
    handler = agent()
    ticket = make_ticket()
    promise(ticket, handler, promised_date=dt.date(2026, 11, 23))
    with pytest.raises(ValidationFailed) as refused:
        promise(ticket, handler, promised_date=dt.date(2026, 11, 23), reason="再说一次")
    assert refused.value.code == "promise_unchanged"


@freeze_time(MONDAY_0900)
def test_a_stale_version_is_refused():
    handler = agent()
    ticket = make_ticket()
    stale = ticket.version
    promise(ticket, handler)
    with pytest.raises(Conflict):
        promise(ticket, handler, promised_date=FRIDAY, expected_version=stale)


@freeze_time(MONDAY_0900)
def test_only_handlers_in_scope_may_promise_and_not_once_the_ticket_is_resolved():
    ticket = make_ticket()
    technician = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL)
    with pytest.raises(PermissionDenied):
        promise(ticket, technician)
    owner = customer_user(ticket)
    with pytest.raises(PermissionDenied):
        promise(ticket, owner)
    stranger = agent(data_scope=DataScope.OWN)
    with pytest.raises(PermissionDenied):
        promise(ticket, stranger)
    handler = agent()
    assert "promise_solution_date" in ticket_available_actions(user=handler, ticket=ticket)
    assert "promise_solution_date" not in ticket_available_actions(user=owner, ticket=ticket)
    ticket = in_progress(ticket)
    promise(ticket, handler)  # in progress: allowed
    ticket_transition(ticket=refreshed(ticket), to_status=S.RESOLVED, actor=None)
    with pytest.raises(DomainError) as refused:
        promise(ticket, handler, promised_date=FRIDAY)
    assert refused.value.code == "action_not_available"
    assert "promise_solution_date" not in ticket_available_actions(user=handler, ticket=refreshed(ticket))


# --- The customer's messages --------------------------------------------------------------------


@freeze_time(MONDAY_0900)
@pytest.mark.parametrize(
    ("language", "first", "revised"),
    [
        ("zh-hans", "2026年11月26日", "原定2026年11月26日"),
        ("en", "by 2026-11-26", "from 2026-11-26 to 2026-11-27 18:00"),
    ],
)
def test_the_customer_is_told_the_date_in_their_language_on_their_channels(language, first, revised):  # type: ignore[no-untyped-def]
    ticket = make_ticket(email="zhang.wei@example.com")
    Customer.objects.filter(pk=ticket.customer_id).update(language=language)
    handler = agent()
    promise(ticket, handler)
    told = Notification.objects.filter(ticket=ticket, template="solution_date_promised")
    assert {n.channel for n in told} >= {NotificationChannel.EMAIL, NotificationChannel.SMS}
    for message in told:
        assert message.language == language
        assert first in message.body and "配件需从工厂发货" in message.body
        assert ticket.number in message.body
    promise(ticket, handler, promised_date=FRIDAY, promised_time=dt.time(18, 0), reason="工厂发货延迟")
    sms = Notification.objects.get(ticket=ticket, template="solution_date_revised", channel=NotificationChannel.SMS)
    assert revised in sms.body
    if language == "en":
        assert "expected solution date" in sms.body and "Reason: 工厂发货延迟" in sms.body
    else:
        assert "预计解决时间" in sms.body and "Reason" not in sms.body


# --- The ticket page --------------------------------------------------------------------------


@freeze_time(MONDAY_0900)
@pytest.mark.parametrize(
    ("language", "words", "foreign"),
    [
        ("zh-hans", ["承诺解决时间", "告知客户", "承诺在此之前解决", "已过承诺日期", "推迟"], "Solution promised by"),
        (
            "en",
            ["Promise a solution date", "Tell the customer", "Solution promised by", "Promised date passed", "Postponed"],
            "承诺",
        ),
    ],
)
def test_the_page_offers_the_form_and_shows_the_current_promise_overdue_in_both_languages(language, words, foreign):  # type: ignore[no-untyped-def]
    handler = agent(language=language)
    ticket = make_ticket()
    client = client_for_language(handler, language)
    url = reverse("tickets:action", args=[ticket.number, "promise_solution_date"])
    posted = client.post(
        url, {"expected_version": ticket.version, "promised_date": "2026-11-24", "promised_time": "", "reason": WHY}
    )
    assert posted.status_code == 302
    client.post(
        url,
        {
            "expected_version": refreshed(ticket).version,
            "promised_date": "2026-11-25",
            "promised_time": "12:00",
            "reason": "延迟",
        },
    )
    with freeze_time(dt.datetime(2026, 11, 25, 13, 0, tzinfo=SH)):
        html = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    for word in words:
        assert word in html, word
    assert 'data-test-id="sla-promise-date">2026-11-25 12:00<' in html
    assert 'data-overdue="true"' in html and 'data-test-id="sla-promise-history"' in html
    assert foreign not in html


@freeze_time(MONDAY_0900)
def test_the_form_names_the_field_a_refusal_is_about():
    handler = agent()
    ticket = make_ticket()
    client = client_for_language(handler, "zh-hans")
    url = reverse("tickets:action", args=[ticket.number, "promise_solution_date"])
    answer = client.post(
        url, {"expected_version": ticket.version, "promised_date": "2026-11-20", "reason": WHY}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    assert "承诺日期必须是将来的日期" in answer.content.decode()
    assert not SolutionPromise.objects.exists()


# --- API ----------------------------------------------------------------------------------------


@freeze_time(MONDAY_0900)
def test_the_api_endpoint_promises_and_refuses_with_the_field_and_a_customer_may_not():
    handler = agent()
    ticket = make_ticket()
    path = f"/api/v1/tickets/{ticket.number}/actions/promise-solution-date"

    def etag() -> dict[str, str]:
        return {"If-Match": api_client(handler).get(f"/api/v1/tickets/{ticket.number}")["ETag"]}

    body = {"promised_date": "2026-11-26", "promised_time": "18:00", "reason": WHY}
    answer = api_client(handler).post(path, body, headers=etag())
    assert answer.status_code == 200, answer.content
    current = ticket_current_promise(ticket=ticket)
    assert current is not None and current.deadline == dt.datetime(2026, 11, 26, 18, 0, tzinfo=SH)
    refused = api_client(handler).post(path, {"promised_date": "2026-11-20", "reason": WHY}, headers=etag())
    assert refused.status_code == 422
    assert refused.json()["code"] == "promised_date_past"
    owner = customer_user(ticket)
    assert api_client(owner).post(path, {"promised_date": "2026-11-28", "reason": WHY}, headers=etag()).status_code == 403
    listed = api_client(handler).get(f"/api/v1/tickets/{ticket.number}/actions").json()
    assert "promise_solution_date" in str(listed)
