"""KPI, dashboard and chargeback figures against the hand-computed world of ``fixtures``
(business-hours medians across National Day and a paused clock), and who sees which rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.analytics.models import LEVEL_ALL, MonthTotal, StaffDay, TicketFact
from aftersales.analytics.selectors.chargeback import chargeback_parties_for_user, chargeback_statement_for_user
from aftersales.analytics.selectors.common import Period, parse_period
from aftersales.analytics.selectors.drill import Drill, drill_for_user
from aftersales.analytics.selectors.kpis import kpi_table_for_user
from aftersales.analytics.selectors.management import management_for_user
from aftersales.analytics.services import analytics_refresh
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.tickets.choices import Channel

from .fixtures import DataScope, Role, at, build_world, staff
from .reference import histogram_quantiles

pytestmark = pytest.mark.django_db
OCTOBER = Period(start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31))


@pytest.fixture
def world():
    w = build_world()
    analytics_refresh(now=at(2025, 11, 1, 0))
    return w


def test_ticket_facts_count_business_time_across_the_holiday_and_a_pause(world):
    a = TicketFact.objects.get(pk=world.a.pk)
    assert a.fr_seconds == 90 * 60  # 17:00–18:00 on 30 Sep + 09:00–09:30 on 9 Oct; 1–8 Oct are the holiday
    assert a.fr_met is False
    b = TicketFact.objects.get(pk=world.b.pk)
    assert b.fr_seconds == 45 * 60
    assert b.res_seconds == (20 - 3) * 3600  # 20 working hours less 3 paused
    assert b.reopened is True
    c = TicketFact.objects.get(pk=world.c.pk)
    assert c.fr_seconds == 120 * 60  # Saturday 11 Oct is a make-up workday
    assert (a.cost_refund, b.cost_total, c.cost_compensation) == (Decimal("300"), Decimal("170"), Decimal("80"))
    assert a.complaints == 1 and b.complaints == 0


def test_agent_kpis_match_the_hand_computed_figures(world):
    supervisor = staff(Role.SUPERVISOR, DataScope.ALL)
    table = kpi_table_for_user(user=supervisor, period=OCTOBER)
    wang = next(r for r in table.rows if r.key == world.wang.pk)
    assert wang.handled == 3
    assert (wang.fr_median, wang.fr_p90) == (90.0, 120.0)
    assert (wang.res_median, wang.res_p90) == (1020.0, 1020.0)
    assert wang.fr_rate == 66.67  # 2 of 3 met (two decimals: the page shows 66.7%)
    assert wang.res_rate == 100.0
    assert wang.reopen_rate == 33.33
    assert wang.complaints == 1
    assert wang.csat["overall"] == 4.0 and wang.csat["attitude"] == 3.0
    assert wang.satisfied_rate == 50.0  # overall 5 and 3: one of two rated 4–5 (no NPS from 1–5 ratings)
    assert wang.resolved == 1
    assert table.total.handled == 4
    assert (table.total.fr_median, table.total.fr_p90) == (67.5, 120.0)  # [10, 45, 90, 120]


def test_technician_kpis(world):
    supervisor = staff(Role.SUPERVISOR, DataScope.ALL)
    table = kpi_table_for_user(user=supervisor, period=OCTOBER, kind="technician")
    (zhao,) = table.rows
    assert zhao.key == world.zhao.pk
    assert (zhao.jobs, zhao.jobs_done) == (2, 2)
    assert zhao.on_time_rate == 50.0  # B on time, C checked in after the window
    assert zhao.ftf_rate == 50.0  # B's unit came back within 30 days (ticket E); C's did not
    assert zhao.labour_hours == Decimal("3.5")
    assert zhao.parts_quantity == Decimal("2")


def test_team_and_region_groups(world):
    supervisor = staff(Role.SUPERVISOR, DataScope.ALL)
    regions = {r.key: r.handled for r in kpi_table_for_user(user=supervisor, period=OCTOBER, group="region").rows}
    assert regions == {world.east.pk: 3, world.west.pk: 1}
    teams = {r.key: r.handled for r in kpi_table_for_user(user=supervisor, period=OCTOBER, group="team").rows}
    assert teams == {world.team.pk: 3, 0: 1}


def test_an_agent_sees_only_their_own_row(world):
    rows = kpi_table_for_user(user=world.li, period=OCTOBER).rows
    assert [r.key for r in rows] == [world.li.pk]


def test_a_regional_supervisor_sees_their_region_only(world):
    west_boss = staff(Role.SUPERVISOR, DataScope.REGION, region=world.west)
    rows = kpi_table_for_user(user=west_boss, period=OCTOBER).rows
    assert [r.key for r in rows] == [world.li.pk]
    team_boss = staff(Role.SUPERVISOR, DataScope.TEAM, team=world.team, region=world.east)
    assert [r.key for r in kpi_table_for_user(user=team_boss, period=OCTOBER).rows] == [world.wang.pk]


def test_a_customer_gets_nothing(world):
    customer = staff(Role.CUSTOMER, DataScope.OWN)
    with pytest.raises(PermissionDenied):
        kpi_table_for_user(user=customer, period=OCTOBER)


def test_drill_down_lists_the_tickets_behind_a_figure(world):
    supervisor = staff(Role.SUPERVISOR, DataScope.ALL)
    missed = drill_for_user(user=supervisor, drill=Drill(period=OCTOBER, metric="fr_missed", person=world.wang.pk))
    assert [f.number for f in missed.rows] == [world.a.number]
    reopened = drill_for_user(user=supervisor, drill=Drill(period=OCTOBER, metric="reopened", person=world.wang.pk))
    assert reopened.count == 1
    late = drill_for_user(user=supervisor, drill=Drill(period=OCTOBER, metric="late", person=world.zhao.pk))
    assert [j.number for j in late.rows] == ["WO-C"]
    # Another region's supervisor sees none of wang's tickets.
    west_boss = staff(Role.SUPERVISOR, DataScope.REGION, region=world.west)
    assert drill_for_user(user=west_boss, drill=Drill(period=OCTOBER, person=world.wang.pk)).count == 0


def test_management_dashboard_from_the_rollups(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    m = management_for_user(user=boss, start=dt.date(2025, 9, 1), end=dt.date(2025, 10, 31))
    assert m.months == [dt.date(2025, 9, 1), dt.date(2025, 10, 1)]
    assert m.intake == [0, 4]
    assert m.intake_by_channel[Channel.HOTLINE] == [0, 4]
    assert m.total_cost == Decimal("550")  # 300 refund + 170 job + 80 compensation
    assert m.cost_per_ticket == [None, Decimal("137.50")]
    assert m.satisfaction == [None, 4.0]
    assert sum(sum(v) for v in m.backlog.values()) == 3  # A, C, D are open; B is resolved
    east = management_for_user(user=boss, start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 1), region=world.east.pk)
    assert east.intake == [3]
    west_boss = staff(Role.SUPERVISOR, DataScope.REGION, region=world.west)
    assert management_for_user(user=west_boss, start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 1)).intake == [1]
    with pytest.raises(PermissionDenied):
        management_for_user(user=world.wang, start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 1))


def test_chargeback_statement_per_party(world):
    finance = staff(Role.FINANCE, DataScope.ALL)
    parties = chargeback_parties_for_user(user=finance, period=OCTOBER)
    assert [(p.responsibility, p.party, p.tickets, p.total) for p in parties] == [("supplier", "华东电机厂", 1, Decimal("170"))]
    statement = chargeback_statement_for_user(user=finance, period=OCTOBER, responsibility="supplier", party="华东电机厂")
    assert [line.number for line in statement.lines] == [world.b.number]
    assert statement.amounts["cost_parts"] == Decimal("100") and statement.total == Decimal("170")
    west_finance = staff(Role.FINANCE, DataScope.REGION, region=world.west)
    assert chargeback_parties_for_user(user=west_finance, period=OCTOBER) == []
    with pytest.raises(PermissionDenied):
        chargeback_parties_for_user(user=world.wang, period=OCTOBER)
    with pytest.raises(ValidationFailed):
        chargeback_statement_for_user(user=finance, period=OCTOBER, responsibility="nobody", party="x")


def test_refresh_is_idempotent_and_incremental(world):
    before = sorted(StaffDay.objects.values_list("day", "kind", "user_key", "handled", "fr_minutes"))
    cube = sorted(MonthTotal.objects.filter(level=LEVEL_ALL).values_list("month", "intake", "cost_parts"))
    analytics_refresh(now=at(2025, 11, 1, 0, 5))
    assert sorted(StaffDay.objects.values_list("day", "kind", "user_key", "handled", "fr_minutes")) == before
    assert sorted(MonthTotal.objects.filter(level=LEVEL_ALL).values_list("month", "intake", "cost_parts")) == cube
    # A reassignment reaches the rollups through the ticket's timeline.
    from aftersales.tickets.choices import EventKind
    from aftersales.tickets.models import Ticket, TicketEvent

    Ticket.objects.filter(pk=world.d.pk).update(assignee=world.wang)
    TicketEvent.objects.create(ticket=world.d, kind=EventKind.ASSIGNMENT, created_at=at(2025, 11, 1, 1))
    analytics_refresh(now=at(2025, 11, 1, 1, 5))
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    assert {r.key: r.handled for r in kpi_table_for_user(user=boss, period=OCTOBER).rows} == {world.wang.pk: 4}


def test_quantiles_and_periods():
    assert histogram_quantiles({}) == (None, None)
    assert histogram_quantiles({5: 1}) == (5.0, 5.0)
    assert histogram_quantiles({1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1}) == (5.5, 9.0)
    assert parse_period("2025-10-01", "2025-10-31").days == 31
    with pytest.raises(ValidationFailed):
        parse_period("2025-11-01", "2025-10-01")
    with pytest.raises(ValidationFailed):
        parse_period("nope", "")
