"""What a caller may set, and request bodies turned into service arguments.

Refusals name the field (``field_not_allowed``). A body with both a field the operation does
not have and one the caller may not set is refused naming each with its own code
(``field_unknown``, ``field_not_allowed``: ``FieldsRefused``). The process actions' bodies are
declared with each action (``tickets.actions``). No business rule lives here: the services
decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja.files import UploadedFile
from pydantic import BaseModel

from aftersales.core.errors import ValidationFailed
from aftersales.tickets.action_schemas import refuse_fields
from aftersales.tickets.attachments import EvidenceKind
from aftersales.tickets.choices import Channel, EventKind, Priority
from aftersales.tickets.services import IntakeInput
from aftersales.tickets.services.intake import IntakeFile

from . import schemas
from .caller import Caller

CUSTOMER_CHANNELS = frozenset({Channel.APP, Channel.WECHAT, Channel.WEB})
STAFF_ONLY_INTAKE_FIELDS = ("category_code", "priority")


# The fields a customer may not set, per operation (method, path under /api/v1/): named next to
# the unknown fields of the same body (``refused_for_caller``), which the body's validation
# refuses before the operation runs.
CUSTOMER_REFUSED_FIELDS: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("POST", re.compile(r"/tickets(?:/with-evidence)?/?$"), STAFF_ONLY_INTAKE_FIELDS),
    ("POST", re.compile(r"/tickets/[^/]+/replies/?$"), ("kind",)),
)
FIELD_UNKNOWN = "field_unknown"
FIELD_NOT_ALLOWED = "field_not_allowed"
UNKNOWN_FIELD = _("Unknown field: this operation has no field of this name.")
NOT_YOURS = _("You may not set this field.")


class FieldsRefused(ValidationFailed):
    """Fields the operation does not have (``unknown``) and fields the caller may not set
    (``refused``) in one body: ``field_not_allowed``, each field with its own code
    (``field_codes``: ``field_unknown`` or ``field_not_allowed``) when both kinds are there;
    either alone is the plain ``field_not_allowed`` it always was."""

    def __init__(self, *, unknown: list[str], refused: list[str]) -> None:
        errors: dict[str, list[object]] = {name: [UNKNOWN_FIELD] for name in unknown}
        errors.update({name: [NOT_YOURS] for name in refused if name not in errors})
        super().__init__(errors, code=FIELD_NOT_ALLOWED)
        self.field_codes: dict[str, str] = {}
        if unknown and refused:
            self.field_codes = {name: FIELD_UNKNOWN if name in unknown else FIELD_NOT_ALLOWED for name in errors}
            self.message = gettext("Unknown fields: %(unknown)s; fields you may not set: %(refused)s.") % {
                "unknown": ", ".join(unknown),
                "refused": ", ".join(name for name in refused if name not in unknown),
            }


def refused_for_caller(request: HttpRequest, sent: set[str]) -> list[str]:
    """The fields of ``sent`` that this request's caller may not set in this operation
    (``CUSTOMER_REFUSED_FIELDS``), in their declared order."""
    user = getattr(getattr(request, "auth", None), "user", None)
    if user is None or not getattr(user, "is_customer", False):
        return []
    for method, path, fields in CUSTOMER_REFUSED_FIELDS:
        if request.method == method and path.search(request.path):
            return [name for name in fields if name in sent]
    return []


def _sent(payload: BaseModel) -> set[str]:
    return set(payload.model_fields_set)


# The create's fields that the read names otherwise: the read's name → the create's.
READ_NAMES = {
    "contact_name": "customer_name",
    "contact_phone": "phone",
    "contact_email": "email",
    "product_model": "product_model_code",
}


def read_names_sent(payload: schemas.TicketCreate) -> dict[str, str]:
    """The create's field → the read's name, for each field the caller sent under the read's
    name: a refusal names the field as the caller sent it."""
    return {create: read for read, create in READ_NAMES.items() if read in _sent(payload)}


def _contact_and_model(payload: schemas.TicketCreate) -> dict[str, str]:
    """The create's fields from either name; both names with different values is refused."""
    values: dict[str, str] = {}
    for read, create in READ_NAMES.items():
        given, alias = getattr(payload, create), getattr(payload, read)
        if alias is not None and given and given != alias:
            raise ValidationFailed(
                {read: [_("Send %(field)s or %(alias)s, not both.") % {"field": create, "alias": read}]},
                code="validation_failed",
            )
        values[create] = (alias if alias is not None else given) or ""
    if not values["customer_name"]:
        raise ValidationFailed({"customer_name": [_("This field is required.")]}, code="validation_failed")
    return values


@contextmanager
def fields_as_sent(names: Mapping[str, str]) -> Iterator[None]:
    """A service's refusal naming a field by its own name (``names``' keys) names it as the
    caller sent it (the values): ``product_model`` for ``product_model_code``, an upload's
    ``file`` for the service's ``attachment``."""
    try:
        yield
    except ValidationFailed as exc:
        if not names or not set(exc.errors) & set(names):
            raise
        renamed = ValidationFailed({names.get(field, field): messages for field, messages in exc.errors.items()}, code=exc.code)
        renamed.status = exc.status
        raise renamed from exc


def intake_input(*, caller: Caller, payload: schemas.TicketCreate) -> IntakeInput:
    """The intake service's input. Customers may not set staff-only fields nor a staff channel."""
    if caller.user.is_customer:
        refuse_fields([name for name in STAFF_ONLY_INTAKE_FIELDS if name in _sent(payload)])
        if payload.channel not in CUSTOMER_CHANNELS:
            raise ValidationFailed({"channel": [_("Choose app, wechat or web.")]}, code="field_not_allowed")
    data = payload.model_dump(exclude={"category_code", "priority", "channel", "request_type", *READ_NAMES})
    data.update(_contact_and_model(payload))
    return IntakeInput(
        channel=str(payload.channel.value),
        request_type=str(payload.request_type.value),
        category_code=payload.category_code or "",
        priority=payload.priority or Priority.NORMAL,
        **data,
    )


# The multipart intake's file parts, one per kind of evidence (as the web intake's fields).
EVIDENCE_FIELDS: dict[str, str] = {f"evidence_{kind}": str(kind) for kind in EvidenceKind.values}


def intake_evidence(*, request: HttpRequest, files: Mapping[str, list[UploadedFile] | None]) -> list[IntakeFile]:
    """The files of ``POST /tickets/with-evidence`` (``files``: by part name), each with its kind.
    A text part that is not a field of the ticket, or a file under another name, is refused by
    name (django-ninja would drop it silently)."""
    fields = set(schemas.TicketCreate.model_fields)
    unknown = sorted(set(request.POST) - fields) + sorted(set(request.FILES) - set(EVIDENCE_FIELDS))
    if unknown:
        raise FieldsRefused(unknown=unknown, refused=refused_for_caller(request, set(request.POST)))
    return [
        IntakeFile(kind=EVIDENCE_FIELDS[part], file=upload, name=upload.name or "")
        for part in EVIDENCE_FIELDS
        for upload in files.get(part) or []
    ]


def reply_kind(*, caller: Caller, payload: schemas.ReplyCreate) -> str:
    """A customer's reply is a message in; staff write notes (default), messages out or calls."""
    if caller.user.is_customer:
        refuse_fields(["kind"] if "kind" in _sent(payload) else [])
        return str(EventKind.MESSAGE_IN)
    return payload.kind or str(EventKind.NOTE)


def attachment_public(*, caller: Caller, public: bool | None) -> bool:
    if caller.user.is_customer:
        refuse_fields(["public"] if public is not None else [])
        return True
    return True if public is None else public


NO_SURVEY = _("This ticket has no survey waiting for an answer.")


def actor_label(caller: Caller) -> str:
    """Who the timeline names: the user, and the key's name when a key was used."""
    if caller.key is not None:
        return f"{caller.user} (API: {caller.key.name})"[:128]
    return str(caller.user)
