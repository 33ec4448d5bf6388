"""The quality manager's tile on the workbench: the results waiting for their acceptance (质量验收),
linking to the worklist that lists exactly them (``quality.acceptance_selectors``: the same
scope and status; one COUNT)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.quality.acceptance_selectors import awaiting_acceptance_count
from aftersales.tickets.process.acceptance import may_accept


@dataclass(frozen=True)
class AcceptanceTile:
    count: int
    url: str


def acceptance_tile(*, user: User) -> AcceptanceTile | None:
    """The count for whoever decides on results (quality managers; supervisors and administrators
    stand in), within their data scope; None for every other role (no query)."""
    if not may_accept(user):
        return None
    return AcceptanceTile(count=awaiting_acceptance_count(user), url=reverse("quality:acceptance"))
