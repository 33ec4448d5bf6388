"""The appraiser's signature (the conclusion feeds the ticket's responsibility and cause, the
result notice goes to the customer) and the customer's answer (accepted, or a re-appraisal).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.parts.services.faulty import faulty_appraised
from aftersales.tickets.choices import Responsibility
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.common import save_fields as ticket_save_fields
from aftersales.tickets.process.notify import notify_customer

from .. import permissions
from ..choices import FaultType
from ..faulty import faulty_result_of
from ..links import appraisal_result_url
from ..models import Appraisal, AppraisalSubject, CustomerDecision
from .common import (
    A,
    _text,
    lock_appraisal,
    move,
)
from .requests import (
    _create,
)


@transaction.atomic
def appraisal_sign(*, appraisal: Appraisal, actor: User, expected_version: int | None = None) -> Appraisal:
    """The appraiser signs the report (who and when; read-only from now on); its conclusion
    becomes the ticket's responsibility and cause, and the customer is told the result. A
    faulty part's appraisal instead gives the part its result in the parts app (``faulty.py``)."""
    ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    permissions.check_appraiser(actor, locked)
    errors: dict[str, list[Any]] = {}
    if not locked.fault_type:
        errors["fault_type"] = [_("Choose the fault type before signing.")]
    if locked.sanbao_applies is None:
        errors["sanbao_applies"] = [_("Conclude whether the three guarantees (sanbao) apply before signing.")]
    if errors:
        raise ValidationFailed(errors, code="report_incomplete")
    now = clock.now()
    locked.signed_by = actor
    locked.signed_at = now
    verdict = _("three guarantees (sanbao) apply") if locked.sanbao_applies else _("three guarantees (sanbao) do not apply")
    move(
        locked,
        to=A.SIGNED,
        actor=actor,
        text=deferred(_("report signed: %(fault)s; %(verdict)s."), fault=FaultType(locked.fault_type).label, verdict=verdict),
        public=locked.subject == AppraisalSubject.PRODUCT,
        fields={"signed_by", "signed_at"},
    )
    if locked.subject == AppraisalSubject.FAULTY_PART and locked.faulty_part_id is not None:
        # A part sent back: parts records the result for its stock pages; the ticket's own
        # conclusion and the customer's notice come from the appraisal of the product.
        faulty_appraised(
            faulty_id=locked.faulty_part_id,
            actor=actor,
            result=faulty_result_of(fault_type=locked.fault_type, responsibility=locked.responsibility),
            note=locked.findings,
        )
        return locked
    _feed_ticket(ticket, locked, actor=actor)
    notify_customer(
        ticket=ticket,
        template="appraisal.result",  # editable: notifications.template_events
        params={"fault": FaultType(locked.fault_type).label, "verdict": verdict},
        link=appraisal_result_url(locked),
    )
    return locked


def _feed_ticket(ticket: Ticket, appraisal: Appraisal, *, actor: User) -> None:
    """The signed conclusion as the ticket's responsibility and cause (audited by the tickets app)."""
    changes: dict[str, Any] = {}
    if appraisal.responsibility:
        party = appraisal.supplier if appraisal.responsibility == Responsibility.SUPPLIER else appraisal.responsible_party
        entry = appraisal.responsible_party_ref
        changes.update(
            responsibility=appraisal.responsibility,
            responsible_party=entry.name if entry is not None else party[:128],
            responsible_party_ref=entry,
        )
    if appraisal.cause:
        changes["cause"] = appraisal.cause
        if appraisal.findings:
            changes["cause_detail"] = appraisal.findings
    if not changes:
        return
    ticket_save_fields(
        ticket=ticket,
        actor=actor,
        action="responsibility_set",
        changes=changes,
        data={"appraisal": appraisal.pk},
        text=deferred(_("Responsibility and cause taken from appraisal %(number)s."), number=appraisal.number),
    )


# --- The customer's answer --------------------------------------------------------------------------


@transaction.atomic
def appraisal_answer(
    *,
    appraisal: Appraisal,
    decision: str,
    reason: str = "",
    actor: User | None = None,
    customer_id: int | None = None,
    expected_version: int | None = None,
) -> Appraisal:
    """The customer accepts the signed result or asks for a re-appraisal (once). ``actor``: the
    signed-in customer; ``customer_id``: the customer named by the signed link (no login)."""
    if decision not in CustomerDecision.values:
        raise ValidationFailed({"decision": [_("Accept the result or ask for a re-appraisal.")]}, code="decision_invalid")
    reason_text = _text(reason, name="reason")
    if decision == CustomerDecision.REAPPRAISAL and not reason_text:
        raise ValidationFailed({"reason": [_("Say why you ask for a re-appraisal.")]}, code="reason_required")
    ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    if actor is not None:
        permissions.check_customer(actor, locked)
    elif customer_id is None or ticket.customer_id != customer_id:
        raise PermissionDenied(_("This appraisal is not about your request."), code="not_your_appraisal")
    if locked.subject != AppraisalSubject.PRODUCT:
        # A faulty part's appraisal is the manufacturer's own business: the customer never sees it.
        raise PermissionDenied(_("This appraisal is not about your request."), code="not_your_appraisal")
    if locked.customer_decision:
        raise DomainError(
            _("You already answered this appraisal (%(answer)s).") % {"answer": locked.get_customer_decision_display()},
            code="already_answered",
            field="decision",
        )
    if locked.status != A.SIGNED:
        raise DomainError(_("This appraisal has no signed result to answer yet."), code="not_signed", field="decision")
    locked.customer_decision = decision
    locked.customer_reason = reason_text
    locked.customer_answered_at = clock.now()
    fields = {"customer_decision", "customer_reason", "customer_answered_at"}
    if decision == CustomerDecision.ACCEPTED:
        return move(
            locked, to=A.ACCEPTED, actor=actor, text=deferred(_("the customer accepted the result.")), public=True, fields=fields
        )
    move(
        locked,
        to=A.REAPPRAISAL,
        actor=actor,
        text=deferred(_("the customer asked for a re-appraisal: %(reason)s"), reason=reason_text),
        public=True,
        fields=fields,
    )
    _create(ticket=ticket, actor=actor, place=locked.place, note=reason_text, previous=locked)
    return locked
