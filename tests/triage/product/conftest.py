"""Fixtures for the triage in the product: a stand-in engine with fixed answers (the model's own
accuracy is tested by tests/triage/test_engine* and measured by ``triage_eval``), staff users and
the job run as a worker would, right after the intake's commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import DataScope, Role, User
from aftersales.triage import services
from aftersales.triage.engine import Guess, Suggestion
from tests.factories import UserFactory

HAZARD_WORDS = ("冒烟", "起火", "漏电", "爆炸", "发烫")  # 发烫: not a safety word of crisis.safety


def fixed_suggest(text: str, *, product_category: str | None = None) -> Suggestion:
    """A hazard word → safety 0.95, urgent, product quality; "快递" → logistics; else repair delay."""
    hazard = next((w for w in HAZARD_WORDS if w in text), None)
    if hazard:
        return Suggestion(
            category=Guess("product_quality", 0.9),
            request_type=Guess("repair", 0.7),
            urgency=Guess("urgent", 0.9),
            safety=Guess("1", 0.95),
            reasons=(hazard,),
            model_version="test-1",
        )
    if "快递" in text:
        return Suggestion(
            category=Guess("logistics", 0.8),
            request_type=Guess("complaint", 0.6),
            urgency=Guess("normal", 0.7),
            safety=Guess("0", 0.99),
            reasons=("快递",),
            model_version="test-1",
        )
    return Suggestion(
        category=Guess("repair_delay", 0.6),
        request_type=Guess("repair", 0.8),
        urgency=Guess("important", 0.5),
        safety=Guess("0", 0.97),
        reasons=("维修",),
        model_version="test-1",
    )


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Suggestion]:
    monkeypatch.setattr(services.engine, "suggest", fixed_suggest)
    return fixed_suggest


@pytest.fixture
def broken_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(text: str, **kwargs: Any) -> Suggestion:
        raise RuntimeError("model file missing")

    monkeypatch.setattr(services.engine, "suggest", boom)


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Jobs run at once when queued (after the commit on this backend)."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]}
    }


@pytest.fixture
def agent(db: Any) -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


@pytest.fixture
def supervisor(db: Any) -> User:
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
