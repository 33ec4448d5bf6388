"""The triage after a correction of the details (``tickets.services.details`` →
``effects.TICKET_DETAILS_CORRECTED`` → ``triage.receivers.ticket_details_corrected``): what the
triage reads changed → it suggests and looks for duplicates again, after the correction's commit;
what staff decided stays as they decided it."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.accounts.models import DataScope, Role, User
from aftersales.tickets.choices import Priority
from aftersales.tickets.effects import TICKET_DETAILS_CORRECTED
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.details import ticket_correct_details
from aftersales.triage import services
from aftersales.triage.models import TriageFeedback, TriageResult
from aftersales.triage.services import triage_feedback, triage_run
from tests.factories import UserFactory, make_ticket
from tests.triage.product.conftest import fixed_suggest

pytestmark = pytest.mark.django_db

PARCEL = "快递送来的箱子破了，机器有划痕。"  # the stand-in engine: logistics, complaint, normal, safe
HAZARD = "电热水壶外壳发烫，手摸上去很烫，担心出事。"  # safety 0.95 (not a crisis safety word)
FIRE = "电热水壶底座起火，冒烟了。"


@pytest.fixture(autouse=True)
def engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services.engine, "suggest", fixed_suggest)


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]}
    }


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


@pytest.fixture
def supervisor() -> User:
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)


def triaged(description: str, **overrides: Any) -> Ticket:
    ticket = make_ticket(description=description, **overrides)
    triage_run(ticket_id=ticket.pk)
    return Ticket.objects.get(pk=ticket.pk)


def correct(ticket: Ticket, actor: User, **details: Any) -> Ticket:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return ticket_correct_details(ticket=fresh, actor=actor, expected_version=fresh.version, **details)


def result_of(ticket: Ticket) -> TriageResult:
    return TriageResult.objects.get(ticket=ticket)


def test_a_corrected_description_is_triaged_again_after_the_commit(agent, django_capture_on_commit_callbacks):
    ticket = triaged(PARCEL)
    assert (result_of(ticket).category, result_of(ticket).attempts) == ("logistics", 1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        correct(ticket, agent, description=HAZARD)
    assert result_of(ticket).attempts == 1  # queued, not run inside the correction
    for callback in callbacks:
        callback()

    result = result_of(ticket)
    assert result.attempts == 2 and result.status == "done"
    assert (result.category, result.urgency, result.safety) == ("product_quality", "urgent", "1")
    assert result.reasons == ["发烫"]
    # Nobody had decided the urgency: the system's urgent decision is taken as after intake.
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT and ticket.safety_hazard and result.escalated


def test_a_corrected_title_alone_is_triaged_again(agent, django_capture_on_commit_callbacks):
    ticket = triaged(PARCEL)
    with django_capture_on_commit_callbacks(execute=True):
        correct(ticket, agent, title="箱子破损")
    assert result_of(ticket).attempts == 2


def test_a_correction_the_triage_does_not_read_runs_nothing(agent, django_capture_on_commit_callbacks):
    ticket = triaged(PARCEL)
    with django_capture_on_commit_callbacks(execute=True):
        correct(ticket, agent, contact_name="张伟伟", occurred_at=None, batch="B-1")
    assert result_of(ticket).attempts == 1


def test_a_corrected_address_finds_the_duplicate_at_that_address(agent, django_capture_on_commit_callbacks):
    first = make_ticket(
        phone="13900000001", customer_name="李雷", province="江苏省", city="南京市", address="中山路1号", description=PARCEL
    )
    second = triaged(PARCEL, phone="13900000002", customer_name="韩梅梅", province="江苏省", city="南京市", address="北京东路9号")
    assert result_of(second).duplicates == []

    with django_capture_on_commit_callbacks(execute=True):
        correct(second, agent, address="中山路1号")

    assert [d["number"] for d in result_of(second).duplicates] == [first.number]


def test_nothing_runs_while_the_triage_is_off(agent, settings, django_capture_on_commit_callbacks):
    ticket = triaged(PARCEL)
    settings.TRIAGE_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        correct(ticket, agent, description=HAZARD)
    assert result_of(ticket).attempts == 1
    assert Ticket.objects.get(pk=ticket.pk).priority == ticket.priority


def test_what_staff_accepted_or_corrected_stays_while_the_suggestions_change(agent, django_capture_on_commit_callbacks):
    ticket = triaged(PARCEL)
    triage_feedback(ticket=ticket, actor=agent, field="category", value="product_quality")  # corrected
    triage_feedback(ticket=ticket, actor=agent, field="request_type")  # accepted: complaint
    decided = list(TriageFeedback.objects.filter(ticket=ticket).values_list("field", "suggested", "chosen", "accepted"))

    with django_capture_on_commit_callbacks(execute=True):
        correct(ticket, agent, title="洗衣机噪音大", description="洗衣机脱水时噪音很大，需要维修。")

    result = result_of(ticket)
    assert (result.category, result.request_type) == ("repair_delay", "repair")  # the new suggestions
    ticket.refresh_from_db()
    assert ticket.category is not None and ticket.category.code == "product_quality"  # as the agent chose
    assert ticket.request_type == "complaint"
    assert list(TriageFeedback.objects.filter(ticket=ticket).values_list("field", "suggested", "chosen", "accepted")) == decided


def test_a_supervisors_reversal_of_the_urgent_decision_is_not_taken_back(supervisor, django_capture_on_commit_callbacks):
    ticket = triaged(HAZARD)
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.URGENT
    triage_feedback(ticket=ticket, actor=supervisor, field="safety", value="0")
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.NORMAL

    with django_capture_on_commit_callbacks(execute=True):
        correct(ticket, supervisor, description=FIRE)

    result = result_of(ticket)
    assert result.attempts == 2 and result.safety == "1" and result.reasons == ["冒烟"]  # suggested again …
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL and not ticket.safety_hazard  # … not decided again


def test_the_hook_names_the_corrected_details(agent):
    ticket = make_ticket()
    heard: list[tuple[int, tuple[str, ...]]] = []

    def listener(*, ticket: Ticket, fields: tuple[str, ...]) -> None:
        heard.append((ticket.pk, fields))

    with TICKET_DETAILS_CORRECTED.override(listener):
        correct(ticket, agent, title="箱子破损", batch="B-7")
    assert heard == [(ticket.pk, ("title", "batch"))]
