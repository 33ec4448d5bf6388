"""Fitting one answer's logistic regression (training; needs scikit-learn and SciPy).

``fit_head`` trains one head. ``fit_selected`` also chooses its regularisation strength C from a
small grid by an *inner* cross-validation on the training rows only, and fits its temperature
(``calibration.fit_temperature``) on the out-of-fold scores of that inner cross-validation: so the
choice and the calibration never see the rows a cross-validated figure is measured on.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypedDict

import numpy as np

from .calibration import fit_temperature, log_loss
from .classifier import Head
from .features import Analysed, hashed_matrix

MISSING_CLASS_SCORE = -1e4  # the score of a class an inner model never saw (a probability of 0)


class OutOfFold(TypedDict, total=False):
    """The inner cross-validation's out-of-fold scores of the chosen C (``fit_selected``)."""

    rows: np.ndarray
    scores: np.ndarray
    truth: np.ndarray
    classes: list[str]


@dataclass
class Prepared:
    """The training texts as features: analysed texts (hashed n-grams, lexicon) and dense values."""

    items: list[Analysed]
    dense: np.ndarray
    safety: list[tuple[bool, float]]  # the safety rule's answer and level per text


Extra = Sequence[tuple[int, str, float]]  # (row, label, weight): an extra example of a row


def fit_head(
    prep: Prepared,
    idx: np.ndarray,
    labels: Sequence[str],
    c: float,
    extra: Extra = (),
    min_df: int = 1,
    class_weight: str | None = None,
) -> Head:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    order = [*idx.tolist(), *(i for i, _lab, _w in extra)]
    hashed = hashed_matrix([prep.items[i] for i in order])
    # Buckets seen in at least ``min_df`` training texts: fewer weights, a faster fit.
    buckets, df = np.unique(hashed.indices, return_counts=True)
    cols = buckets[df >= min_df].astype(np.int64)
    x = hstack([hashed[:, cols], csr_matrix(prep.dense[order])]).tocsr()
    y = np.array([labels[i] for i in idx] + [lab for _i, lab, _w in extra])
    weights = np.array([1.0] * len(idx) + [w for _i, _lab, w in extra])
    classes = sorted(set(y))
    if len(classes) == 1:  # a single answer: a constant head
        return Head(
            classes=(classes[0],),
            cols=np.zeros(0, dtype=np.int64),
            w_hash=np.zeros((1, 0), dtype=np.float32),
            w_dense=np.zeros((1, prep.dense.shape[1]), dtype=np.float32),
            bias=np.zeros(1, dtype=np.float32),
        )
    clf = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight)
    clf.fit(x, y, sample_weight=weights)
    coef = clf.coef_
    bias = clf.intercept_
    if len(clf.classes_) == 2:  # binary: sklearn keeps one row (the second class)
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2])
    n = len(cols)
    return Head(
        classes=tuple(str(c) for c in clf.classes_),
        cols=cols,
        w_hash=np.asarray(coef[:, :n], dtype=np.float32),
        w_dense=np.asarray(coef[:, n:], dtype=np.float32),
        bias=np.asarray(bias, dtype=np.float32),
    )


def head_scores(head: Head, prep: Prepared, idx: Sequence[int], classes: Sequence[str]) -> np.ndarray:
    """The head's scores (logits) of the rows ``idx``, one column per class of ``classes``."""
    out = np.full((len(idx), len(classes)), MISSING_CLASS_SCORE, dtype=np.float64)
    where = {c: k for k, c in enumerate(classes)}
    for r, i in enumerate(idx):
        s = head.scores(prep.items[i].hashed, prep.dense[i])
        for c, v in zip(head.classes, s, strict=True):
            out[r, where[c]] = v
    return out


def _inner_splits(idx: np.ndarray, labels: Sequence[str], folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import KFold, StratifiedKFold

    folds = min(folds, len(idx))
    if folds < 2:
        return []
    y = np.array([labels[i] for i in idx])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a class rarer than the folds: stratified where it can
        try:
            split = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(idx, y))
        except ValueError:
            split = list(KFold(n_splits=folds, shuffle=True, random_state=seed).split(idx))
    return [(idx[a], idx[b]) for a, b in split]


def fit_selected(
    prep: Prepared,
    idx: np.ndarray,
    labels: Sequence[str],
    grid: Sequence[float],
    *,
    extra: Extra = (),
    min_df: int = 1,
    class_weight: str | None = None,
    inner_folds: int = 3,
    calibrate: bool = True,
    seed: int = 42,
    accept: Sequence[str] | None = None,
    oof: OutOfFold | None = None,
) -> tuple[Head, float]:
    """A head trained on ``idx`` with the C of ``grid`` whose answers had the least log-loss in an
    inner cross-validation of ``idx`` (ties: the earlier C of the grid), and its temperature fitted on that
    C's out-of-fold scores (``accept``: per row a second answer that also counts as right, "" for
    none: an ambiguous text's category2). Returns the head and the chosen C; ``oof`` (if given)
    receives the chosen C's out-of-fold scores (``mix_selected``)."""
    classes = sorted({labels[i] for i in idx} | {lab for _i, lab, _w in extra})
    splits = _inner_splits(idx, labels, inner_folds, seed) if (len(grid) > 1 or calibrate) and len(classes) > 1 else []
    best_c, best_loss, best_t = float(grid[0]), np.inf, 1.0
    order = np.concatenate([b for _a, b in splits]) if splits else np.zeros(0, dtype=int)
    truth = np.array([classes.index(labels[i]) for i in order], dtype=int)
    alt = np.array([classes.index(accept[i]) if accept and accept[i] in classes else -1 for i in order], dtype=int)
    for c in grid if splits else ():
        parts = []
        for a, b in splits:
            inner_extra = [e for e in extra if e[0] in set(a.tolist())]
            head = fit_head(prep, a, labels, c, inner_extra, min_df, class_weight)
            parts.append(head_scores(head, prep, b, classes))
        scores = np.vstack(parts)
        # A row whose answer its inner model never saw cannot teach anything (no C, no temperature).
        seen = scores[np.arange(len(truth)), truth] > MISSING_CLASS_SCORE
        t = fit_temperature(scores[seen], truth[seen], alt[seen]) if calibrate else 1.0
        # The C whose out-of-fold answers have the least log-loss once calibrated (a smoother
        # measure than the accuracy on a few hundred texts).
        loss = log_loss(scores[seen], truth[seen], t, alt[seen])
        if loss < best_loss - 1e-9:
            best_c, best_loss, best_t = float(c), loss, t
            if oof is not None:
                oof.update(rows=order, scores=scores, truth=truth, classes=classes)
    head = fit_head(prep, idx, labels, best_c, extra, min_df, class_weight)
    if calibrate:
        head = replace(head, temperature=best_t)
    return head, best_c


def mix_heads(first: Head, second: Head, weight: float) -> Head:
    """One head whose scores are ``(1 - weight)`` × ``first``'s calibrated scores + ``weight`` ×
    ``second``'s (each divided by its own temperature): an average of two linear models over the
    same features is one linear model, so the file format and the answering cost do not change.
    The two heads must have the same classes; the hashed buckets of both are kept."""
    if first.classes != second.classes:
        raise ValueError("the heads answer different classes")
    a, b = (1.0 - weight) / first.temperature, weight / second.temperature
    cols = np.union1d(first.cols, second.cols).astype(np.int64)
    w_hash = np.zeros((len(first.classes), len(cols)), dtype=np.float32)
    for head, k in ((first, a), (second, b)):
        if len(head.cols):
            w_hash[:, np.searchsorted(cols, head.cols)] += k * head.w_hash
    return Head(
        classes=first.classes,
        cols=cols,
        w_hash=w_hash,
        w_dense=np.asarray(a * first.w_dense + b * second.w_dense, dtype=np.float32),
        bias=np.asarray(a * first.bias + b * second.bias, dtype=np.float32),
        temperature=1.0,
    )


def mix_selected(first: Head, first_oof: OutOfFold, second: Head, second_oof: OutOfFold, weight: float) -> Head:
    """``mix_heads`` of two heads chosen by ``fit_selected`` on the same rows, with the mixed head's
    temperature fitted on the mixture of their out-of-fold scores (each calibrated first), so the
    mixed answer's confidence is calibrated like the others (1.0 when there is nothing to fit)."""
    mixed = mix_heads(first, second, weight)
    same = (
        "scores" in first_oof
        and "scores" in second_oof
        and np.array_equal(first_oof["rows"], second_oof["rows"])
        and first_oof["classes"] == second_oof["classes"] == list(mixed.classes)
    )
    if not same:
        return mixed
    scores = (1.0 - weight) * first_oof["scores"] / first.temperature + weight * second_oof["scores"] / second.temperature
    truth = first_oof["truth"]
    rows = np.arange(len(truth))
    seen = (first_oof["scores"][rows, truth] > MISSING_CLASS_SCORE) & (second_oof["scores"][rows, truth] > MISSING_CLASS_SCORE)
    return replace(mixed, temperature=fit_temperature(scores[seen], truth[seen]))
