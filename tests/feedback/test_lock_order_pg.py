"""The customer's late answer and an agent's change of the same ticket must not deadlock.

Resolving locks the ticket and then expires the ticket's pending survey (the survey of an earlier
resolution that the customer never answered); ``survey_submit`` used to lock that survey first
and the ticket second, so an answer arriving while the agent resolved again could hold the
survey and wait for the ticket while the resolution held the ticket and waited for the survey:
PostgreSQL's deadlock detector then aborted one of them. Both now lock the ticket first and the
survey second (``tickets.locking``). Each worker thread has its own PostgreSQL connection and
runs the real services.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection

from aftersales.core.errors import DomainError
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.tickets.models import AgreementMethod, MeasureStatus, PlanMeasure, Ticket, TicketPlan
from aftersales.tickets.process import (
    ticket_close,
    ticket_confirm_result,
    ticket_record_agreement,
    ticket_resolve,
    ticket_resume_plan,
    ticket_submit_plan,
    ticket_update_measure,
)
from aftersales.tickets.states import TicketStatus
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent, analysed, refreshed, repair_plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


def _race(first: Callable[[], object], second: Callable[[], object]) -> tuple[dict[str, str], list[BaseException]]:
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def worker(name: str, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                call()
                outcomes[name] = "done"
            except DomainError as exc:
                outcomes[name] = exc.code
        except BaseException as exc:  # noqa: BLE001 - a deadlock arrives here as OperationalError
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=("survey", first)), threading.Thread(target=worker, args=("agent", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker is still waiting"
    return outcomes, errors


def _resolved(handler) -> Ticket:  # type: ignore[no-untyped-def]
    """A ticket walked to RESOLVED: its satisfaction survey is pending."""
    ticket = analysed(make_ticket(actor=handler), handler)
    repair_plan(ticket, handler)
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    ticket_record_agreement(
        ticket=ticket, actor=handler, accepted=True, method=AgreementMethod.PHONE, agreed_at=ticket.updated_at
    )
    for measure in TicketPlan.objects.get(ticket=ticket, is_current=True).measures.all():
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE)
    return ticket_resolve(ticket=refreshed(ticket), actor=handler, summary="已修复")


def _ready_to_resolve_again(handler) -> tuple[Ticket, Survey]:  # type: ignore[no-untyped-def]
    """The customer told the agent on the phone that it is not solved: the ticket was reopened and
    the work done again, while the first survey is still unanswered."""
    ticket = _resolved(handler)
    first = Survey.objects.get(ticket=ticket, status=SurveyStatus.PENDING)
    ticket = ticket_confirm_result(ticket=refreshed(ticket), actor=handler, solved=False, note="还是漏水")
    measures = list(PlanMeasure.objects.filter(plan__ticket=ticket, plan__is_current=True))
    ticket = ticket_resume_plan(ticket=refreshed(ticket), actor=handler, measures=measures, note="再次上门")
    for measure in measures:
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE)
    assert refreshed(ticket).status == TicketStatus.IN_PROGRESS
    assert Survey.objects.get(pk=first.pk).status == SurveyStatus.PENDING
    return refreshed(ticket), first


def test_a_late_answer_while_the_agent_resolves_again_never_deadlocks():
    handler = agent()
    for _ in range(ROUNDS):
        ticket, first = _ready_to_resolve_again(handler)
        signed = survey_signed_token(survey=first)

        outcomes, errors = _race(
            lambda signed=signed: survey_submit(signed_token=signed, overall=5, solved=True),
            lambda ticket=ticket: ticket_resolve(ticket=ticket, actor=handler, summary="再次修复"),
        )

        assert not [e for e in errors if isinstance(e, OperationalError)], f"deadlock: {errors}"
        assert errors == []
        # The resolution always goes through; the answer is recorded if it came first (it then
        # changes nothing: the ticket was not resolved yet) and refused if its survey expired.
        assert outcomes["agent"] == "done", outcomes
        first.refresh_from_db()
        expected = {"done": SurveyStatus.SUBMITTED, "survey_closed": SurveyStatus.EXPIRED}
        assert outcomes["survey"] in expected, outcomes
        assert first.status == expected[outcomes["survey"]]
        assert refreshed(ticket).status == TicketStatus.RESOLVED
        # Exactly one survey waits for the customer: the new resolution's.
        (pending,) = Survey.objects.filter(ticket=ticket, status=SurveyStatus.PENDING)
        assert pending.pk != first.pk


def test_an_answer_while_the_agent_closes_the_ticket_ends_the_same_either_way():
    handler = agent()
    for _ in range(ROUNDS):
        ticket = _resolved(handler)
        survey = Survey.objects.get(ticket=ticket, status=SurveyStatus.PENDING)
        signed = survey_signed_token(survey=survey)

        outcomes, errors = _race(
            lambda signed=signed: survey_submit(signed_token=signed, overall=1, solved=False, comment="问题依旧"),
            lambda ticket=ticket: ticket_close(ticket=ticket, actor=handler),
        )

        assert not [e for e in errors if isinstance(e, OperationalError)], f"deadlock: {errors}"
        assert errors == []
        # The answer always counts: it reopens the ticket whether the agent closed it just before
        # or finds it reopened (and is refused).
        assert outcomes["survey"] == "done", outcomes
        assert outcomes["agent"] in {"done", "action_not_available"}, outcomes
        survey.refresh_from_db()
        assert (survey.status, survey.overall, survey.solved) == (SurveyStatus.SUBMITTED, 1, False)
        final = refreshed(ticket)
        assert (final.status, final.escalation_level) == (TicketStatus.REOPENED, 1)
