"""A member of staff leaves: their open revisits change hands (the staff handover,
``accounts.offboarding``, which checks who may)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError

from ..audit_actions import RevisitAudit
from ..models import OPEN_STATUSES, Revisit
from ..permissions import records_calls


@transaction.atomic
def revisit_hand_over(*, revisit: Revisit, actor: User, assignee: User | None) -> Revisit:
    """Give the open ``revisit`` to ``assignee`` (who records calls; their team with them), or
    leave it unassigned in its team's and region's queue ("Not assigned"). Audited; the status,
    the attempts and the calls made stay."""
    if assignee is not None and not records_calls(assignee):
        raise DomainError(_("Choose an active member of staff who records calls."), code="assignee_invalid", field="assignee")
    locked = Revisit.objects.select_for_update().get(pk=revisit.pk)
    if locked.status not in OPEN_STATUSES:
        raise DomainError(_("This revisit is finished."), code="revisit_finished", field="status")
    before = locked.assignee_id
    locked.assignee = assignee
    fields = ["assignee", "version", "updated_at"]
    if assignee is not None and assignee.team_id is not None:
        locked.team_id = assignee.team_id
        fields.append("team")
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save(update_fields=fields)
    audit_record(
        action=RevisitAudit.REASSIGNED,
        obj=locked,
        actor=actor,
        changes={"assignee": [before, assignee.pk if assignee is not None else None]},
    )
    return locked
