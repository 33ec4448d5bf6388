"""Faulty parts sent back for appraisal (鉴定): supplier defect, wear, misuse or no fault.

Receiving a parts return requests an appraisal of each faulty part in the appraisal app (the
``FAULTY_PARTS_RECEIVED`` hook of ``parts/effects.py``); signing it records the result here
(``faulty_appraised``). ``faulty_appraise`` (the parts pages' form) remains for parts whose
return has no ticket to appraise under."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred

from .. import permissions as perms
from ..models import AppraisalResult, FaultyPartReturn, FaultyStatus, PartReturn
from ..states import FAULTY
from .common import add_timeline, lock_job


@transaction.atomic
def faulty_appraise(*, faulty: FaultyPartReturn, actor: User, result: str, note: str = "") -> FaultyPartReturn:
    """Record the appraisal (鉴定) of a received faulty part."""
    work_order_id = PartReturn.objects.filter(pk=faulty.part_return_id).values_list("work_order_id", flat=True).get()
    work_order = lock_job(work_order_id=work_order_id) if work_order_id else None
    locked = FaultyPartReturn.objects.select_for_update(of=("self",)).select_related("part_return__warehouse").get(pk=faulty.pk)
    if not perms.can_appraise(actor) or (
        perms.is_stock_staff(actor) and not perms.can_access_warehouse(actor, locked.part_return.warehouse)
    ):
        raise PermissionDenied(_("You may not appraise this part."), code="not_appraiser")
    FAULTY.require(locked, FaultyStatus.APPRAISED)
    if result not in AppraisalResult.values:
        raise ValidationFailed({"result": [_("Choose the appraisal result.")]}, code="result_invalid")
    note = (note or "").strip()[:2000]
    FAULTY.move(
        locked,
        to=FaultyStatus.APPRAISED,
        actor=actor,
        fields={"appraisal_result": result, "appraisal_note": note, "appraised_by": actor, "appraised_at": clock.now()},
        changes={"result": result, "note": note},
    )
    if work_order is not None:
        add_timeline(
            work_order=work_order,
            actor=actor,
            body=deferred(
                _("Faulty %(part)s %(serial)s appraised: %(result)s"),
                part=locked.part.name,
                serial=locked.serial,
                result=AppraisalResult(locked.appraisal_result).label,
            ),
            data={"faulty": locked.pk, "action": "faulty_appraised"},
        )
    return locked


def faulty_appraised(*, faulty_id: int, actor: User, result: str, note: str = "") -> FaultyPartReturn | None:
    """The result of a signed faulty-part appraisal (the appraisal app, in its transaction: the
    ticket and the appraisal are locked). A part already appraised (the parts form) keeps its
    result; returns ``None`` then."""
    if result not in AppraisalResult.values:
        raise ValidationFailed({"result": [_("Choose the appraisal result.")]}, code="result_invalid")
    locked = FaultyPartReturn.objects.select_for_update(of=("self",)).select_related("part").get(pk=faulty_id)
    if locked.status != FaultyStatus.RECEIVED:
        return None
    note = (note or "").strip()[:2000]
    FAULTY.move(
        locked,
        to=FaultyStatus.APPRAISED,
        actor=actor,
        fields={"appraisal_result": result, "appraisal_note": note, "appraised_by": actor, "appraised_at": clock.now()},
        changes={"result": result, "note": note, "by": "appraisal"},
    )
    return locked
