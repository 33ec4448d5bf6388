"""The one job after intake (``tickets.tasks.ticket_created_later``): the apps' later work
(crisis scan, triage) rides one job row, so an app listening adds nothing to the intake."""

from __future__ import annotations

import logging

import pytest
from django_tasks_db.models import DBTaskResult

from aftersales.tickets.effects import TICKET_CREATED_LATER
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services.later import ticket_created_later_run
from aftersales.triage.models import TriageResult
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}


def _job_rows() -> dict[str, int]:
    rows: dict[str, int] = {}
    for path in DBTaskResult.objects.values_list("task_path", flat=True):
        rows[path] = rows.get(path, 0) + 1
    return rows


@pytest.mark.parametrize("triage_on", [True, False])
def test_an_intake_queues_the_same_single_job_whether_triage_is_on_or_off(settings, triage_on):
    settings.TASKS = DB_TASKS
    settings.TRIAGE_ENABLED = triage_on
    ticket = make_ticket(description="热水器漏水，地板都湿了")
    rows = _job_rows()
    assert rows.pop("aftersales.tickets.tasks.ticket_created_later") == 1
    # Besides it only the SLA clocks' deferred checks and the customer's message: no job of the
    # triage or the crisis app.
    assert set(rows) == {"aftersales.sla.tasks.check_sla_clock", "aftersales.notifications.tasks.deliver_notification"}, rows
    job = DBTaskResult.objects.get(task_path="aftersales.tickets.tasks.ticket_created_later")
    assert job.args_kwargs["args"] == [ticket.pk]


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_job_and_the_ticket_is_triaged(settings):
    from django.core.management import call_command

    settings.TASKS = DB_TASKS
    settings.TRIAGE_ENABLED = True
    ticket = make_ticket(description="洗衣机用了一周就坏了，要求换货")
    assert not TriageResult.objects.filter(ticket=ticket).exists()  # nothing ran in the intake
    call_command("worker", queue_name="*", batch=True, no_startup_delay=True, interval=0)
    job = DBTaskResult.objects.get(task_path="aftersales.tickets.tasks.ticket_created_later")
    assert job.status == "SUCCESSFUL"
    assert job.return_value == 0  # no receiver failed
    assert TriageResult.objects.get(ticket=ticket).status == "done"


def test_a_failing_receiver_is_logged_rolled_back_and_the_next_still_runs(caplog):
    ticket = make_ticket()
    ran: list[str] = []

    def breaks(*, ticket: Ticket) -> None:
        ran.append("breaks")
        TicketEvent.objects.filter(ticket=ticket).delete()  # rolled back with its savepoint
        raise RuntimeError("spike scan exploded")

    def works(*, ticket: Ticket) -> None:
        ran.append("works")

    events = TicketEvent.objects.filter(ticket=ticket).count()
    with TICKET_CREATED_LATER.override(breaks, works), caplog.at_level(logging.ERROR):
        assert ticket_created_later_run(ticket_id=ticket.pk) == 1
    assert ran == ["breaks", "works"]
    assert TicketEvent.objects.filter(ticket=ticket).count() == events
    assert "spike scan exploded" in caplog.text and ticket.number in caplog.text


def test_a_ticket_gone_before_the_job_runs_is_nothing_to_do():
    with TICKET_CREATED_LATER.override(lambda **kw: pytest.fail("must not run")):
        assert ticket_created_later_run(ticket_id=987654321) == 0


def test_the_job_is_idempotent(settings):
    settings.TRIAGE_ENABLED = True
    ticket = make_ticket(description="空调不制冷")
    assert ticket_created_later_run(ticket_id=ticket.pk) == 0
    first = TriageResult.objects.get(ticket=ticket)
    assert ticket_created_later_run(ticket_id=ticket.pk) == 0
    assert TriageResult.objects.filter(ticket=ticket).count() == 1
    assert TriageResult.objects.get(ticket=ticket).finished_at == first.finished_at
