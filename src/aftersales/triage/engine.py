"""The triage engine: suggestions for a new ticket's text (issue 20, docs/triage.md).

``suggest(text, product_category=None) -> Suggestion`` is the one entry point. It is pure CPU and
offline: the shipped model (``model_data/``) is loaded once per process, on first use; no network,
no database except the safety words of ``crisis.safety`` (cached).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .classifier import KeywordModel, TriageModel

CATEGORY_CODES: tuple[str, ...] = (
    "product_quality",
    "service_attitude",
    "response_speed",
    "installation",
    "repair_delay",
    "logistics",
    "other",
)
CATEGORY_BY_LABEL: dict[str, str] = {
    "产品质量": "product_quality",
    "服务态度": "service_attitude",
    "响应速度": "response_speed",
    "安装调试": "installation",
    "维修不及时": "repair_delay",
    "物流配送": "logistics",
    "其他": "other",
}
LABEL_BY_CATEGORY: dict[str, str] = {code: label for label, code in CATEGORY_BY_LABEL.items()}
REQUEST_TYPES: tuple[str, ...] = (
    "repair",
    "return",
    "exchange",
    "refund",
    "compensation",
    "consultation",
    "installation",
    "complaint",
)
URGENCY_LEVELS: tuple[str, ...] = ("urgent", "important", "normal")
SAFETY_VALUES: tuple[str, ...] = ("1", "0")


@dataclass(frozen=True)
class Guess:
    value: str
    confidence: float  # 0..1


@dataclass(frozen=True)
class Suggestion:
    category: Guess
    request_type: Guess
    urgency: Guess
    safety: Guess
    reasons: tuple[str, ...]
    model_version: str


_lock = threading.Lock()
_loaded: TriageModel | KeywordModel | None = None


def _model() -> TriageModel | KeywordModel:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                from .classifier import load_shipped

                _loaded = load_shipped()
    return _loaded


def reset() -> None:
    """Forget the loaded model (after ``triage_train`` wrote a new one, and in tests)."""
    global _loaded
    with _lock:
        _loaded = None


def suggest(text: str, *, product_category: str | None = None) -> Suggestion:
    """The suggested category, request type, urgency and safety flag of a ticket's text."""
    return _model().suggest(text, product_category=product_category)
