"""Kaplan–Meier from counts: the counting formula agrees with scipy.stats.ecdf on censored data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from aftersales.quality import survival


def test_single_cohort_matches_scipy_and_hand_computation():
    # 100 units shipped 4 months ago; 5 fail in month 0, 3 in month 2.
    failures = {0: 5, 2: 3}
    shipped = {4: 100}
    assert survival.censored_counts(failures=failures, shipped_at_age=shipped) == {4: 92}
    result = survival.kaplan_meier_from_counts(failures=failures, shipped_at_age=shipped, horizon=5)
    assert result[0] == pytest.approx(0.95)
    assert result[1] == pytest.approx(0.95)
    assert result[2] == pytest.approx(0.95 * (1 - 3 / 95))
    assert result[5] is None  # nobody observed beyond month 4
    observed = np.repeat([0.0, 2.0], [5, 3])
    right = np.repeat([4.5], [92])
    sf = stats.ecdf(stats.CensoredData(uncensored=observed, right=right)).sf
    assert [result[m] for m in range(5)] == pytest.approx([float(sf.evaluate(m)) for m in range(5)])


def test_counts_path_equals_scipy_path_with_several_cohorts():
    failures = {0: 4, 1: 6, 3: 2}
    shipped = {1: 300, 3: 200, 6: 100}
    with_scipy = survival.kaplan_meier_scipy(failures=failures, shipped_at_age=shipped, horizon=7)
    counted = survival.kaplan_meier_from_counts(failures=failures, shipped_at_age=shipped, horizon=7)
    assert [v is None for v in with_scipy] == [v is None for v in counted]
    assert [v for v in with_scipy if v is not None] == pytest.approx([v for v in counted if v is not None])


def test_nothing_shipped_has_no_curve():
    assert survival.kaplan_meier_from_counts(failures={0: 3}, shipped_at_age={}, horizon=2) == [None, None, None]
