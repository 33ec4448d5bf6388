"""The events of the promised solution date and of the quality acceptance (docs/webhooks.md):
``ticket.solution_promised`` (the first promise and each revision), ``ticket.awaiting_acceptance``,
``ticket.result_accepted`` and ``ticket.returned_for_rework`` — each sent once, by the change it
names, in that change's transaction, with identifiers and states and no free text but the
reason the customer reads."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import Severity
from aftersales.tickets.effects import TICKET_SOLUTION_PROMISED
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_close
from aftersales.tickets.process.acceptance import (
    TICKET_ACCEPTANCE_DECIDED,
    TICKET_ACCEPTANCE_REQUESTED,
    ticket_accept_result,
    ticket_return_for_rework,
)
from aftersales.tickets.process.promise import ticket_promise_solution_date
from aftersales.webhooks.models import Event
from tests.clock import freeze_time
from tests.factories import UserFactory, make_ticket
from tests.feedback.helpers import resolved
from tests.tickets.process_helpers import agent, refreshed
from tests.webhooks.test_domain_events import sent, subscribe

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_0900 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
WHY = "配件需从工厂发货。"
ACCEPTANCE_EVENTS = ("ticket.awaiting_acceptance", "ticket.result_accepted", "ticket.returned_for_rework")


def quality_manager():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL)


def waiting(handler) -> Ticket:  # type: ignore[no-untyped-def]
    """A resolved ticket made serious (the default rule names it), closed by the agent: it waits."""
    ticket = resolved(handler)
    Ticket.objects.filter(pk=ticket.pk).update(severity=Severity.SERIOUS)
    return ticket_close(ticket=refreshed(ticket), actor=handler)


def test_the_hooks_name_the_webhook_receivers() -> None:
    assert "aftersales.webhooks.receivers.ticket_solution_promised" in TICKET_SOLUTION_PROMISED.paths
    assert "aftersales.webhooks.receivers.acceptance_requested" in TICKET_ACCEPTANCE_REQUESTED.paths
    assert "aftersales.webhooks.receivers.acceptance_decided" in TICKET_ACCEPTANCE_DECIDED.paths


# --- The promised solution date ------------------------------------------------------------------


@freeze_time(MONDAY_0900)
def test_each_promise_and_revision_is_sent_once_with_the_deadline_it_replaces() -> None:
    subscribe("ticket.solution_promised")
    handler = agent()
    ticket = make_ticket()
    ticket_promise_solution_date(ticket=refreshed(ticket), actor=handler, promised_date=dt.date(2026, 11, 26), reason=WHY)
    ticket_promise_solution_date(
        ticket=refreshed(ticket),
        actor=handler,
        promised_date=dt.date(2026, 11, 27),
        promised_time=dt.time(15, 30),
        reason="工厂延迟发货。",
    )
    first, revised = sent("ticket.solution_promised")
    assert first["ticket"]["number"] == ticket.number
    assert first["promise"] == {
        "revision": 1,
        "promised_date": "2026-11-26",
        "promised_time": None,
        "deadline": "2026-11-26T16:00:00Z",  # the next midnight in Shanghai, in UTC
        "revised": False,
        "later_than_before": False,
        "reason": WHY,
        "given_at": "2026-11-23T01:00:00Z",
    }
    assert first["previous_deadline"] is None
    assert revised["promise"]["revision"] == 2 and revised["promise"]["revised"] is True
    assert revised["promise"]["promised_time"] == "15:30"
    assert revised["promise"]["deadline"] == "2026-11-27T07:30:00Z"
    assert revised["promise"]["later_than_before"] is True  # postponed
    assert revised["previous_deadline"] == "2026-11-26T16:00:00Z"


@freeze_time(MONDAY_0900)
def test_a_refused_promise_sends_nothing_and_nobody_subscribed_stores_nothing() -> None:
    handler = agent()
    ticket = make_ticket()
    ticket_promise_solution_date(ticket=refreshed(ticket), actor=handler, promised_date=dt.date(2026, 11, 26), reason=WHY)
    assert not Event.objects.exists()  # no subscription: nothing recorded
    subscribe("ticket.solution_promised")
    with pytest.raises(Exception, match="already promised"):  # the same deadline again
        ticket_promise_solution_date(ticket=refreshed(ticket), actor=handler, promised_date=dt.date(2026, 11, 26), reason=WHY)
    assert sent("ticket.solution_promised") == []


# --- The quality acceptance --------------------------------------------------------------------


def test_waiting_then_accepted_each_once_before_the_status_change() -> None:
    subscribe(*ACCEPTANCE_EVENTS, "ticket.status_changed")
    handler = agent()
    ticket = waiting(handler)
    [wait] = sent("ticket.awaiting_acceptance")
    assert wait["ticket"]["status"] == "awaiting_acceptance"
    assert wait["via"] == "staff" and wait["reasons"] == ["serious"]
    assert wait["requested_at"].endswith("Z")
    ticket_accept_result(ticket=refreshed(ticket), actor=quality_manager(), comment="工单、照片齐全。")
    [accepted] = sent("ticket.result_accepted")
    assert accepted["ticket"]["number"] == ticket.number
    assert accepted["ticket"]["status"] == "awaiting_acceptance"  # as the decision found it
    assert accepted["to_status"] == "closed"
    assert accepted["decided_by_role"] == "quality_manager"
    assert accepted["has_comment"] is True
    assert "工单" not in json.dumps(accepted, ensure_ascii=False)  # the internal comment stays here
    assert sent("ticket.returned_for_rework") == []
    assert len(sent("ticket.awaiting_acceptance")) == 1
    # The move follows, in its own event, after the decision's.
    kinds = list(Event.objects.order_by("pk").values_list("event_type", flat=True))
    assert kinds[-2:] == ["ticket.result_accepted", "ticket.status_changed"]
    assert sent("ticket.status_changed")[-1]["to_status"] == "closed"


def test_returned_for_rework_is_sent_with_the_reopening_not_the_reason() -> None:
    subscribe(*ACCEPTANCE_EVENTS)
    handler = agent()
    ticket = waiting(handler)
    ticket_return_for_rework(ticket=refreshed(ticket), actor=quality_manager(), reason="缺少维修后照片。")
    [returned] = sent("ticket.returned_for_rework")
    assert returned["to_status"] == "reopened" and returned["has_comment"] is True
    assert "照片" not in json.dumps(returned, ensure_ascii=False)
    assert sent("ticket.result_accepted") == []


def test_a_ticket_the_rule_does_not_name_closes_without_acceptance_events() -> None:
    subscribe(*ACCEPTANCE_EVENTS)
    handler = agent()
    ticket_close(ticket=refreshed(resolved(handler)), actor=handler)  # not serious, not urgent …
    assert not Event.objects.exists()


def test_a_refused_decision_sends_nothing() -> None:
    subscribe(*ACCEPTANCE_EVENTS)
    handler = agent()
    ticket = waiting(handler)
    with pytest.raises(Exception, match="quality manager"):
        ticket_accept_result(ticket=refreshed(ticket), actor=handler)  # an agent does not accept
    assert sent("ticket.result_accepted") == []
    assert refreshed(ticket).status == "awaiting_acceptance"
