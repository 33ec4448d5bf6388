"""The database's medians and p90 of merged minute histograms (``selectors.histograms``) equal the
definition computed in Python (``reference.histogram_quantiles``), per group and in total."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from aftersales.analytics.models import StaffDay, StaffKind
from aftersales.analytics.selectors.histograms import TOTAL, grouped_quantiles

from .reference import histogram_quantiles

pytestmark = pytest.mark.django_db


def merged(rows: list[dict[str, int]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for hist in rows:
        for minute, n in hist.items():
            out[int(minute)] = out.get(int(minute), 0) + n
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_grouped_quantiles_equal_the_reference(seed):
    rnd = random.Random(seed)
    day = dt.date(2026, 3, 1)
    per_group: dict[int, list[dict[str, int]]] = {}
    days = []
    for user in range(1, 9):
        for offset in range(rnd.randint(1, 6)):
            # Even and odd counts, repeated minutes, single values, empty days, large minutes.
            hist = {
                str(rnd.choice([0, 1, 2, 3, 60, 61, 480, 9999, rnd.randint(0, 3000)])): rnd.randint(1, 4)
                for _ in range(rnd.randint(0, 7))
            }
            per_group.setdefault(user, []).append(hist)
            days.append(
                StaffDay(
                    day=day + dt.timedelta(days=offset), kind=StaffKind.AGENT, user_key=user, team_key=user % 3, fr_minutes=hist
                )
            )
    StaffDay.objects.bulk_create(days)
    got = grouped_quantiles(StaffDay.objects.all(), "user_key", "fr_minutes")
    expected = {user: histogram_quantiles(merged(rows)) for user, rows in per_group.items()}
    expected = {k: v for k, v in expected.items() if v != (None, None)}
    expected[TOTAL] = histogram_quantiles(merged([h for rows in per_group.values() for h in rows]))
    assert got == expected
    # Grouped by another column, and narrowed by a filter.
    teams = grouped_quantiles(StaffDay.objects.filter(user_key__lte=5), "team_key", "fr_minutes")
    for team in (0, 1, 2):
        rows = [h for user, hs in per_group.items() if user <= 5 and user % 3 == team for h in hs]
        want = histogram_quantiles(merged(rows))
        assert teams.get(team, (None, None)) == want


def test_no_rows_no_figures():
    assert grouped_quantiles(StaffDay.objects.all(), "user_key", "res_minutes") == {}
    StaffDay.objects.create(day=dt.date(2026, 3, 1), kind=StaffKind.AGENT, user_key=4, res_minutes={})
    assert grouped_quantiles(StaffDay.objects.all(), "user_key", "res_minutes") == {}


def test_quantiles_over_staff_months_and_days_together_equal_the_reference():
    """Several querysets (a period's staff months and its edge days) merge as one."""
    from aftersales.analytics.models import StaffMonth

    rnd = random.Random(7)
    per_group: dict[int, list[dict[str, int]]] = {}
    days, months = [], []
    for user in range(1, 6):
        for offset in range(3):
            hist = {str(rnd.randint(0, 600)): rnd.randint(1, 3) for _ in range(rnd.randint(0, 5))}
            per_group.setdefault(user, []).append(hist)
            days.append(StaffDay(day=dt.date(2026, 2, 26 + offset), kind=StaffKind.AGENT, user_key=user, fr_minutes=hist))
        hist = {str(rnd.randint(0, 600)): rnd.randint(1, 9) for _ in range(rnd.randint(0, 12))}
        per_group[user].append(hist)
        months.append(StaffMonth(month=dt.date(2026, 1, 1), kind=StaffKind.AGENT, user_key=user, fr_minutes=hist))
    StaffDay.objects.bulk_create(days)
    StaffMonth.objects.bulk_create(months)
    got = grouped_quantiles([StaffMonth.objects.all(), StaffDay.objects.all()], "user_key", "fr_minutes")
    expected = {user: histogram_quantiles(merged(rows)) for user, rows in per_group.items()}
    expected = {k: v for k, v in expected.items() if v != (None, None)}
    expected[TOTAL] = histogram_quantiles(merged([h for rows in per_group.values() for h in rows]))
    assert got == expected
