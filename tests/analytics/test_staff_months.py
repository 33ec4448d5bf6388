"""The person × month rollup (``StaffMonth``): the KPI figures read through it are identical to the
figures from staff days alone, on random data and on the hand-computed world, and the refreshes
(incremental and full) keep it equal to the sum of its staff days."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from aftersales.analytics.models import RefreshState, StaffDay, StaffKind, StaffMonth
from aftersales.analytics.selectors.common import Period
from aftersales.analytics.selectors.kpis import (
    GROUPS,
    kpi_row_as_dict,
    kpi_table_for_user,
    staff_rows,
    whole_months,
)
from aftersales.analytics.services import analytics_refresh
from aftersales.analytics.services.staff_months import rebuild_all_staff_months, staff_month_rows

from .fixtures import DataScope, Role, at, build_world, staff

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 11, 10), dt.date(2026, 2, 20)
PERIODS = [
    Period(dt.date(2025, 12, 5), dt.date(2025, 12, 20)),  # inside one month
    Period(dt.date(2025, 12, 1), dt.date(2025, 12, 31)),  # one whole month
    Period(dt.date(2025, 11, 20), dt.date(2026, 1, 10)),  # spanning months, across the year end
    Period(dt.date(2025, 12, 1), dt.date(2026, 1, 31)),  # whole months across the year end
    Period(dt.date(2025, 11, 10), dt.date(2026, 2, 20)),  # everything, edges on both sides
    Period(dt.date(2025, 12, 31), dt.date(2026, 1, 1)),  # two edge days, no whole month
    Period(dt.date(2026, 1, 1), dt.date(2026, 1, 1)),  # a single first day
    Period(dt.date(2025, 10, 1), dt.date(2026, 3, 31)),  # whole months beyond the data
]


def _random_days(seed: int) -> None:
    rnd = random.Random(seed)
    rows = []
    day = START
    while day <= END:
        for user in range(1, 7):
            if rnd.random() < 0.3:
                continue
            for kind in (StaffKind.AGENT, StaffKind.TECHNICIAN):
                team, region = rnd.choice([(1, 10), (2, 10), (2, 20), (0, 0)]), None
                team, region = team
                hist = lambda: {  # noqa: E731
                    str(rnd.choice([0, 1, 2, 3, 59, 60, 61, 480, 9999, rnd.randint(0, 3000)])): rnd.randint(1, 4)
                    for _ in range(rnd.randint(0, 6))
                }
                handled = rnd.randint(0, 9)
                rows.append(
                    StaffDay(
                        day=day,
                        kind=kind,
                        user_key=user,
                        team_key=team,
                        region_key=region,
                        handled=handled,
                        resolved=rnd.randint(0, handled),
                        reopened=rnd.randint(0, 2),
                        complaints=rnd.randint(0, 1),
                        fr_n=handled,
                        fr_met=rnd.randint(0, handled),
                        solution_n=rnd.randint(0, 3),
                        res_n=rnd.randint(0, 3),
                        res_met=rnd.randint(0, 1),
                        fr_minutes=hist(),
                        res_minutes=hist(),
                        ratings={
                            name: [rnd.randint(1, 5) * n, n] for name in ("overall", "attitude") if (n := rnd.randint(0, 2))
                        },
                        surveys=rnd.randint(0, 2),
                        promoters=rnd.randint(0, 1),
                        jobs=rnd.randint(0, 3),
                        jobs_done=rnd.randint(0, 2),
                        on_time=rnd.randint(0, 1),
                        on_time_n=rnd.randint(1, 2),
                        labour_hours=Decimal(rnd.randint(0, 999)) / 100,
                        parts_quantity=Decimal(rnd.randint(0, 50)) / 10,
                    )
                )
        day += dt.timedelta(days=1)
    StaffDay.objects.bulk_create(rows)


def _figures(user, period: Period, *, use_months: bool, **filters):  # type: ignore[no-untyped-def]
    out = {}
    for kind in StaffKind.values:
        for group in GROUPS:
            table = kpi_table_for_user(user=user, period=period, kind=kind, group=group, use_months=use_months, **filters)
            out[(kind, group)] = ([kpi_row_as_dict(r) for r in table.rows], kpi_row_as_dict(table.total))
    return out


def test_whole_months_of_a_period():
    assert whole_months(Period(dt.date(2025, 12, 5), dt.date(2025, 12, 20))) is None
    assert whole_months(Period(dt.date(2025, 12, 1), dt.date(2025, 12, 31))) == (dt.date(2025, 12, 1), dt.date(2026, 1, 1))
    assert whole_months(Period(dt.date(2025, 11, 20), dt.date(2026, 1, 10))) == (dt.date(2025, 12, 1), dt.date(2026, 1, 1))
    assert whole_months(Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))) == (dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    assert whole_months(Period(dt.date(2024, 2, 1), dt.date(2024, 2, 28))) is None


@pytest.mark.parametrize("seed", [1, 2])
def test_month_path_equals_the_day_path_on_random_data(seed):
    _random_days(seed)
    assert rebuild_all_staff_months() > 0
    RefreshState.objects.create(name="default", staff_months_ready=True)
    assert StaffMonth.objects.filter(month=dt.date(2026, 1, 1)).exists()
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    for period in PERIODS:
        months = whole_months(period)
        parts = staff_rows(period)
        assert [qs.model for qs in parts][:1] == ([StaffMonth] if months else [StaffDay])
        by_days = _figures(boss, period, use_months=False)
        assert by_days == _figures(boss, period, use_months=True), period
        assert _figures(boss, period, use_months=None) == by_days
        # Narrowed to a region and a team: the same.
        assert _figures(boss, period, use_months=False, region=10) == _figures(boss, period, use_months=True, region=10)
        assert _figures(boss, period, use_months=False, team=2) == _figures(boss, period, use_months=True, team=2)
    assert any(rows for rows, _total in _figures(boss, PERIODS[3], use_months=True).values())


def test_the_day_path_is_read_until_the_month_rollup_is_built():
    _random_days(3)
    period = Period(dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert [qs.model for qs in staff_rows(period)] == [StaffDay]  # no state yet
    RefreshState.objects.create(name="default", staff_months_ready=True)
    assert [qs.model for qs in staff_rows(period)] == [StaffMonth]


def _months_are_the_sum_of_days() -> None:
    stored = {(r.month, r.kind, r.user_key, r.team_key, r.region_key): r for r in StaffMonth.objects.all()}
    months = {d.replace(day=1) for d in StaffDay.objects.values_list("day", flat=True)}
    expected = {(r.month, r.kind, r.user_key, r.team_key, r.region_key): r for m in months for r in staff_month_rows(m)}
    assert set(stored) == set(expected)
    for key, row in expected.items():
        got = stored[key]
        for name in ("handled", "resolved", "fr_n", "fr_met", "jobs", "fr_minutes", "res_minutes", "ratings"):
            assert getattr(got, name) == getattr(row, name), (key, name)
        assert got.labour_hours == row.labour_hours
    assert rebuild_all_staff_months() == 0  # already right: nothing to rewrite


def test_the_refreshes_keep_staff_months_equal_to_their_days_and_the_hand_computed_figures():
    world = build_world()
    analytics_refresh(now=at(2025, 11, 1, 0))  # the first run: the full refresh
    state = RefreshState.objects.get()
    assert state.staff_months_ready and StaffMonth.objects.exists()
    _months_are_the_sum_of_days()
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    october = Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    wang = next(r for r in kpi_table_for_user(user=boss, period=october, use_months=True).rows if r.key == world.wang.pk)
    # The hand-computed figures (test_kpis): across National Day and a paused clock.
    assert (wang.handled, wang.fr_median, wang.fr_p90, wang.res_median) == (3, 90.0, 120.0, 1020.0)
    for period in (
        october,
        Period(dt.date(2025, 9, 20), dt.date(2025, 11, 5)),
        Period(dt.date(2025, 9, 1), dt.date(2025, 12, 31)),
    ):
        assert _figures(boss, period, use_months=True) == _figures(boss, period, use_months=False)

    # A refresh that finds nothing changed writes nothing and keeps the data version.
    version = state.data_version
    result = analytics_refresh(now=at(2025, 11, 1, 0, 5))
    assert not result.changed and RefreshState.objects.get().data_version == version
    staff_version = RefreshState.objects.get().staff_version

    # A reassignment: the incremental refresh rebuilds the staff days and months it touched.
    from aftersales.tickets.choices import EventKind
    from aftersales.tickets.models import Ticket, TicketEvent

    Ticket.objects.filter(pk=world.d.pk).update(assignee=world.wang)
    TicketEvent.objects.create(ticket=world.d, kind=EventKind.ASSIGNMENT, created_at=at(2025, 11, 1, 1))
    result = analytics_refresh(now=at(2025, 11, 1, 1, 5))
    assert result.changed and result.staff_changed
    assert (RefreshState.objects.get().data_version, RefreshState.objects.get().staff_version) == (
        version + 1,
        staff_version + 1,
    )
    _months_are_the_sum_of_days()
    assert {r.key: r.handled for r in kpi_table_for_user(user=boss, period=october, use_months=True).rows} == {world.wang.pk: 4}

    # The full refresh over stale months: rebuilt, equal again.
    StaffMonth.objects.update(handled=99)
    analytics_refresh(full=True, now=at(2025, 11, 1, 2))
    _months_are_the_sum_of_days()


def test_the_first_refresh_after_the_table_was_added_builds_it():
    build_world()
    analytics_refresh(now=at(2025, 11, 1, 0))
    # As a database migrated from before StaffMonth: staff days, no months, the flag unset.
    StaffMonth.objects.all().delete()
    RefreshState.objects.update(staff_months_ready=False)
    period = Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    assert [qs.model for qs in staff_rows(period)] == [StaffDay]
    version = RefreshState.objects.get().data_version
    assert analytics_refresh(now=at(2025, 11, 1, 0, 5)).changed
    state = RefreshState.objects.get()
    assert state.staff_months_ready and state.data_version == version + 1
    _months_are_the_sum_of_days()
