"""Personal data requests (PIPL): record one, give the customer a copy of their data, erase it,
record that it was corrected, refuse with a reason, let the customer withdraw one still waiting;
and the retention job that erases what is no longer needed. The portal's pages, the staff's pages
and the API (``privacy/api.py``) all call these.

The customer's copy is built by a background job (``tasks.prepare_privacy_export``): the request
shows "being prepared" until it is ready, then whoever asked is told (``export_ready``).

Every change locks the request, checks its version where a page or the API sent one, moves its
status through ``states.REQUEST_STATES`` and writes an audit row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from aftersales.core.jobs import enqueue_with_transaction
from aftersales.customers.models import ConsentSource, Customer
from aftersales.customers.phones import normalize_phone
from aftersales.customers.services import customer_set_consents
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import FINAL_STATUSES

from .audit_actions import PrivacyAudit
from .deadlines import answer_due
from .export import export_archive
from .export_ready import notify_export_ready
from .inventory import ERASED, Identifiers, erase_audit_entries, erase_rows, identifiers_of
from .models import CorrectableField, PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from .states import REQUEST_STATES


def export_keep_days() -> int:
    """Days a prepared copy stays downloadable (PRIVACY_EXPORT_KEEP_DAYS, default 7)."""
    return int(getattr(settings, "PRIVACY_EXPORT_KEEP_DAYS", 7))


def retention_days() -> int:
    """Days after a customer's last closed ticket before their personal data is erased
    (PRIVACY_RETENTION_DAYS, default 1095 = three years; 0 keeps it)."""
    return int(getattr(settings, "PRIVACY_RETENTION_DAYS", 1095))


def _locked(request: PrivacyRequest, version: int | None) -> PrivacyRequest:
    locked = PrivacyRequest.objects.select_for_update().select_related("customer").get(pk=request.pk)
    if version is not None and locked.version != version:
        raise Conflict(_("Someone else changed this request meanwhile. Reload the page and try again."), code="stale_version")
    return locked


# The customer asks for their own data: a copy asked for here is queued for its job at once.
SELF_SERVICE_CHANNELS = frozenset({RequestChannel.PORTAL, RequestChannel.APP})
CORRECTION_MAX_LENGTH = 200


def _clean_correction(key: str, value: object) -> str:
    field = f"corrections.{key}"
    if key not in CorrectableField.values:
        raise ValidationFailed({field: [_("This cannot be named here; write it under “Something else”.")]})
    if not isinstance(value, str):
        raise ValidationFailed({field: [_("Enter text.")]})
    value = value.strip()
    if len(value) > CORRECTION_MAX_LENGTH:
        raise ValidationFailed({field: [_("At most %(count)d characters.") % {"count": CORRECTION_MAX_LENGTH}]})
    if value and key == CorrectableField.PHONE:
        value = normalize_phone(value, field=field)
    if value and key == CorrectableField.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationFailed({field: [_("Enter a valid email address.")]}) from None
    return value


def clean_corrections(*, kind: str, corrections: dict[str, object] | None) -> dict[str, str]:
    """The corrections of a correction request ({field: the right value}, at least one); any
    other kind of request takes none. Every refusal names its field (``corrections.phone``)."""
    given = corrections or {}
    if kind != RequestKind.CORRECTION:
        if any(given.values()):
            raise ValidationFailed({"corrections": [_("Only a correction request names corrections.")]}, code="field_not_allowed")
        return {}
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, str] = {}
    for key, value in given.items():
        if value is None:  # the API's fields left out
            continue
        try:
            text = _clean_correction(str(key), value)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            continue
        if text:
            cleaned[str(key)] = text
    if not cleaned and not errors:
        errors["corrections"] = [_("Say what is wrong and what is right: at least one correction.")]
    if errors:
        raise ValidationFailed(errors, code="corrections_invalid")
    return cleaned


def privacy_request_create(
    *,
    customer: Customer,
    kind: str,
    channel: str,
    actor: User | None,
    note: str = "",
    corrections: dict[str, object] | None = None,
) -> PrivacyRequest:
    """Record a request. A copy the customer asks for themselves (portal, app) is queued at once
    for its background job (``privacy_export_queue``);
    an erasure waits for a member of staff, who checks that nothing is open; a correction names
    the fields and their right values, and staff correct the record."""
    if kind not in RequestKind.values:
        raise ValidationFailed({"kind": [_("Choose a copy, an erasure or a correction.")]})
    cleaned = clean_corrections(kind=kind, corrections=corrections)
    if Customer.objects.filter(pk=customer.pk, erased_at__isnull=False).exists():
        raise DomainError(_("This customer's personal data was already erased."), code="already_erased", field="kind")
    now = clock.now()
    due = answer_due(received_at=now)
    try:
        with transaction.atomic():
            request = PrivacyRequest.objects.create(
                customer=customer,
                kind=kind,
                channel=channel,
                note=note.strip(),
                corrections=cleaned,
                requested_by=actor,
                created_at=now,
                due_at=due,
            )
            changes: dict[str, Any] = {"kind": kind, "channel": channel}
            if cleaned:  # which fields, never their values: the audit log outlives an erasure's reach
                changes["fields"] = sorted(cleaned)
            audit_record(action=PrivacyAudit.REQUESTED, obj=request, actor=actor, changes=changes)
    except IntegrityError:
        # privacy_one_open_erasure: asking twice is the same request.
        return PrivacyRequest.objects.get(customer=customer, kind=RequestKind.ERASURE, status=RequestStatus.RECEIVED)
    if kind == RequestKind.EXPORT and channel in SELF_SERVICE_CHANNELS:
        request = privacy_export_queue(request=request, actor=actor)
    return request


@transaction.atomic
def privacy_request_cancel(
    *, request: PrivacyRequest, customer: Customer, actor: User | None, version: int | None = None
) -> PrivacyRequest:
    """The customer withdraws their own request while it waits for an answer (an erasure or a
    correction, or a copy still being prepared: its job then builds nothing)."""
    locked = _locked(request, version)
    if locked.customer_id != customer.pk:
        raise NotFound(_("No personal data request of yours has this number."), code="privacy_request_not_found")
    if locked.status != RequestStatus.RECEIVED:
        raise DomainError(
            _("This request was already answered or withdrawn; it can no longer be withdrawn."),
            code="request_answered",
            field="status",
        )
    REQUEST_STATES.check(locked.status, RequestStatus.CANCELLED)
    locked.status, locked.handled_at = RequestStatus.CANCELLED, clock.now()
    locked.version += 1
    locked.save()
    audit_record(action=PrivacyAudit.CANCELLED, obj=locked, actor=actor, changes={"kind": locked.kind})
    return locked


@transaction.atomic
def privacy_correction_done(*, request: PrivacyRequest, actor: User, version: int | None = None) -> PrivacyRequest:
    """Staff corrected the customer's record (on the customer's page) as asked: the request is
    answered."""
    locked = _locked(request, version)
    if locked.kind != RequestKind.CORRECTION:
        raise DomainError(_("This request is not for a correction."), code="wrong_kind", field="kind")
    REQUEST_STATES.check(locked.status, RequestStatus.COMPLETED)
    locked.status, locked.handled_by, locked.handled_at = RequestStatus.COMPLETED, actor, clock.now()
    locked.version += 1
    locked.save()
    audit_record(action=PrivacyAudit.CORRECTED, obj=locked, actor=actor, changes={"fields": sorted(locked.corrections)})
    return locked


@transaction.atomic
def privacy_export_queue(*, request: PrivacyRequest, actor: User | None, version: int | None = None) -> PrivacyRequest:
    """Queue the customer's copy for its background job (``tasks.prepare_privacy_export``, with
    the transaction): the request shows "being prepared" (``export_preparing``) until the job has
    built it, then who asked is told. Asking again while it is queued queues nothing more."""
    locked = _locked(request, version)
    if locked.kind != RequestKind.EXPORT:
        raise DomainError(_("This request is not for a copy of the data."), code="wrong_kind", field="kind")
    REQUEST_STATES.check(locked.status, RequestStatus.COMPLETED)
    if locked.export_queued_at is not None:
        return locked
    locked.export_queued_at, locked.export_attempts = clock.now(), 0
    # Who asked for the copy (the customer, or the member of staff who pressed "Prepare the copy").
    locked.handled_by = actor
    locked.version += 1
    locked.save(update_fields=["export_queued_at", "export_attempts", "handled_by", "version"])
    audit_record(action=PrivacyAudit.EXPORT_QUEUED, obj=locked, actor=actor)
    _enqueue_export(locked.pk)
    return locked


def _enqueue_export(request_id: int, *, run_after: dt.datetime | None = None) -> None:
    # Imported here: ``privacy.tasks`` (the jobs) imports these services to run them.
    from .tasks import prepare_privacy_export

    def enqueue() -> None:
        if run_after is not None and prepare_privacy_export.get_backend().supports_defer:
            prepare_privacy_export.using(run_after=run_after).enqueue(request_id)
        elif run_after is None:
            prepare_privacy_export.enqueue(request_id)
        # else: a backend that cannot defer; the periodic sweep (``privacy_exports_stalled``) retries

    enqueue_with_transaction(prepare_privacy_export, enqueue)


@transaction.atomic
def privacy_export_prepare(*, request: PrivacyRequest, actor: User | None, version: int | None = None) -> PrivacyRequest:
    """Build the customer's copy (a zip: their profile, every ticket with its customer's timeline,
    plan, work orders and survey, the files they may see) and complete the request. Built once:
    a request no longer waiting (completed, withdrawn, refused) is returned as it is."""
    locked = _locked(request, version)
    if locked.kind != RequestKind.EXPORT:
        raise DomainError(_("This request is not for a copy of the data."), code="wrong_kind", field="kind")
    if locked.status != RequestStatus.RECEIVED:
        return locked
    REQUEST_STATES.check(locked.status, RequestStatus.COMPLETED)
    now = clock.now()
    data = export_archive(customer=locked.customer, at=now)
    locked.export_file.save(f"personal-data-{locked.customer_id}-{now:%Y%m%d%H%M%S}.zip", ContentFile(data), save=False)
    locked.export_expires_at = now + dt.timedelta(days=export_keep_days())
    locked.status, locked.handled_by, locked.handled_at = RequestStatus.COMPLETED, actor or locked.handled_by, now
    locked.version += 1
    locked.save()
    audit_record(action=PrivacyAudit.EXPORTED, obj=locked, actor=actor, changes={"bytes": len(data)})
    notify_export_ready(request=locked)
    return locked


def privacy_export_build(*, request_id: int) -> str:
    """The background job's work: build a queued copy once. "built", or "skipped" (gone, not a
    copy, already built, withdrawn or refused meanwhile: a second run builds nothing)."""
    waiting = PrivacyRequest.objects.filter(pk=request_id, kind=RequestKind.EXPORT, status=RequestStatus.RECEIVED)
    request = waiting.select_related("handled_by").first()
    if request is None:
        return "skipped"
    before = request.version
    # Built on behalf of whoever asked (the audit row names them, as when it was built at once).
    built = privacy_export_prepare(request=request, actor=request.handled_by)
    return "built" if built.status == RequestStatus.COMPLETED and built.version > before else "skipped"


def privacy_export_failed(*, request_id: int) -> int:
    """A failed attempt of the job, counted; the number of attempts so far. The next attempt is
    queued after a backoff (30 s, 1 min, 2 min …) until ``EXPORT_MAX_ATTEMPTS``; after that the
    periodic sweep queues it again every ten minutes, so a copy asked for is never forgotten."""
    PrivacyRequest.objects.filter(pk=request_id).update(export_attempts=F("export_attempts") + 1)
    attempts = PrivacyRequest.objects.filter(pk=request_id).values_list("export_attempts", flat=True).first() or 0
    if attempts < EXPORT_MAX_ATTEMPTS:
        _enqueue_export(request_id, run_after=clock.now() + dt.timedelta(seconds=30 * 2 ** (attempts - 1)))
    return attempts


EXPORT_MAX_ATTEMPTS = 5
EXPORT_STALLED_AFTER = dt.timedelta(minutes=10)


def privacy_exports_stalled(*, now: dt.datetime | None = None) -> list[int]:
    """The periodic safety net: copies queued more than ten minutes ago and still not built (a
    job lost between commit and enqueue, a worker that died, the attempts used up): queued again."""
    current = now or clock.now()
    ids = list(
        PrivacyRequest.objects.filter(
            kind=RequestKind.EXPORT, status=RequestStatus.RECEIVED, export_queued_at__lte=current - EXPORT_STALLED_AFTER
        ).values_list("pk", flat=True)[:200]
    )
    for request_id in ids:
        _enqueue_export(request_id)
    return ids


def privacy_set_consents(*, customer: Customer, contact: bool, marketing: bool, actor: User) -> Customer:
    """The customer's own answer on the portal's "My personal data" page."""
    return customer_set_consents(
        customer=customer, contact=contact, marketing=marketing, source=ConsentSource.PORTAL, actor=actor
    )


def privacy_export_downloaded(*, request: PrivacyRequest, actor: User) -> None:
    audit_record(action=PrivacyAudit.EXPORT_DOWNLOADED, obj=request, actor=actor)


def _open_tickets(customer: Customer) -> list[str]:
    return list(Ticket.objects.filter(customer=customer).exclude(status__in=FINAL_STATUSES).values_list("number", flat=True)[:5])


@transaction.atomic
def privacy_erase(*, request: PrivacyRequest, actor: User | None, version: int | None = None) -> PrivacyRequest:
    """Anonymise the customer (``inventory``): refused while a ticket of theirs is open."""
    locked = _locked(request, version)
    if locked.kind != RequestKind.ERASURE:
        raise DomainError(_("This request is not for an erasure."), code="wrong_kind", field="kind")
    REQUEST_STATES.check(locked.status, RequestStatus.COMPLETED)
    customer = Customer.objects.select_for_update().get(pk=locked.customer_id)
    if customer.erased_at is not None:
        raise DomainError(_("This customer's personal data was already erased."), code="already_erased", field="kind")
    open_numbers = _open_tickets(customer)
    if open_numbers:
        raise DomainError(
            _("Tickets of this customer are still open (%(numbers)s): close them before erasing the data.")
            % {"numbers": ", ".join(open_numbers)},
            code="open_tickets",
            field="kind",
        )
    customer_set_consents(customer=customer, contact=False, marketing=False, source=ConsentSource.ERASURE, actor=actor)
    now = clock.now()
    ids = identifiers_of(customer)
    changed = erase_rows(customer, ids)
    objects = [("customers.customer", str(customer.pk))]
    objects += [("tickets.ticket", str(pk)) for pk in Ticket.objects.filter(customer=customer).values_list("pk", flat=True)]
    erase_audit_entries(customer, ids, objects)
    # The bouncing e-mail mark is personal data too (its date and the server's words); the
    # inventory empties the words, the date goes here.
    Customer.objects.filter(pk=customer.pk).update(
        name=ERASED, erased_at=now, email_bounced_at=None, email_bounce_reason="", version=F("version") + 1
    )
    if customer.user_id:
        user = User.objects.get(pk=customer.user_id)
        user.username = f"erased-{customer.pk}"
        user.email = ""
        user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["username", "email", "first_name", "last_name", "is_active", "password"])
    _erase_requests(customer, ids, keep=locked.pk)
    locked.note = ids.redact(locked.note)
    locked.corrections = {}
    locked.status, locked.handled_by, locked.handled_at = RequestStatus.COMPLETED, actor, now
    locked.version += 1
    locked.save()
    audit_record(
        action=PrivacyAudit.ERASED,
        obj=locked,
        actor=actor,
        changes={"rows": {label: n for label, n in changed.items() if n}},
    )
    return locked


def _erase_requests(customer: Customer, ids: Identifiers, *, keep: int) -> None:
    """The customer's other requests: their notes redacted, the corrections they asked for emptied."""
    for other in PrivacyRequest.objects.filter(customer=customer).exclude(pk=keep):
        note = ids.redact(other.note)
        if note != other.note or other.corrections:
            PrivacyRequest.objects.filter(pk=other.pk).update(note=note, corrections={})


@transaction.atomic
def privacy_refuse(*, request: PrivacyRequest, actor: User, reason: str, version: int | None = None) -> PrivacyRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the request is refused: the customer is told.")]})
    locked = _locked(request, version)
    REQUEST_STATES.check(locked.status, RequestStatus.REFUSED)
    locked.status, locked.refusal_reason = RequestStatus.REFUSED, reason
    locked.handled_by, locked.handled_at = actor, clock.now()
    locked.version += 1
    locked.save()
    audit_record(action=PrivacyAudit.REFUSED, obj=locked, actor=actor, changes={"reason": reason})
    return locked


def privacy_apply_retention(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The retention job: erase customers whose last ticket was closed longer ago than the
    retention period and who have nothing open; delete prepared copies past their date.
    Idempotent: an erased customer is never taken again, an expired copy is deleted once."""
    now = now or clock.now()
    erased = 0
    days = retention_days()
    if days > 0:
        cutoff = now - dt.timedelta(days=days)
        candidates = (
            Customer.objects.filter(erased_at__isnull=True)
            .annotate(
                last_activity=Max("tickets__updated_at"),
                still_open=Count("tickets", filter=~Q(tickets__status__in=FINAL_STATUSES)),
            )
            .filter(last_activity__lte=cutoff, still_open=0)
        )
        for customer in candidates.iterator():
            request = privacy_request_create(
                customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.RETENTION, actor=None
            )
            try:
                privacy_erase(request=request, actor=None)
            except DomainError:
                continue
            erased += 1
    expired = 0
    for request in PrivacyRequest.objects.filter(export_expires_at__lte=now).exclude(export_file=""):
        request.export_file.delete(save=False)
        PrivacyRequest.objects.filter(pk=request.pk).update(export_file="")
        expired += 1
    return {"erased": erased, "copies_deleted": expired}
