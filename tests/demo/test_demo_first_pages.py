"""The first pages agree with each other right after ``manage.py demo_data``, before any worker
has run: the SLA sweep has marked every breach the badges show, the quality Pareto names the
component the improvement action is about, and the chargeback page has supplier and logistics
statements (the demo set is loaded once for the package: ``conftest.demo_output``)."""

import datetime as dt

import pytest

from aftersales.accounts.models import Role, User
from aftersales.analytics.selectors.chargeback import chargeback_parties_for_user
from aftersales.analytics.selectors.common import Period
from aftersales.core import clock
from aftersales.quality import statistics
from aftersales.quality.models import ImprovementAction
from aftersales.sla.models import ClockStatus, SlaClock
from aftersales.tickets.choices import Responsibility, SlaState
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import OPEN_STATUS_LIST

pytestmark = pytest.mark.django_db


def test_every_breach_the_clocks_show_is_marked_on_the_ticket(demo_output):
    """The "SLA breached" card counts ``sla_state``: the sweep ran, so every overdue open ticket
    is counted as breached (clocks due in the load's last minute aside: due after the sweep)."""
    loaded_at = Ticket.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    assert loaded_at is not None
    before = loaded_at - dt.timedelta(minutes=1)
    running = SlaClock.objects.filter(status=ClockStatus.RUNNING, ticket__status__in=OPEN_STATUS_LIST)
    assert not running.filter(due_at__lte=before, breached_at__isnull=True).exists()
    assert not running.filter(warn_at__lte=before, warned_at__isnull=True, breached_at__isnull=True).exists()
    overdue = set(running.filter(due_at__lte=before).values_list("ticket_id", flat=True))
    assert overdue, "the demo has a few tickets past their deadline"
    assert set(Ticket.objects.filter(pk__in=overdue).values_list("sla_state", flat=True)) == {SlaState.BREACHED}


def test_the_component_pareto_names_the_improvement_actions_component(demo_output):
    action = ImprovementAction.objects.get(origin_reference="DEMO-CAP-01")
    bars = statistics.pareto_of("component", statistics.StatFilters())
    assert bars and bars[0].key == action.component
    assert bars[0].tickets >= 30  # the defect batch's faulty capacitors, appraised


def test_the_chargeback_page_has_supplier_and_logistics_statements(demo_output):
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    today = clock.local_today()
    rows = chargeback_parties_for_user(user=admin, period=Period(start=today - dt.timedelta(days=365), end=today))
    charged = {row.responsibility for row in rows if row.total > 0}
    assert {Responsibility.SUPPLIER, Responsibility.LOGISTICS} <= charged
