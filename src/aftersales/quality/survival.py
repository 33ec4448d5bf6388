"""Kaplan–Meier survival of shipped units by months in service, from counts.

The data are counts, not units: units shipped per age (months since their shipment month) and
units whose first fault fell in month *m* of service. Each failed unit is given to a shipment
cohort old enough to have reached that month (the oldest first); every other unit is censored
at its cohort's age. On that data the product-limit estimate is S(m) = Π_{k ≤ m} (1 − d_k / n_k)
with n_k the units still observed at month k.

The pages compute it with that formula on the counts (exact, microseconds). ``scipy.stats.ecdf``
with ``CensoredData`` computes the same from one value per unit (``kaplan_meier_scipy``): the
reference the tests compare the formula with. The overview does not use it: importing
``scipy.stats`` took over a second on a process's first view of /quality/ (the audit's "1.73 s on
the first view"), for a figure the formula gives identically. ``SCIPY_LIMIT`` (0) is the population
up to which ``kaplan_meier_from_counts`` would still go through scipy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

SCIPY_LIMIT = 0  # never on the pages (see above); raise it to cross-check through scipy


def censored_counts(*, failures: Mapping[int, int], shipped_at_age: Mapping[int, int]) -> dict[int, int]:
    """Units never failed, per cohort age: each failure taken from the oldest cohort that had
    reached its month; failures beyond what was shipped (missing volumes) are dropped."""
    left = {age: n for age, n in shipped_at_age.items() if n > 0}
    for month in sorted(failures, reverse=True):
        need = failures[month]
        for age in sorted(left, reverse=True):
            if need <= 0 or age < month:
                break
            take = min(need, left[age])
            left[age] -= take
            need -= take
    return {age: n for age, n in left.items() if n > 0}


def _usable_failures(failures: Mapping[int, int], shipped_at_age: Mapping[int, int]) -> dict[int, int]:
    """The failures that fit the shipped cohorts (the same greedy allocation as ``censored_counts``)."""
    left = dict(shipped_at_age)
    used: dict[int, int] = {}
    for month in sorted(failures, reverse=True):
        need = failures[month]
        for age in sorted(left, reverse=True):
            if need <= 0 or age < month:
                break
            take = min(need, left[age])
            left[age] -= take
            need -= take
            used[month] = used.get(month, 0) + take
    return used


def kaplan_meier_from_counts(
    *, failures: Mapping[int, int], shipped_at_age: Mapping[int, int], horizon: int
) -> list[float | None]:
    """S(m) for m = 0 … horizon; None where no unit is observed any more (or nothing shipped)."""
    used = _usable_failures(failures, shipped_at_age)
    censored = censored_counts(failures=failures, shipped_at_age=shipped_at_age)
    total = sum(used.values()) + sum(censored.values())
    if total == 0:
        return [None] * (horizon + 1)
    if total <= SCIPY_LIMIT and used:
        return _with_scipy(used, censored, horizon)
    result: list[float | None] = []
    survival = 1.0
    for m in range(horizon + 1):
        at_risk = sum(n for k, n in used.items() if k >= m) + sum(n for a, n in censored.items() if a >= m)
        if at_risk <= 0:
            result.append(None)
            continue
        survival *= 1.0 - used.get(m, 0) / at_risk
        result.append(survival)
    return result


def kaplan_meier_scipy(*, failures: Mapping[int, int], shipped_at_age: Mapping[int, int], horizon: int) -> list[float | None]:
    """``kaplan_meier_from_counts`` through ``scipy.stats.ecdf`` on one value per unit (the reference)."""
    used = _usable_failures(failures, shipped_at_age)
    censored = censored_counts(failures=failures, shipped_at_age=shipped_at_age)
    if not used and not censored:
        return [None] * (horizon + 1)
    if not used:  # ecdf needs an observed failure: nothing failed, everybody survives while observed
        last_seen = max(censored)
        return [1.0 if m <= last_seen else None for m in range(horizon + 1)]
    return _with_scipy(used, censored, horizon)


def _with_scipy(used: Mapping[int, int], censored: Mapping[int, int], horizon: int) -> list[float | None]:
    from scipy import stats  # imported when used: scipy.stats costs seconds at start-up

    observed = np.repeat(np.array(list(used), dtype=float), list(used.values()))
    # A unit censored at age a was seen through month a: it is at risk at month a, gone after.
    right = np.repeat(np.array(list(censored), dtype=float) + 0.5, list(censored.values())) if censored else np.array([])
    result = stats.ecdf(stats.CensoredData(uncensored=observed, right=right)).sf
    last_seen = max([*used, *censored])
    return [float(result.evaluate(m)) if m <= last_seen else None for m in range(horizon + 1)]
