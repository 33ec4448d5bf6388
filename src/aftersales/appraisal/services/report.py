"""The appraisal report (a draft until signed: symptom, tests, findings, the conclusion) and its
files (photos, test files, the outside testing body's report; type checked from the bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.parties.models import ResponsibleParty
from aftersales.parties.services import party_for_responsibility
from aftersales.parts.models import Part
from aftersales.tickets.attachments import sniff_upload
from aftersales.tickets.choices import Cause, Nature, Responsibility, Severity

from .. import permissions
from ..audit_actions import AppraisalAudit
from ..choices import FaultType
from ..models import Appraisal, AppraisalFile, FileKind
from ..states import REPORTABLE
from .common import (
    MAX_CELL,
    MAX_TESTS,
    MAX_TEXT,
    NO_SANBAO,
    A,
    _record,
    _save,
    lock_appraisal,
    move,
)


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
    "responsible_party_ref",
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
    values["responsible_party_ref"] = _register_party(values, actor=actor)
    if locked.faulty_part_id is not None and values["component"] is None and not values["component_text"]:
        # A faulty part's appraisal: the component at fault is the part sent back, unless named.
        values["component"] = locked.component
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


def _register_party(values: dict[str, Any], *, actor: User) -> ResponsibleParty | None:
    """The register entry the report names (``parties``): a supplier's from ``supplier``, the
    others' from ``responsible_party``, of a kind the responsibility allows; the texts become
    the entry's name. None for the customer or when no party is named."""
    responsibility = values["responsibility"]
    field = "supplier" if responsibility == Responsibility.SUPPLIER else "responsible_party"
    entry = party_for_responsibility(responsibility=responsibility, party=values[field], actor=actor, field=field)
    if entry is not None:
        values[field] = entry.name
    return entry


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
