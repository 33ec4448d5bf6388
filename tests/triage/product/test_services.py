"""The triage after intake: the job, its failure, idempotency, the system's urgent decision and
its reversal, acceptance and correction stored and applied, the confirmed examples."""

from __future__ import annotations

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.tickets.choices import Channel, Priority, RequestType
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.triage.audit_actions import TriageAudit
from aftersales.triage.models import TriageFeedback, TriageResult, TriageStatus
from aftersales.triage.selectors import confirmed_examples
from aftersales.triage.services import triage_feedback, triage_run
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

HAZARD = "电热水壶外壳发烫，手摸上去很烫，担心出事。"  # the stand-in engine: safety 0.95 (not a crisis safety word)


@pytest.mark.parametrize("channel", [Channel.HOTLINE, Channel.WEB, Channel.WECHAT, Channel.EMAIL, Channel.STORE, Channel.API])
def test_every_channel_is_triaged_after_the_intake_commits(engine, immediate_tasks, django_capture_on_commit_callbacks, channel):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(channel=channel, description="快递送来的箱子破了，机器有划痕。")
    result = TriageResult.objects.get(ticket=ticket)
    assert result.status == TriageStatus.DONE
    assert (result.category, result.request_type, result.urgency, result.safety) == ("logistics", "complaint", "normal", "0")
    assert result.category_confidence == pytest.approx(0.8)
    assert result.reasons == ["快递"] and result.model_version == "test-1"
    assert result.engine_ms is not None and result.finished_at is not None


def test_nothing_runs_before_the_commit_and_intake_never_waits(engine, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = make_ticket()
    assert not TriageResult.objects.filter(ticket=ticket).exists()  # queued, not run inside the intake
    assert callbacks  # the job goes after the commit


def test_a_failing_engine_leaves_the_ticket_created_and_the_result_failed(
    broken_engine, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(description=HAZARD)
    assert Ticket.objects.filter(pk=ticket.pk, number=ticket.number).exists()
    result = TriageResult.objects.get(ticket=ticket)
    assert result.status == TriageStatus.FAILED
    assert "model file missing" in result.error
    assert Ticket.objects.get(pk=ticket.pk).priority == ticket.priority  # untouched


def test_triage_can_be_turned_off(engine, immediate_tasks, django_capture_on_commit_callbacks, settings):
    settings.TRIAGE_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
    assert not TriageResult.objects.filter(ticket=ticket).exists()


def test_a_rerun_does_nothing_unless_forced(engine):
    ticket = make_ticket()
    first = triage_run(ticket_id=ticket.pk)
    assert first is not None and first.attempts == 1
    again = triage_run(ticket_id=ticket.pk)
    assert again is not None and again.attempts == 1 and again.pk == first.pk
    forced = triage_run(ticket_id=ticket.pk, force=True)
    assert forced is not None and forced.attempts == 2
    assert TriageResult.objects.filter(ticket=ticket).count() == 1


def test_a_failed_triage_is_retried_only_when_forced(broken_engine, monkeypatch):
    ticket = make_ticket()
    assert triage_run(ticket_id=ticket.pk).status == TriageStatus.FAILED  # type: ignore[union-attr]
    from aftersales.triage import services
    from tests.triage.product.conftest import fixed_suggest

    monkeypatch.setattr(services.engine, "suggest", fixed_suggest)
    assert triage_run(ticket_id=ticket.pk).status == TriageStatus.FAILED  # type: ignore[union-attr]
    assert triage_run(ticket_id=ticket.pk, force=True).status == TriageStatus.DONE  # type: ignore[union-attr]


# --- The system's urgent decision --------------------------------------------------------------


def test_a_confident_safety_suggestion_makes_the_ticket_urgent_as_the_systems_decision(engine):
    ticket = make_ticket(description=HAZARD)
    assert ticket.priority != Priority.URGENT and not ticket.safety_hazard  # crisis' words did not fire
    result = triage_run(ticket_id=ticket.pk)
    assert result is not None and result.escalated and result.escalated_from == ticket.priority
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT and ticket.safety_hazard
    audit = AuditEvent.objects.get(action=TriageAudit.TICKET_MARKED_URGENT, object_id=str(ticket.pk))
    assert audit.actor is None and audit.actor_label == "system"
    assert audit.changes["priority"] == [int(Priority.NORMAL), int(Priority.URGENT)]
    classified = AuditEvent.objects.get(action="ticket.classified", object_id=str(ticket.pk))
    assert classified.actor is None and classified.actor_label == "system"
    event = TicketEvent.objects.filter(ticket=ticket, data__action="classified").get()
    assert event.actor is None


def test_below_the_confidence_threshold_nothing_is_escalated(engine, settings):
    settings.TRIAGE_URGENT_CONFIDENCE = 0.99
    ticket = make_ticket(description=HAZARD)
    result = triage_run(ticket_id=ticket.pk)
    assert result is not None and result.safety == "1" and not result.escalated
    assert Ticket.objects.get(pk=ticket.pk).priority == ticket.priority


def test_an_agent_cannot_lower_the_systems_urgent_decision_but_a_supervisor_can(engine, agent, supervisor):
    ticket = make_ticket(description=HAZARD)
    triage_run(ticket_id=ticket.pk)
    with pytest.raises(PermissionDenied) as refused:
        triage_feedback(ticket=ticket, actor=agent, field="safety", value="0")
    assert refused.value.code == "reversal_needs_supervisor"
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.URGENT
    feedback = triage_feedback(ticket=ticket, actor=supervisor, field="safety", value="0")
    assert not feedback.accepted and feedback.suggested == "1" and feedback.chosen == "0"
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL and not ticket.safety_hazard  # back to what it was
    reversal = AuditEvent.objects.get(action=TriageAudit.ESCALATION_REVERSED, object_id=str(ticket.pk))
    assert reversal.actor == supervisor


def test_a_supervisors_reclassification_by_hand_is_stored_as_feedback(engine, supervisor):
    from aftersales.tickets.process.verification import ticket_classify

    ticket = make_ticket(description=HAZARD)
    triage_run(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    ticket = ticket_classify(
        ticket=ticket,
        actor=supervisor,
        category=None,
        nature="",
        severity="",
        request_type=ticket.request_type,
        priority=Priority.IMPORTANT,
        safety_hazard=False,
    )
    # tickets/effects.py's TICKET_CLASSIFIED calls triage.receivers.ticket_classified.
    row = TriageFeedback.objects.get(ticket=ticket, field="safety")
    assert row.chosen == "0" and not row.accepted and row.user == supervisor


# --- Accept and correct --------------------------------------------------------------------------


def test_accepting_a_field_applies_it_and_stores_the_acceptance(engine, agent):
    ticket = make_ticket(description="快递把洗衣机摔坏了", request_type=RequestType.REPAIR)
    triage_run(ticket_id=ticket.pk)
    row = triage_feedback(ticket=ticket, actor=agent, field="category")
    assert row.accepted and row.chosen == "logistics" and row.user == agent
    ticket.refresh_from_db()
    assert ticket.category is not None and ticket.category.code == "logistics"
    assert AuditEvent.objects.filter(action=TriageAudit.SUGGESTION_ACCEPTED, object_id=str(ticket.pk)).exists()
    row = triage_feedback(ticket=ticket, actor=agent, field="request_type")
    assert Ticket.objects.get(pk=ticket.pk).request_type == RequestType.COMPLAINT


def test_correcting_a_field_applies_the_choice_and_stores_the_correction(engine, agent):
    ticket = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    row = triage_feedback(ticket=ticket, actor=agent, field="category", value="product_quality")
    assert not row.accepted and (row.suggested, row.chosen) == ("logistics", "product_quality")
    assert Ticket.objects.get(pk=ticket.pk).category.code == "product_quality"  # type: ignore[union-attr]
    triage_feedback(ticket=ticket, actor=agent, field="urgency", value="important")
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.IMPORTANT
    assert TriageFeedback.objects.filter(ticket=ticket).count() == 2


def test_an_invalid_correction_is_refused_and_changes_nothing(engine, agent):
    ticket = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    with pytest.raises(ValidationFailed):
        triage_feedback(ticket=ticket, actor=agent, field="category", value="no_such_category")
    assert not TriageFeedback.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).category_id == ticket.category_id


def test_confirmed_examples_carry_the_peoples_choices(engine, agent):
    confirmed = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=confirmed.pk)
    triage_feedback(ticket=confirmed, actor=agent, field="category", value="product_quality")
    unconfirmed = make_ticket(description="快递太慢")
    triage_run(ticket_id=unconfirmed.pk)
    examples = list(confirmed_examples())
    assert len(examples) == 1
    text, labels = examples[0]
    assert "快递把洗衣机摔坏了" in text
    assert labels["category"] == "product_quality" and labels["urgency"] in {"urgent", "important", "normal"}
    assert labels["safety"] == "0"


def test_the_sweep_triages_recent_tickets_whose_job_was_lost(engine):
    import datetime as dt

    from aftersales.core import clock
    from aftersales.triage.tasks import triage_sweep

    lost = make_ticket(description="快递太慢了")
    done = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=done.pk)
    Ticket.objects.filter(pk__in=[lost.pk, done.pk]).update(created_at=clock.now() - dt.timedelta(minutes=10))
    assert triage_sweep.call() == 1
    assert TriageResult.objects.get(ticket=lost).status == TriageStatus.DONE
    assert triage_sweep.call() == 0


def test_the_shipped_engine_triages_a_hazard_ticket_end_to_end(agent):
    """With the real model (no stand-in): valid values the panel can apply, and the hazard made urgent."""
    from pathlib import Path

    from aftersales.tickets.models import TicketCategory
    from aftersales.triage import engine

    if not (Path(engine.__file__).parent / "model_data" / "triage_model.npz").exists():
        pytest.skip("the shipped model is not built yet (manage.py triage_train)")
    ticket = make_ticket(description="电水壶底座冒烟，有焦糊味，差点起火，孩子吓坏了。")
    result = triage_run(ticket_id=ticket.pk)
    assert result is not None and result.status == TriageStatus.DONE, result and result.error
    assert TicketCategory.objects.filter(code=result.category).exists()
    assert result.request_type in RequestType.values and result.urgency in {"urgent", "important", "normal"}
    assert result.safety == "1" and Ticket.objects.get(pk=ticket.pk).priority == Priority.URGENT
    triage_feedback(ticket=ticket, actor=agent, field="category", value="other")
    assert Ticket.objects.get(pk=ticket.pk).category.code == "other"  # type: ignore[union-attr]
