"""The demo's last step runs the worker's auto-close too (``demo.worker.JOBS``), and it closes no
story ticket: the stories resolve the tickets meant to stay resolved within
``TICKET_AUTO_CLOSE_DAYS``, so each still waits for its customer (the demo set is loaded once for
the package: ``conftest.demo_output``)."""

import datetime as dt

import pytest
from django.conf import settings

from aftersales.core import clock
from aftersales.demo.stories import KEY_PREFIX, STATUS_PLAN
from aftersales.demo.worker import JOBS
from aftersales.tickets.process import tickets_auto_close
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.states import TicketStatus
from aftersales.tickets.tasks import auto_close_resolved_tickets

pytestmark = pytest.mark.django_db


def test_the_demo_runs_the_auto_close_once(demo_output):
    assert auto_close_resolved_tickets in JOBS


def test_resolved_story_tickets_were_resolved_within_the_auto_close_days(demo_output):
    resolved = tickets_with_intake_key_prefix(KEY_PREFIX).filter(status=TicketStatus.RESOLVED)
    assert resolved.count() == STATUS_PLAN[TicketStatus.RESOLVED][0]
    cutoff = clock.now() - dt.timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS)
    assert not resolved.filter(resolved_at__lte=cutoff).exists()
    # Some are still old enough to look like a real queue (not all resolved this morning).
    assert resolved.filter(resolved_at__lte=clock.now() - dt.timedelta(days=1)).exists()


def test_the_worker_starting_after_the_demo_closes_no_story_ticket(demo_output):
    before = tickets_with_intake_key_prefix(KEY_PREFIX).filter(status=TicketStatus.RESOLVED).count()
    tickets_auto_close()
    after = tickets_with_intake_key_prefix(KEY_PREFIX).filter(status=TicketStatus.RESOLVED).count()
    assert after == before == STATUS_PLAN[TicketStatus.RESOLVED][0]
