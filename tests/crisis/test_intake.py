"""Detection on intake: safety words make the ticket urgent at once and open a safety alert;
a media report opens an alert; a detector error never fails intake."""

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.crisis import receivers
from aftersales.crisis.models import Alert, AlertKind, AlertStatus, Dimension
from aftersales.sla.models import SlaClock
from aftersales.tickets.choices import Channel, Priority
from aftersales.tickets.models import Ticket
from tests.factories import ProductModelFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_safety_words_make_the_ticket_urgent_and_open_an_alert() -> None:
    supervisor = UserFactory(role="supervisor", data_scope="all")
    ticket = make_ticket(description="热水器插头冒烟了，有焦糊味", priority=Priority.NORMAL)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.priority == Priority.URGENT
    assert stored.safety_hazard is True
    # The SLA clocks started on the urgent terms (the receiver runs before the SLA's).
    assert ticket.priority == Priority.URGENT
    alert = Alert.objects.get(kind=AlertKind.SAFETY)
    assert list(alert.tickets.all()) == [stored]
    assert "冒烟" in alert.words
    assert alert.status == AlertStatus.OPEN
    audit = AuditEvent.objects.get(action="crisis.ticket_marked_urgent", object_id=str(ticket.pk))
    assert audit.actor_label == "system"
    entry = stored.events.filter(data__action="safety_words").get()
    assert entry.data["text"]["p"]["words"] == ["冒烟", "焦糊味"]
    # The supervisor heard of it in their inbox.
    assert supervisor.notifications.filter(template="crisis.alert_opened").exists()


def test_a_plain_ticket_is_left_alone() -> None:
    ticket = make_ticket(description="冒烟的烤鸭外卖送错了", priority=Priority.NORMAL)
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.NORMAL
    assert not Alert.objects.exists()


def test_the_sla_clocks_start_on_urgent_terms() -> None:
    urgent = make_ticket(description="洗衣机漏电了", priority=Priority.NORMAL)
    normal = make_ticket(description="洗衣机噪音大", priority=Priority.NORMAL, phone="13900000000")
    clocks = {c.metric: c.due_at for c in SlaClock.objects.filter(ticket=urgent)}
    others = {c.metric: c.due_at for c in SlaClock.objects.filter(ticket=normal)}
    if clocks and others:  # the demo policies give urgent tickets shorter targets
        assert min(clocks.values()) <= min(others.values())


def test_safety_alerts_on_one_model_merge() -> None:
    model = ProductModelFactory()
    first = make_ticket(description="空调外机起火", product_model_code=model.code)
    second = make_ticket(description="空调插头冒烟", product_model_code=model.code, phone="13900000001")
    alert = Alert.objects.get(kind=AlertKind.SAFETY)
    assert alert.dimension == Dimension.MODEL
    assert set(alert.tickets.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert alert.merged_count == 1
    assert set(alert.words) == {"起火", "冒烟"}


def test_a_social_media_report_opens_an_alert() -> None:
    ticket = make_ticket(channel=Channel.SOCIAL, description="微博上有人发帖说技师态度恶劣")
    alert = Alert.objects.get(kind=AlertKind.SOCIAL)
    assert list(alert.tickets.all()) == [Ticket.objects.get(pk=ticket.pk)]


def test_a_detector_error_never_fails_intake(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(receivers, "detect", broken)
    ticket = make_ticket(description="热水器插头冒烟了")
    assert Ticket.objects.filter(pk=ticket.pk, number=ticket.number).exists()
    assert "safety detector failed" in caplog.text


def test_an_alert_error_after_numbering_never_fails_intake(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(receivers, "alert_raise_safety", broken)
    monkeypatch.setattr(receivers, "alert_raise_social", broken)
    ticket = make_ticket(description="热水器插头冒烟了", channel=Channel.SOCIAL)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.priority == Priority.URGENT  # the decision stands; only the alert failed
    assert not Alert.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_intake_queues_the_crisis_scan_as_a_job_that_a_worker_runs(settings):
    """Joining open crises and the spike scan read weeks of tickets: they run after the intake,
    not inside its transaction (which holds the day's number counter)."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}
    ticket = make_ticket(description="热水器漏水")
    job = DBTaskResult.objects.get(task_path="aftersales.tickets.tasks.ticket_created_later")
    assert job.args_kwargs["args"] == [ticket.pk]

    call_command("worker", queue_name="*", batch=True, no_startup_delay=True, interval=0)
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL"
