"""A member of staff leaves: their appraisals change hands (the staff handover,
``accounts.offboarding``, which checks who may)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.i18n import deferred

from .. import permissions
from ..audit_actions import AppraisalAudit
from ..models import Appraisal
from ..states import HANDED_OVER
from .common import A, _record, _save, lock_appraisal, move


@transaction.atomic
def appraisal_hand_over(*, appraisal: Appraisal, actor: User, appraiser: User | None) -> Appraisal:
    """An appraisal of an appraiser who leaves, assigned and not signed: to ``appraiser`` (an
    active appraiser) in its status, the draft report with it; without one back to "requested"
    and unassigned, in the appraisers' queue (the draft stays on it for whoever takes it).
    Audited and on the ticket's timeline; a closed ticket refuses (``lock_appraisal``)."""
    if appraiser is not None and not permissions.is_appraiser(appraiser):
        raise DomainError(_("Choose an active appraiser."), code="appraiser_invalid", field="appraiser")
    _ticket, locked = lock_appraisal(appraisal, expected_version=None)
    if locked.status not in HANDED_OVER:
        raise DomainError(_("Only an appraisal assigned and not signed changes hands."), code="appraisal_not_assignable")
    before = locked.appraiser_id
    leaver = str(locked.appraiser or "")
    locked.appraiser = appraiser
    if appraiser is None:
        return move(
            locked,
            to=A.REQUESTED,
            actor=actor,
            text=deferred(_("back to the requests: %(name)s has left."), name=leaver),
            fields={"appraiser"},
            changes={"appraiser": [before, None]},
        )
    _save(locked, {"appraiser"})
    _record(
        locked,
        actor=actor,
        action=AppraisalAudit.ASSIGNED,
        text=deferred(_("handed over to %(name)s: %(left)s has left."), name=str(appraiser), left=leaver),
        changes={"appraiser": [before, appraiser.pk]},
    )
    return locked
