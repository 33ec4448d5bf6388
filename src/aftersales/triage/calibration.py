"""Calibrated confidences for the triage (docs/triage.md, "Confidences").

- The model's answers (category, request type, urgency): **temperature scaling**. One number per
  answer, ``T``, divides the logistic regression's scores before the softmax; it is fitted during
  training by minimising the log-loss of *out-of-fold* scores (each training text scored by a model
  that did not see it), so it corrects the over-confidence of a model trained with little
  regularisation on few texts. It does not change which answer wins.
- The safety flag: the rule (``crisis.safety.assess``) answers at a few fixed levels (0.95 for an
  event word, 0.8 for an ambiguous word, 0.97 / 0.85 for "no"). Each level is mapped to the share of
  the training texts at that level whose answer was right, shrunk towards the rule's own level by
  ``SAFETY_PRIOR_WEIGHT`` pseudo-texts (histogram binning with a prior: a level seen on 3 texts
  cannot say 1.0). So ``TRIAGE_URGENT_CONFIDENCE = 0.7`` (the default) reads "a flag of this kind was right at
  least 70 % of the time".

``ece`` and ``reliability`` measure the calibration (expected calibration error of the top answer's
confidence, equal-width bins).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SAFETY_PRIOR_WEIGHT = 2.0
TEMPERATURE_BOUNDS = (0.05, 20.0)


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``scores / temperature`` (a 1-D array is one row)."""
    z = np.asarray(scores, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


def log_loss(scores: np.ndarray, truth: np.ndarray, temperature: float, alternative: np.ndarray | None = None) -> float:
    p = softmax(scores, temperature)
    rows = np.arange(len(truth))
    picked = p[rows, truth]
    if alternative is not None:  # an acceptable second answer (category2): either one is right
        has = (alternative >= 0) & (alternative != truth)
        picked = picked + np.where(has, p[rows, np.maximum(alternative, 0)], 0.0)
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def fit_temperature(scores: np.ndarray, truth: np.ndarray, alternative: np.ndarray | None = None) -> float:
    """The temperature that minimises the log-loss of ``scores`` (n × classes) for the true class
    indices ``truth`` (``alternative``: an index also counted right, -1 for none; the category's
    category2), searched on log T; 1.0 when there is nothing to fit."""
    from scipy.optimize import minimize_scalar

    if len(truth) == 0 or scores.ndim != 2 or scores.shape[1] < 2:
        return 1.0
    lo, hi = np.log(TEMPERATURE_BOUNDS[0]), np.log(TEMPERATURE_BOUNDS[1])
    best = minimize_scalar(lambda t: log_loss(scores, truth, float(np.exp(t)), alternative), bounds=(lo, hi), method="bounded")
    return float(np.exp(best.x))


def ece(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: the mean |accuracy − confidence| over equal-width confidence
    bins, weighted by the bin's share of the answers."""
    rows = reliability(confidences, correct, bins)
    n = sum(r[2] for r in rows)
    return sum(r[2] * abs(r[4] - r[3]) for r in rows) / n if n else 0.0


def reliability(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> list[tuple[float, float, int, float, float]]:
    """Per non-empty bin: (low, high, answers, mean confidence, accuracy)."""
    conf = np.asarray(confidences, dtype=np.float64)
    ok = np.asarray(correct, dtype=np.float64)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    out: list[tuple[float, float, int, float, float]] = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            out.append((b / bins, (b + 1) / bins, int(mask.sum()), float(conf[mask].mean()), float(ok[mask].mean())))
    return out


def safety_key(hazard: bool, level: float) -> str:
    return f"{int(hazard)}:{level:.3f}"


def fit_safety(answers: Sequence[tuple[bool, float]], truth: Sequence[bool]) -> dict[str, float]:
    """The calibrated confidence of each (answer, rule level) seen in training: the share of right
    answers, shrunk towards the rule's level by ``SAFETY_PRIOR_WEIGHT`` pseudo-texts."""
    tally: dict[str, tuple[float, float, float]] = {}
    for (hazard, level), real in zip(answers, truth, strict=True):
        key = safety_key(hazard, level)
        right, seen, _level = tally.get(key, (0.0, 0.0, level))
        tally[key] = (right + float(hazard == real), seen + 1.0, level)
    return {
        key: round((right + SAFETY_PRIOR_WEIGHT * level) / (seen + SAFETY_PRIOR_WEIGHT), 4)
        for key, (right, seen, level) in sorted(tally.items())
    }


def safety_confidence(table: dict[str, float], hazard: bool, level: float) -> float:
    """The calibrated confidence of the rule's answer (its own level where training never saw it)."""
    return table.get(safety_key(hazard, level), level)
