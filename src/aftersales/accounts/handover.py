"""What a member of staff holds, and what their leaving moved: the contract between the staff
handover (``accounts.offboarding``) and the apps that hold a person's work.

``accounts`` is the lowest app: it cannot read tickets, work orders or API keys. Each app above it
answers for its own items through the two hooks of ``accounts.effects``:

* ``STAFF_HOLDINGS`` (kwargs ``user``): what the person holds now, one ``Holding`` per kind, a
  count each (one ``COUNT`` query; the preview on the person's page and ``GET …/holdings``);
* ``STAFF_LEAVING`` (kwargs ``user``, ``successor``, ``actor``, ``now``): the app moves its items
  through its own services (timeline, audit, notifications as for a change by hand) and returns
  what it moved, and what it could not move.

``kind`` is a stable code ("tickets", "work_orders", …: the API's field and the audit row's key);
``label`` a lazy translation shown in the reader's language; ``url`` where the items are listed
(empty: nowhere); ``moved=False`` for what no handover can move and a person must see to (money
paid out to a technician is settled, not moved; an improvement action without a successor).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Holding:
    kind: str
    label: Any  # a lazy translation
    count: int
    url: str = ""
    moved: bool = True


def flatten(results: Iterable[Iterable[Holding] | None]) -> list[Holding]:
    """The holdings of every receiver of a hook, in the receivers' order (a receiver may answer
    ``None`` or an empty list: nothing of its kind)."""
    return [holding for result in results if result for holding in result]


def counts(holdings: Iterable[Holding], *, moved: bool) -> dict[str, int]:
    """``{kind: count}`` of the holdings moved (or needing attention), those with a count only."""
    found: dict[str, int] = {}
    for holding in holdings:
        if holding.moved is moved and holding.count:
            found[holding.kind] = found.get(holding.kind, 0) + holding.count
    return found
