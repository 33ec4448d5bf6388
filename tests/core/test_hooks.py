"""The hooks (core/hooks.py): every declared receiver exists and takes keyword arguments only;
receivers run in the order listed and a test may replace them."""

from __future__ import annotations

import inspect

import pytest
from django.utils.module_loading import autodiscover_modules

from aftersales.core.hooks import ALL_HOOKS, Hook


def _declared_hooks() -> list[Hook]:
    autodiscover_modules("effects")  # every app's effects.py declares its hooks
    return list(ALL_HOOKS)


def test_the_lower_apps_declare_their_hooks():
    names = {h.name for h in _declared_hooks()}
    assert {"ticket_status_changed", "sla_breached", "customer_terms_changed"} <= names


@pytest.mark.parametrize("declared", _declared_hooks(), ids=lambda h: h.name)
def test_every_receiver_imports_and_takes_keywords_only(declared: Hook):
    assert len(declared.receivers) == len(declared.paths) >= 1
    for path, receiver in zip(declared.paths, declared.receivers, strict=True):
        assert path.startswith("aftersales.") and callable(receiver), path
        parameters = inspect.signature(receiver).parameters.values()
        assert all(p.kind == inspect.Parameter.KEYWORD_ONLY for p in parameters), path


def test_receivers_run_in_order_and_can_be_replaced_in_a_test():
    calls: list[tuple[str, int]] = []

    def first(*, n: int) -> str:
        calls.append(("first", n))
        return "a"

    def second(*, n: int) -> str:
        calls.append(("second", n))
        return "b"

    example = Hook("example", "aftersales.nowhere.receivers.missing")
    with example.override(first, second):
        assert example.send(n=7) == ["a", "b"]
    assert calls == [("first", 7), ("second", 7)]
    with pytest.raises(ImportError):
        example.send(n=1)  # outside the override: the declared (missing) receiver again
