"""Every write of an appraisal: one function per business action, one transaction each.

Each locks the ticket first, then the appraisal (``tickets.locking``'s order), checks the
appraisal's version, the caller's right (``permissions``) and the move (``states.TABLE``),
writes the typed audit row and the ticket's timeline entry. Signing feeds the ticket's
responsibility and cause (the tickets app's audited ``save_fields``) and queues the result notice
to the customer; the customer's answer is recorded once, and a re-appraisal is a new appraisal
linked to the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import Deferred, deferred
from aftersales.parts.models import Part
from aftersales.tickets.attachments import sniff_upload
from aftersales.tickets.choices import Cause, EventKind, Nature, Responsibility, Severity
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.common import save_fields as ticket_save_fields
from aftersales.tickets.process.common import timeline
from aftersales.tickets.process.notify import notify_customer
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES

from . import permissions
from .audit_actions import AppraisalAudit
from .choices import FaultType
from .links import appraisal_result_url
from .models import Appraisal, AppraisalFile, AppraisalPlace, AppraisalStatus, CustomerDecision, FileKind
from .states import REASSIGNABLE, REPORTABLE, TABLE

A = AppraisalStatus
MAX_TEXT = 20000
MAX_TESTS = 50
MAX_CELL = 200
# Fault types under which the 三包 rules never apply (the customer caused it, or nothing is wrong).
NO_SANBAO = frozenset({FaultType.MAN_MADE, FaultType.NO_FAULT})


# --- Shared steps ---------------------------------------------------------------------------------


def _refuse_final_ticket(ticket: Ticket) -> None:
    if ticket.status in TICKET_FINAL_STATUSES:
        raise DomainError(
            _("The ticket is closed or archived: no appraisal can be requested or changed on it."),
            code="ticket_final",
            field="ticket",
        )


def lock_appraisal(appraisal: Appraisal, *, expected_version: int | None) -> tuple[Ticket, Appraisal]:
    """Lock the ticket, then the appraisal; refuse an archived ticket and a stale version."""
    ticket = lock_ticket(appraisal.ticket_id)
    _refuse_final_ticket(ticket)
    locked = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This appraisal was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    locked.ticket = ticket
    return ticket, locked


def _record(
    appraisal: Appraisal,
    *,
    actor: User | None,
    action: AppraisalAudit,
    text: Deferred,
    public: bool = False,
    changes: dict[str, Any] | None = None,
) -> None:
    """The typed audit row and the ticket's timeline entry of one change."""
    audit_record(action=action, obj=appraisal, actor=actor, actor_label="" if actor else "customer", changes=changes or {})
    timeline(
        ticket=appraisal.ticket,
        actor=actor,
        text=deferred(_("Appraisal %(number)s: %(text)s"), number=appraisal.number, text=text),
        public=public,
        kind=EventKind.FIELD_CHANGED,
        data={"appraisal": appraisal.pk, "action": action.value.removeprefix("appraisal."), "status": appraisal.status},
    )


def _save(appraisal: Appraisal, names: set[str]) -> Appraisal:
    """Write ``names`` (and the time of the change), counting the version up."""
    appraisal.updated_at = clock.now()
    names = names | {"updated_at"}
    Appraisal.objects.filter(pk=appraisal.pk).update(version=F("version") + 1, **{n: getattr(appraisal, n) for n in names})
    appraisal.version += 1
    return appraisal


def move(
    appraisal: Appraisal,
    *,
    to: str,
    actor: User | None,
    text: Deferred,
    public: bool = False,
    fields: set[str] | frozenset[str] = frozenset(),
    changes: dict[str, Any] | None = None,
) -> Appraisal:
    """The one door for status changes: refuse a move the table does not have."""
    before = appraisal.status
    TABLE.check(before, to)
    appraisal.status = to
    _save(appraisal, {"status", *fields})
    _record(
        appraisal,
        actor=actor,
        action=AppraisalAudit(f"appraisal.{to}"),
        text=text,
        public=public,
        changes={"status": [before, to], **(changes or {})},
    )
    return appraisal


def _text(value: str, *, name: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationFailed({name: [_("At most %(limit)d characters.") % {"limit": limit}]}, code=f"{name}_too_long")
    return text


# --- Request and assignment -----------------------------------------------------------------------


@transaction.atomic
def appraisal_request(
    *,
    ticket: Ticket,
    actor: User,
    place: str,
    note: str = "",
    appraiser: User | None = None,
) -> Appraisal:
    """Ask for an appraisal of the ticket's product (on site, at an outlet, on goods received
    back), optionally assigned to an appraiser at once."""
    if place not in AppraisalPlace.values:
        raise ValidationFailed({"place": [_("Choose where the product is appraised.")]}, code="place_invalid")
    note_text = _text(note, name="note")
    locked_ticket = lock_ticket(ticket.pk)
    _refuse_final_ticket(locked_ticket)
    permissions.check_request(actor, locked_ticket)
    if appraiser is not None:
        _check_appraiser_user(appraiser)
    appraisal = _create(ticket=locked_ticket, actor=actor, place=place, note=note_text)
    if appraiser is not None:
        _assign(appraisal, actor=actor, appraiser=appraiser)
    return appraisal


def _create(*, ticket: Ticket, actor: User | None, place: str, note: str, previous: Appraisal | None = None) -> Appraisal:
    unit = ticket.product_unit
    now = clock.now()
    appraisal = Appraisal.objects.create(
        ticket=ticket,
        place=place,
        request_note=note,
        requested_by=actor,
        previous=previous,
        product_unit=unit,
        product_model_id=unit.model_id if unit is not None else ticket.product_model_id,
        batch=(unit.batch if unit is not None else "") or ticket.reported_batch,
        created_at=now,
        updated_at=now,
    )
    appraisal.ticket = ticket
    if previous is not None:
        text = deferred(_("re-appraisal of %(previous)s requested."), previous=previous.number)
    else:
        text = deferred(_("requested (%(place)s)."), place=AppraisalPlace(place).label)
    _record(
        appraisal,
        actor=actor,
        action=AppraisalAudit.REQUESTED,
        text=text,
        public=previous is not None,
        changes={"place": place, "previous": previous.pk if previous else None},
    )
    return appraisal


def _check_appraiser_user(appraiser: User) -> None:
    if not permissions.is_appraiser(appraiser):
        raise ValidationFailed({"appraiser": [_("Choose an active appraiser.")]}, code="appraiser_invalid")


def _assign(appraisal: Appraisal, *, actor: User, appraiser: User) -> Appraisal:
    before = appraisal.appraiser_id
    appraisal.appraiser = appraiser
    text = deferred(_("assigned to %(name)s."), name=str(appraiser))
    if appraisal.status == A.REQUESTED:
        return move(
            appraisal, to=A.ASSIGNED, actor=actor, text=text, fields={"appraiser"}, changes={"appraiser": [before, appraiser.pk]}
        )
    _save(appraisal, {"appraiser"})
    _record(appraisal, actor=actor, action=AppraisalAudit.ASSIGNED, text=text, changes={"appraiser": [before, appraiser.pk]})
    return appraisal


@transaction.atomic
def appraisal_assign(*, appraisal: Appraisal, actor: User, appraiser: User, expected_version: int | None = None) -> Appraisal:
    """Assign (or reassign, before the work starts) the appraisal to an appraiser; an appraiser
    takes an unassigned one themselves."""
    _check_appraiser_user(appraiser)
    _ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    permissions.check_assign(actor, locked, appraiser)
    if locked.status not in REASSIGNABLE:
        raise DomainError(
            _("The appraisal is “%(status)s”: it can no longer change hands.") % {"status": locked.get_status_display()},
            code="appraisal_not_assignable",
            field="appraiser",
        )
    if locked.appraiser_id == appraiser.pk:
        return locked
    return _assign(locked, actor=actor, appraiser=appraiser)


@transaction.atomic
def appraisal_start(*, appraisal: Appraisal, actor: User, expected_version: int | None = None) -> Appraisal:
    """The appraiser starts examining the product."""
    _ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    permissions.check_appraiser(actor, locked)
    return move(locked, to=A.IN_PROGRESS, actor=actor, text=deferred(_("appraisal started.")))


@transaction.atomic
def appraisal_cancel(*, appraisal: Appraisal, actor: User, reason: str, expected_version: int | None = None) -> Appraisal:
    reason_text = _text(reason, name="reason")
    if not reason_text:
        raise ValidationFailed({"reason": [_("Give the reason for cancelling.")]}, code="reason_required")
    _ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    permissions.check_cancel(actor, locked)
    locked.cancel_reason = reason_text
    return move(
        locked,
        to=A.CANCELLED,
        actor=actor,
        text=deferred(_("cancelled: %(reason)s"), reason=reason_text),
        fields={"cancel_reason"},
    )


# --- The report -----------------------------------------------------------------------------------


@dataclass
class ReportInput:
    """What the appraiser writes in the report (a draft until signed); every field optional."""

    symptom: str = ""
    tests: list[dict[str, str]] = field(default_factory=list)
    findings: str = ""
    fault_type: str = ""
    nature: str = ""
    severity: str = ""
    cause: str = ""
    component_id: int | None = None
    component_text: str = ""
    responsibility: str = ""
    responsible_party: str = ""
    supplier: str = ""
    sanbao_applies: bool | None = None


REPORT_FIELDS = (
    "symptom",
    "tests",
    "findings",
    "fault_type",
    "nature",
    "severity",
    "cause",
    "component",
    "component_text",
    "responsibility",
    "responsible_party",
    "supplier",
    "sanbao_applies",
)


def _clean_tests(rows: Any) -> list[dict[str, str]]:
    if not isinstance(rows, list):
        raise ValidationFailed({"tests": [_("The tests must be a list of rows.")]}, code="tests_invalid")
    if len(rows) > MAX_TESTS:
        raise ValidationFailed({"tests": [_("At most %(limit)d tests.") % {"limit": MAX_TESTS}]}, code="tests_too_many")
    cleaned = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ValidationFailed({"tests": [_("The tests must be a list of rows.")]}, code="tests_invalid")
        values = {key: str(row.get(key) or "").strip() for key in ("name", "reading", "expected")}
        if not any(values.values()):
            continue
        if not values["name"]:
            raise ValidationFailed({"tests": [_("Test %(row)d: name the test.") % {"row": index}]}, code="test_name_required")
        if any(len(v) > MAX_CELL for v in values.values()):
            raise ValidationFailed(
                {"tests": [_("Test %(row)d: at most %(limit)d characters per cell.") % {"row": index, "limit": MAX_CELL}]},
                code="test_too_long",
            )
        cleaned.append(values)
    return cleaned


def clean_report(report: ReportInput) -> dict[str, Any]:
    """The report's fields checked, each error naming its field; nothing is written."""
    errors: dict[str, list[Any]] = {}
    choices = {
        "fault_type": (FaultType, _("Choose a valid fault type.")),
        "nature": (Nature, _("Choose a valid nature.")),
        "severity": (Severity, _("Choose a valid severity.")),
        "cause": (Cause, _("Choose a valid cause.")),
        "responsibility": (Responsibility, _("Choose who is responsible.")),
    }
    values: dict[str, Any] = {}
    for name, (enum, message) in choices.items():
        value = (getattr(report, name) or "").strip()
        if value and value not in enum.values:
            errors[name] = [message]
        values[name] = value
    for name, limit in (
        ("symptom", MAX_TEXT),
        ("findings", MAX_TEXT),
        ("component_text", 128),
        ("responsible_party", 128),
        ("supplier", 128),
    ):
        text = (getattr(report, name) or "").strip()
        if len(text) > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
        values[name] = text
    component = None
    if report.component_id is not None:
        component = Part.objects.filter(pk=report.component_id).first()
        if component is None:
            errors["component"] = [_("Choose a part of the catalogue, or describe the component.")]
    values["component"] = component
    if values["responsibility"] == Responsibility.SUPPLIER and not values["supplier"]:
        errors["supplier"] = [_("Name the supplier responsible.")]
    if values["fault_type"] in NO_SANBAO and report.sanbao_applies:
        errors["sanbao_applies"] = [_("Man-made damage or no fault found: the three guarantees (sanbao) do not apply.")]
    values["sanbao_applies"] = report.sanbao_applies
    try:
        values["tests"] = _clean_tests(report.tests)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors, code="report_invalid")
    return values


@transaction.atomic
def appraisal_record_report(
    *, appraisal: Appraisal, actor: User, report: ReportInput, expected_version: int | None = None
) -> Appraisal:
    """Write the report's draft (assigned → in progress → reported as needed); editable until signed."""
    values = clean_report(report)
    _ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    permissions.check_appraiser(actor, locked)
    if locked.status not in REPORTABLE:
        raise DomainError(
            _("The report is signed and read-only.")
            if locked.signed_at
            else _("The appraisal is “%(status)s”: no report can be written.") % {"status": locked.get_status_display()},
            code="report_read_only",
            field="status",
        )
    before = {name: _plain(getattr(locked, name)) for name in REPORT_FIELDS}
    for name, value in values.items():
        setattr(locked, name, value)
    changes = {n: [before[n], _plain(getattr(locked, n))] for n in REPORT_FIELDS if before[n] != _plain(getattr(locked, n))}
    if locked.status == A.ASSIGNED:
        move(locked, to=A.IN_PROGRESS, actor=actor, text=deferred(_("appraisal started.")))
    if locked.status == A.IN_PROGRESS:
        return move(locked, to=A.REPORTED, actor=actor, text=deferred(_("report drafted.")), fields=set(values), changes=changes)
    _save(locked, set(values))
    _record(locked, actor=actor, action=AppraisalAudit.REPORTED, text=deferred(_("report updated.")), changes=changes)
    return locked


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return value


@transaction.atomic
def appraisal_add_file(*, appraisal: Appraisal, actor: User, kind: str, fileobj: IO[bytes], name: str) -> AppraisalFile:
    """A photo or a test file of the report, or the outside testing body's report of a
    re-appraisal; the type is read from the bytes."""
    if kind not in FileKind.values:
        raise ValidationFailed({"kind": [_("Choose what the file is.")]}, code="file_kind_invalid")
    sniffed = sniff_upload(fileobj, field="file")
    _ticket, locked = lock_appraisal(appraisal, expected_version=None)
    external = kind == FileKind.EXTERNAL_REPORT and locked.previous_id is not None
    if external and permissions.is_handler(actor) and permissions.in_scope(actor, locked.ticket):
        pass  # whoever receives the testing body's report attaches it
    else:
        permissions.check_appraiser(actor, locked)
    if locked.status not in REPORTABLE and not (external and locked.status != A.CANCELLED):
        raise DomainError(_("The report is signed and read-only."), code="report_read_only", field="file")
    stored = AppraisalFile(
        appraisal=locked,
        kind=kind,
        original_name=(name or "file")[:200],
        content_type=sniffed.content_type,
        extension=sniffed.extension,
        size=sniffed.size,
        sha256=sniffed.sha256,
        uploaded_by=actor,
        created_at=clock.now(),
    )
    stored.file.save(f"{sniffed.sha256[:16]}{sniffed.extension}", File(fileobj), save=False)
    stored.save()
    _save(locked, set())
    _record(
        locked,
        actor=actor,
        action=AppraisalAudit.FILE_ADDED,
        text=deferred(_("file added (%(kind)s): %(name)s"), kind=FileKind(kind).label, name=stored.original_name),
        changes={"file": stored.pk, "kind": kind, "sha256": sniffed.sha256},
    )
    return stored


# --- Signature and the result notice ----------------------------------------------------------------


@transaction.atomic
def appraisal_sign(*, appraisal: Appraisal, actor: User, expected_version: int | None = None) -> Appraisal:
    """The appraiser signs the report (who and when; read-only from now on); its conclusion
    becomes the ticket's responsibility and cause, and the customer is told the result."""
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
        public=True,
        fields={"signed_by", "signed_at"},
    )
    _feed_ticket(ticket, locked, actor=actor)
    notify_customer(
        ticket=ticket,
        template="appraisal.result",
        subject=_("Appraisal result for your request %(number)s"),
        body=_(
            "the appraisal of your product for request %(number)s is complete: %(fault)s; %(verdict)s. "
            "You may accept the result or ask for a re-appraisal"
        ),
        params={"fault": FaultType(locked.fault_type).label, "verdict": verdict},
        link=appraisal_result_url(locked),
        link_text=_("See the appraisal report and answer"),
    )
    return locked


def _feed_ticket(ticket: Ticket, appraisal: Appraisal, *, actor: User) -> None:
    """The signed conclusion as the ticket's responsibility and cause (audited by the tickets app)."""
    changes: dict[str, Any] = {}
    if appraisal.responsibility:
        party = appraisal.supplier if appraisal.responsibility == Responsibility.SUPPLIER else appraisal.responsible_party
        changes.update(responsibility=appraisal.responsibility, responsible_party=party[:128])
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
