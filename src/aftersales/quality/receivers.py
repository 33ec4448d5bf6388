"""What the quality app does when a lower app's change sets it off (``core.hooks``): the staff
handover (``accounts.effects``)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User

from .models import ActionStatus, ImprovementAction
from .services import ActionInput, action_update

KIND = "improvement_actions"


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: the improvement actions ``user`` owns that are not closed."""
    count = ImprovementAction.objects.filter(owner=user).exclude(status=ActionStatus.CLOSED).count()
    return [Holding(kind=KIND, label=_("Improvement actions owned"), count=count, url=reverse("quality:actions"))]


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: the successor owns them (the edit an engineer makes, audited); without
    a successor they stay as they are and need a new owner."""
    actions = list(ImprovementAction.objects.filter(owner=user).exclude(status=ActionStatus.CLOSED).order_by("pk"))
    url = reverse("quality:actions")
    if successor is None:
        return [Holding(kind=KIND, label=_("Improvement actions: name a new owner"), count=len(actions), url=url, moved=False)]
    for action in actions:
        data = dataclasses.replace(ActionInput.of(action), owner_id=successor.pk)
        action_update(action=action, actor=actor, data=data, expected_version=None)
    return [Holding(kind=KIND, label=_("Improvement actions, now owned by the successor"), count=len(actions), url=url)]
