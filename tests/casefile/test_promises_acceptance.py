"""The case file's later steps: every solution date promised to the customer (each revision: the
date, the reason, who, when, postponed) and every wait for the quality acceptance (the decision,
the checklist as it stood, who, when, the comment) — in the staff's copy, in both languages; the
customer's copy holds the promises they were told, without who gave them, and no acceptance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.casefile.pdf import case_file_pdf
from aftersales.casefile.selectors import ALL_PARTS, PROMISES, RESULT_ACCEPTANCES, TIMELINE, case_file_for
from aftersales.core import clock
from aftersales.quality.acceptance_models import AcceptanceDecision
from aftersales.tickets.choices import Severity
from aftersales.tickets.models import AgreementMethod, MeasureStatus, Ticket, TicketPlan
from aftersales.tickets.process import (
    ticket_close,
    ticket_record_agreement,
    ticket_resolve,
    ticket_submit_plan,
    ticket_update_measure,
)
from aftersales.tickets.process.acceptance import ticket_accept_result, ticket_return_for_rework
from aftersales.tickets.process.promise import ticket_promise_solution_date
from aftersales.tickets.states import TicketStatus
from tests.api.conftest import customer_user
from tests.factories import UserFactory, make_ticket
from tests.tickets.process_helpers import analysed, refreshed, repair_plan

from .test_pdf import pages_of

pytestmark = pytest.mark.django_db
S = TicketStatus
FIRST_WHY = "配件需从工厂发货。"
LATER_WHY = "工厂延迟发货，顺延两天。"
RETURNED_WHY = "缺少维修后照片，请补拍。"
ACCEPTED_NOTE = "照片已补齐，验收通过。"


def promised_accepted_ticket():  # type: ignore[no-untyped-def]
    """A serious ticket promised for in three days, then postponed by two; resolved and closed by
    the agent, it waits; quality sends it back, it is resolved again and accepted."""
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, display_name="李娜")
    manager = UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL, display_name="质检王")
    ticket = make_ticket(actor=handler)
    today = clock.local_today()
    ticket_promise_solution_date(
        ticket=refreshed(ticket), actor=handler, promised_date=today + dt.timedelta(days=3), reason=FIRST_WHY
    )
    ticket_promise_solution_date(
        ticket=refreshed(ticket),
        actor=handler,
        promised_date=today + dt.timedelta(days=5),
        promised_time=dt.time(15, 30),
        reason=LATER_WHY,
    )
    ticket = analysed(refreshed(ticket), handler)
    repair_plan(ticket, handler)
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    ticket_record_agreement(
        ticket=ticket, actor=handler, accepted=True, method=AgreementMethod.PHONE, agreed_at=ticket.updated_at
    )
    for measure in TicketPlan.objects.get(ticket=ticket, is_current=True).measures.all():
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE)
    ticket_resolve(ticket=refreshed(ticket), actor=handler, summary="已修复")
    Ticket.objects.filter(pk=ticket.pk).update(severity=Severity.SERIOUS)
    assert ticket_close(ticket=refreshed(ticket), actor=handler).status == S.AWAITING_ACCEPTANCE
    ticket_return_for_rework(ticket=refreshed(ticket), actor=manager, reason=RETURNED_WHY)
    Ticket.objects.filter(pk=ticket.pk).update(status=S.RESOLVED)  # the rework done (its steps: elsewhere)
    assert ticket_close(ticket=refreshed(ticket), actor=handler).status == S.AWAITING_ACCEPTANCE
    ticket_accept_result(ticket=refreshed(ticket), actor=manager, comment=ACCEPTED_NOTE)
    return refreshed(ticket), handler, manager


def test_the_staff_copy_holds_every_promise_and_every_acceptance_oldest_first():
    ticket, handler, _manager = promised_accepted_ticket()
    case = case_file_for(ticket=ticket, viewer=handler)
    first, revised = case.promises
    assert (first.revision, first.reason, first.postponed, first.current, first.given_by) == (1, FIRST_WHY, False, False, "李娜")
    assert (revised.revision, revised.reason, revised.postponed, revised.current) == (2, LATER_WHY, True, True)
    assert revised.promised_time == dt.time(15, 30) and revised.promised_date == clock.local_today() + dt.timedelta(days=5)
    returned, accepted = case.result_acceptances
    assert (returned.decision, returned.decided_by, returned.comment) == (AcceptanceDecision.RETURNED, "质检王", RETURNED_WHY)
    assert (accepted.decision, accepted.comment) == (AcceptanceDecision.ACCEPTED, ACCEPTED_NOTE)
    assert accepted.decided_at is not None and accepted.decided_at >= returned.decided_at  # type: ignore[operator]
    # The checklist as it stood: no work order (its items do not apply), the customer did not confirm.
    assert {(c.key, c.met) for c in accepted.checks} == {
        ("acceptance_form", None),
        ("photos", None),
        ("costs", None),
        ("customer_confirmed", False),
    }


def test_the_customers_copy_has_the_promises_without_names_and_no_acceptance():
    ticket, _handler, _manager = promised_accepted_ticket()
    customer = customer_user(ticket)
    case = case_file_for(ticket=ticket, viewer=customer)
    assert [p.reason for p in case.promises] == [FIRST_WHY, LATER_WHY]
    assert all(p.given_by == "" for p in case.promises)
    assert case.result_acceptances == [] and RESULT_ACCEPTANCES not in case.included
    # The parts (the public timeline apart: it names whoever wrote its public entries).
    parts = case_file_for(ticket=ticket, viewer=customer, include=ALL_PARTS - {TIMELINE})
    with translation.override("zh-hans"):
        own = "\n".join(pages_of(case_file_pdf(parts)))
    assert "承诺解决日期" in own and FIRST_WHY in own and LATER_WHY in own
    for internal in ("质量验收", "质检王", RETURNED_WHY, ACCEPTED_NOTE, "承诺人", "检查清单"):
        assert internal not in own, internal
    # Their timeline reads the internal step as their pages do: "resolved", never "awaiting acceptance".
    moves = [(e.status_from, e.status_to) for e in case.timeline if e.status_to]
    assert moves and all("验收" not in f + t and "acceptance" not in f + t for f, t in moves)
    staff_moves = [e.status_from for e in case_file_for(ticket=ticket, viewer=_handler).timeline if e.status_to]
    assert str(S.AWAITING_ACCEPTANCE.label) in staff_moves


def test_the_pdf_prints_both_parts_in_the_readers_language():
    ticket, handler, _manager = promised_accepted_ticket()
    case = case_file_for(ticket=ticket, viewer=handler)
    with translation.override("zh-hans"):
        zh = "\n".join(pages_of(case_file_pdf(case_file_for(ticket=ticket, viewer=handler))))
    five = (clock.local_today() + dt.timedelta(days=5)).isoformat()
    for expected in (
        "承诺解决日期",
        FIRST_WHY,
        LATER_WHY,
        f"{five} 15:30",
        "当前承诺",
        "第 2 次承诺的原因",
        "质量验收",
        "已退回重新处理",
        "验收通过",
        RETURNED_WHY,
        ACCEPTED_NOTE,
        "质检王",
        "客户确认: 缺失",
        "不适用",
    ):
        assert expected in zh, expected
    with translation.override("en"):
        en = "\n".join(pages_of(case_file_pdf(case)))
    for expected in ("Promised solution date", "Quality acceptance", "Sent back for rework", "Customer confirmation: missing"):
        assert expected in en, expected
    assert "承诺解决日期" not in en and "质量验收" not in en


def test_a_ticket_without_either_says_so_and_the_parts_are_read_only_when_asked():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    ticket = make_ticket(actor=agent)
    case = case_file_for(ticket=ticket, viewer=agent)
    assert case.promises == [] and case.result_acceptances == [] and case.included == ALL_PARTS
    with translation.override("en"):
        text = "\n".join(pages_of(case_file_pdf(case)))
    assert "No solution date was promised." in text and "This ticket was not sent for quality acceptance." in text

    promised, handler, _manager = promised_accepted_ticket()
    only = case_file_for(ticket=promised, viewer=handler, include=frozenset({PROMISES}))
    assert len(only.promises) == 2 and only.result_acceptances == [] and only.timeline == [] and only.plan is None
