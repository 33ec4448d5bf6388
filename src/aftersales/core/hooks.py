"""Explicit lists of what a change sets off in the apps above the one that makes it.

A lower app (tickets, customers, sla) must not import the apps built on it, yet its changes set
work off there: a ticket's status change moves the SLA clocks, the dashboard's counts, the
survey and the webhooks. Instead of signals (who listens is found only by searching) or
function-level imports (hidden upward dependencies), the lower app declares a ``Hook`` with the
ordered, dotted paths of its receivers, in one place, like Django's ``MIDDLEWARE``::

    TICKET_STATUS_CHANGED = Hook(
        "ticket_status_changed",
        "aftersales.feedback.receivers.ticket_status_changed",
        "aftersales.sla.receivers.ticket_status_changed",
    )
    TICKET_STATUS_CHANGED.send(ticket=locked, before=..., after=..., now=now)

Receivers run in the caller's transaction, in the order listed, with keyword arguments only;
an exception propagates (and rolls the change back). ``send`` returns the receivers' results in
order. Tests may ``override`` a hook's receivers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from django.utils.module_loading import import_string


class Hook:
    def __init__(self, name: str, *receivers: str) -> None:
        self.name = name
        self.paths: tuple[str, ...] = receivers

    @cached_property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(import_string(path) for path in self.paths)

    def send(self, **kwargs: Any) -> list[Any]:
        return [receiver(**kwargs) for receiver in self.receivers]

    @contextmanager
    def override(self, *receivers: Callable[..., Any]) -> Iterator[None]:
        saved = self.__dict__.get("receivers")
        self.__dict__["receivers"] = tuple(receivers)
        try:
            yield
        finally:
            if saved is None:
                self.__dict__.pop("receivers", None)
            else:
                self.__dict__["receivers"] = saved

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self.paths)} receivers)"


ALL_HOOKS: list[Hook] = []


def hook(name: str, *receivers: str) -> Hook:
    """Declare a hook and register it, so a test can check every receiver path imports."""
    made = Hook(name, *receivers)
    ALL_HOOKS.append(made)
    return made
