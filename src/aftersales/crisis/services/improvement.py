"""Improvement actions raised from a crisis (the quality work's PDCA actions): a step of the
post-crisis review. The action is the quality app's (``quality.services.action_raise``, origin
"crisis", its reference the crisis's code); the crisis lists the actions it raised."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.quality.models import ActionOrigin, ImprovementAction
from aftersales.quality.services import action_raise

from ..audit_actions import CrisisAudit
from ..models import Crisis
from ..permissions import check_manage
from .shared import bump, clean_text, lock_crisis


@transaction.atomic
def crisis_raise_action(
    *,
    crisis: Crisis,
    actor: User,
    title: str,
    problem: str = "",
    owner: User | None = None,
    due_date: dt.date | None = None,
) -> ImprovementAction:
    """Raise an improvement action from the crisis: its model and batch when the crisis names
    exactly one of each, the problem defaulting to the crisis's summary and lessons."""
    check_manage(actor)
    locked = lock_crisis(crisis.pk, None)
    models_ = list(locked.scope_models.all()[:2])
    batches = list(locked.scope_batches or [])
    statement = clean_text(problem, field="problem", required=False) or "\n".join(
        part for part in (f"{locked.code} {locked.title}", locked.summary, locked.lessons) if part
    )
    action = action_raise(
        actor=actor,
        title=title,
        problem=statement,
        origin=ActionOrigin.CRISIS,
        origin_reference=locked.code,
        model=models_[0] if len(models_) == 1 else None,
        batch=batches[0] if len(batches) == 1 else "",
        owner=owner,
        due_date=due_date,
    )
    locked.improvement_actions.add(action)
    bump(locked, clock.now())
    audit_record(action=CrisisAudit.IMPROVEMENT_RAISED, obj=locked, actor=actor, changes={"action": action.number})
    return action
