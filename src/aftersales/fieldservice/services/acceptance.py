"""The customer's acceptance of the finished job (完工验收): a signature drawn on the
technician's screen, or a one-time code sent to the customer; the completion acceptance form is
frozen with it, and the measure is done once all its work orders are finished."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.process.common import optional_text

from ..audit_actions import WorkOrderAudit
from ..models import (
    AcceptanceCode,
    AcceptanceMethod,
    CompletionAcceptance,
    WorkOrder,
    WorkOrderChargeLine,
    WorkOrderKind,
    WorkOrderStatus,
)
from ..permissions import check_technician
from ..uploads import decode_signature
from .common import complete_measure_if_done, local_text, lock_work_order, move, record, tell_customer
from .visit import COST_FIELDS, compute_charges

W = WorkOrderStatus
CODE_LENGTH = 6
CODES_PER_HOUR = 5


def code_ttl_minutes() -> int:
    return int(getattr(settings, "FIELDSERVICE_ACCEPTANCE_CODE_MINUTES", 30))


def code_max_attempts() -> int:
    return int(getattr(settings, "FIELDSERVICE_ACCEPTANCE_CODE_ATTEMPTS", 5))


def _hash_code(work_order: WorkOrder, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{work_order.pk}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def acceptance_code_send(*, work_order: WorkOrder, actor: User) -> AcceptanceCode:
    """Send a one-time acceptance code to the customer (SMS/email/portal); earlier codes stop
    working. Only its hash is stored."""
    _ticket, locked = lock_work_order(work_order, expected_version=None)
    check_technician(user=actor, work_order=locked)
    if locked.status != W.DONE:
        raise DomainError(_("Finish the work first."), code="not_done", field="status")
    now = clock.now()
    recent = AcceptanceCode.objects.filter(work_order=locked, created_at__gt=now - dt.timedelta(hours=1)).count()
    if recent >= CODES_PER_HOUR:
        raise DomainError(
            _("Too many codes were sent for this job in the last hour; use the signature instead."), code="code_rate_limited"
        )
    AcceptanceCode.objects.filter(work_order=locked, used_at__isnull=True, revoked=False).update(revoked=True)
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_LENGTH))
    sent = AcceptanceCode.objects.create(
        work_order=locked,
        code_hash=_hash_code(locked, code),
        expires_at=now + dt.timedelta(minutes=code_ttl_minutes()),
        created_at=now,
    )
    record(
        work_order=locked,
        actor=actor,
        action=WorkOrderAudit.ACCEPTANCE_CODE_SENT,
        body=deferred(_("Acceptance code sent to the customer.")),
    )
    tell_customer(locked, "fieldservice.acceptance_code", code=code, minutes=code_ttl_minutes())
    return sent


def _check_code(work_order: WorkOrder, code: str) -> AcceptanceCode:
    """Check ``code`` in its own transaction, so a wrong attempt is counted even though the
    acceptance is refused. The ticket is locked first, as in every write of the work order."""
    text = (code or "").strip()
    with transaction.atomic():
        lock_ticket(work_order.ticket_id)
        current = (
            AcceptanceCode.objects.select_for_update()
            .filter(work_order=work_order, used_at__isnull=True, revoked=False)
            .order_by("-created_at", "-id")
            .first()
        )
        if current is None:
            raise ValidationFailed({"code": [_("Send an acceptance code to the customer first.")]}, code="code_missing")
        if current.expires_at <= clock.now():
            raise ValidationFailed({"code": [_("The code has expired; send a new one.")]}, code="code_expired")
        if current.attempts >= code_max_attempts():
            raise ValidationFailed({"code": [_("Too many wrong attempts; send a new code.")]}, code="code_locked")
        if not text or not hmac.compare_digest(current.code_hash, _hash_code(work_order, text)):
            AcceptanceCode.objects.filter(pk=current.pk).update(attempts=F("attempts") + 1)
            left = code_max_attempts() - current.attempts - 1
            failure: ValidationFailed | None = ValidationFailed(
                {"code": [_("The code is not right (%(left)d attempts left).") % {"left": max(left, 0)}]}, code="code_wrong"
            )
        else:
            failure = None
    if failure is not None:
        raise failure
    return current


def work_order_customer_accept(
    *,
    work_order: WorkOrder,
    actor: User,
    method: str,
    signer_name: str = "",
    signature: str = "",
    code: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> CompletionAcceptance:
    """The customer accepts the finished job — a signature drawn on the technician's screen
    or the one-time code sent to them — and the completion acceptance form is stored. When
    every work order of the measure is finished, the measure is done."""
    if method not in AcceptanceMethod.values:
        raise ValidationFailed({"method": [_("Choose how the customer accepts.")]}, code="method_invalid")
    name = optional_text(signer_name, field="signer_name", limit=128)
    comment_text = optional_text(comment, field="comment", limit=2000)
    png = decode_signature(signature) if method == AcceptanceMethod.SIGNATURE else b""
    if method == AcceptanceMethod.SIGNATURE and not name:
        raise ValidationFailed({"signer_name": [_("Write the name of who signs.")]}, code="signer_name_required")
    current = WorkOrder.objects.get(pk=work_order.pk)
    check_technician(user=actor, work_order=current)
    if current.status != W.DONE:
        raise DomainError(_("Finish the work first."), code="not_done", field="status")
    code_record = _check_code(current, code) if method == AcceptanceMethod.CODE else None
    with transaction.atomic():
        _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
        check_technician(user=actor, work_order=locked)
        if locked.status != W.DONE:
            raise DomainError(_("Finish the work first."), code="not_done", field="status")
        now = clock.now()
        if code_record is not None:
            used = AcceptanceCode.objects.filter(pk=code_record.pk, used_at__isnull=True).update(used_at=now)
            if not used:
                raise Conflict(_("This code was used already."), code="code_used")
        acceptance = CompletionAcceptance(
            work_order=locked,
            method=method,
            signer_name=name or locked.contact_name,
            signature_sha256=hashlib.sha256(png).hexdigest() if png else "",
            comment=comment_text,
            accepted_at=now,
            recorded_by=actor,
        )
        if png:
            acceptance.signature.save("signature.png", ContentFile(png), save=False)
        locked.customer_accepted_at = now
        compute_charges(locked)
        acceptance.summary = acceptance_summary(locked)
        acceptance.save()
        move(
            locked,
            to=W.CUSTOMER_ACCEPTED,
            actor=actor,
            body=deferred(
                _("The customer accepted the work (%(method)s); charge %(charge)s CNY."),
                method=AcceptanceMethod(method).label,
                charge=str(locked.charge_total),
            ),
            public=True,
            fields={"customer_accepted_at", *COST_FIELDS},
            changes={"method": method, "charge_total": str(locked.charge_total)},
        )
        complete_measure_if_done(locked)
    return acceptance


def acceptance_summary(work_order: WorkOrder) -> dict[str, Any]:
    """What the completion acceptance form says, frozen at acceptance."""
    lines = list(WorkOrderChargeLine.objects.filter(work_order=work_order).order_by("position", "id"))
    unit = work_order.ticket.product_unit
    return {
        "number": work_order.number,
        "ticket": work_order.ticket.number,
        "kind": str(WorkOrderKind(work_order.kind).label),
        "kind_code": work_order.kind,  # said in the reader's language (``models.acceptance_kind``)
        "customer": work_order.ticket.customer.name,
        "address": " ".join(p for p in (work_order.province, work_order.city, work_order.district, work_order.address) if p),
        "unit": f"{unit.model.name} {unit.serial_number}" if unit else work_order.ticket.reported_serial,
        "technician": str(work_order.technician) if work_order.technician else "",
        "checked_in_at": local_text(work_order.checked_in_at),
        "checked_out_at": local_text(work_order.checked_out_at),
        "diagnosis": work_order.diagnosis,
        "work_done": work_order.work_done,
        "labour_hours": str(work_order.labour_hours),
        "lines": [
            {
                "description": line.description,
                "quantity": str(line.quantity),
                "charge": str(line.charge_amount),
                "free": line.free,
                "reason": line.reason,
                "texts": line.texts,  # read in the reader's language (``models.charge_text``)
            }
            for line in lines
        ],
        "charge_total": str(work_order.charge_total),
    }
