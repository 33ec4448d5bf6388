"""Report subscriptions (create, change, pause, delete: audited) and sending the due reports.

``send_due_reports`` is the scheduler's one door. Exactly once per period, whatever the number
of schedulers running at the same moment:

1. For each active subscription whose latest period is due, the period's ``ReportDelivery`` is
   INSERTed; its unique key (subscription, period) lets only one INSERT succeed anywhere: the
   others raise ``IntegrityError`` and move on.
2. An attempt starts only by a conditional UPDATE that pushes the row's ``next_attempt_at``
   past now (a claim of ``REPORTS_CLAIM_MINUTES``, default 30) and counts the attempt. On
   PostgreSQL the second UPDATE waits for the first's row lock and then no longer matches; on
   SQLite writes are serialised. The claim is short (no lock is held while the file is built and
   mailed), and a worker that died mid-attempt is replaced once the claim runs out.
3. The file is written as the subscription's owner (their data scope and masking apply) in the
   subscription's language, mailed with one ``EmailMessage`` to the recipients still inside the
   company, and the row is marked sent. A sent row is never attempted again.
4. A failure records ``last_error``; the next attempt waits 5, 10, 20 … minutes (at most 6 h);
   after ``REPORTS_MAX_ATTEMPTS`` (default 5) attempts the delivery is failed. Both are shown on
   the subscriptions page.

The one gap no mail system closes: a worker that dies after the SMTP server accepted the message
but before the row is marked sent makes the retry send it a second time.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.links import absolute_url
from aftersales.exports.registry import ExportKind, kind_for_user
from aftersales.exports.services import write_xlsx

from .audit_actions import ReportAudit
from .models import DeliveryStatus, Frequency, ReportDelivery, ReportSubscription
from .periods import Period, Schedule, latest_due_period, period_of
from .selectors import subscription_get_for_user

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_RECIPIENTS = 20
MAX_FILTERS = 40
# Query-string parameters of a list page that are not filters (paging, the export's own).
IGNORED_PARAMETERS = frozenset({"kind", "page", "after", "before", "cursor", "csrfmiddlewaretoken", "format", "partial"})
BASE_BACKOFF = dt.timedelta(minutes=5)
MAX_BACKOFF = dt.timedelta(hours=6)


def max_attempts() -> int:
    return int(getattr(settings, "REPORTS_MAX_ATTEMPTS", 5))


def allowed_domains() -> frozenset[str]:
    return frozenset(str(d).strip().lower().lstrip("@") for d in getattr(settings, "REPORTS_ALLOWED_DOMAINS", ()) or ())


def claim_duration() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "REPORTS_CLAIM_MINUTES", 30)))


def max_attachment_bytes() -> int:
    return int(getattr(settings, "REPORTS_MAX_ATTACHMENT_MB", 20)) * 1024 * 1024


def backoff(attempts: int) -> dt.timedelta:
    """The wait after failed attempt ``attempts``: 5 min, 10 min, 20 min … at most 6 hours."""
    return min(BASE_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


# ---------------------------------------------------------------------------------------------
# Checking input


def _split_addresses(raw: Iterable[str] | str) -> list[str]:
    items = re.split(r"[\s,;，；]+", raw) if isinstance(raw, str) else [str(a) for a in raw]
    return list(dict.fromkeys(a.strip().lower() for a in items if a and a.strip()))


def company_addresses(addresses: Iterable[str]) -> set[str]:
    """Those of ``addresses`` inside the company: an active member of staff's address, or one
    at a domain of ``REPORTS_ALLOWED_DOMAINS``."""
    wanted = [a.lower() for a in addresses]
    domains = allowed_domains()
    inside = {a for a in wanted if a.rpartition("@")[2] in domains}
    rest = [a for a in wanted if a not in inside]
    if rest:
        query = Q()
        for address in rest:
            query |= Q(email__iexact=address)
        staff = User.objects.filter(query, is_active=True).exclude(role=Role.CUSTOMER).values_list("email", flat=True)
        inside |= {e.lower() for e in staff}
    return inside


def clean_recipients(raw: Iterable[str] | str) -> list[str]:
    """The addresses, lower-cased and without repeats; refused (field ``recipients``) when one is
    not an address or not inside the company."""
    addresses = _split_addresses(raw)
    if not addresses:
        raise ValidationFailed({"recipients": [_("Enter at least one recipient's email address.")]}, code="report_recipients")
    if len(addresses) > MAX_RECIPIENTS:
        raise ValidationFailed(
            {"recipients": [_("At most %(limit)d recipients.") % {"limit": MAX_RECIPIENTS}]}, code="report_recipients"
        )
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationFailed(
                {"recipients": [_("“%(address)s” is not an email address.") % {"address": address}]},
                code="report_recipients",
            ) from None
    inside = company_addresses(addresses)
    outside = [a for a in addresses if a not in inside]
    if outside:
        raise ValidationFailed(
            {
                "recipients": [
                    _(
                        "Reports go only to addresses inside the company (a colleague's address or the company's "
                        "mail domain): %(addresses)s is not."
                    )
                    % {"addresses": ", ".join(outside)}
                ]
            },
            code="report_recipient_outside",
        )
    return addresses


def clean_filters(raw: Mapping[str, Any] | str | None) -> dict[str, str]:
    """A list page's query string (``"status=new&region=3"`` or a mapping) as the export's
    filters: one value per parameter (the last, as the page reads it), paging left out."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        query = QueryDict(raw.lstrip("?"))
        pairs = [(k, query[k]) for k in query]
    else:
        pairs = [(str(k), v[-1] if isinstance(v, list) and v else v) for k, v in raw.items()]
    cleaned = {k: str(v) for k, v in pairs if k not in IGNORED_PARAMETERS and v not in (None, "", [])}
    if len(cleaned) > MAX_FILTERS or any(len(k) > 64 or len(v) > 500 for k, v in cleaned.items()):
        raise ValidationFailed({"filters": [_("These filters are too long to keep.")]}, code="report_filters")
    return cleaned


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


@dataclass
class SubscriptionInput:
    kind: str
    recipients: Iterable[str] | str
    frequency: str = Frequency.DAILY
    send_time: dt.time = dt.time(8, 0)
    weekday: int | None = None
    day_of_month: int | None = None
    filters: Mapping[str, Any] | str | None = None
    name: str = ""
    language: str = "zh-hans"


def _export_kind(*, owner: User, kind: str) -> ExportKind:
    spec = kind_for_user(kind, owner)
    if spec is None:
        raise ValidationFailed({"kind": [_("Choose a report you may export.")]}, code="report_kind")
    return spec


def _clean(*, owner: User, data: SubscriptionInput) -> dict[str, Any]:
    spec = _export_kind(owner=owner, kind=data.kind)
    if data.frequency not in Frequency.values:
        raise ValidationFailed({"frequency": [_("Choose daily, weekly or monthly.")]}, code="report_frequency")
    weekday = day_of_month = None
    if data.frequency == Frequency.WEEKLY:
        if data.weekday is None or not 0 <= int(data.weekday) <= 6:
            raise ValidationFailed({"weekday": [_("Choose the day of the week to send on.")]}, code="report_weekday")
        weekday = int(data.weekday)
    if data.frequency == Frequency.MONTHLY:
        if data.day_of_month is None or not 1 <= int(data.day_of_month) <= 31:
            raise ValidationFailed({"day_of_month": [_("Choose a day of the month from 1 to 31.")]}, code="report_day_of_month")
        day_of_month = int(data.day_of_month)
    if data.language not in _language_codes():
        raise ValidationFailed({"language": [_("Choose a language.")]}, code="report_language")
    name = (data.name or "").strip()
    if not name:
        with translation.override(data.language):
            name = str(spec.title)
    if len(name) > 100:
        raise ValidationFailed({"name": [_("Enter a name of at most 100 characters.")]}, code="report_name")
    return {
        "name": name,
        "kind": spec.key,
        "filters": clean_filters(data.filters),
        "frequency": data.frequency,
        "send_time": data.send_time.replace(second=0, microsecond=0, tzinfo=None),
        "weekday": weekday,
        "day_of_month": day_of_month,
        "recipients": clean_recipients(data.recipients),
        "language": data.language,
    }


SCHEDULE_FIELDS = ("frequency", "send_time", "weekday", "day_of_month")


def schedule_of(subscription: ReportSubscription) -> Schedule:
    return Schedule(
        frequency=subscription.frequency,
        send_time=subscription.send_time,
        weekday=subscription.weekday,
        day_of_month=subscription.day_of_month,
    )


def _lock_in_scope(*, actor: User, subscription: ReportSubscription) -> ReportSubscription:
    """The subscription locked for a change by ``actor``; ``NotFound`` outside their scope."""
    subscription_get_for_user(user=actor, subscription_id=subscription.pk)
    return ReportSubscription.objects.select_for_update().select_related("owner").get(pk=subscription.pk)


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.time) else value


# ---------------------------------------------------------------------------------------------
# Subscriptions


@transaction.atomic
def report_subscription_create(*, actor: User, data: SubscriptionInput) -> ReportSubscription:
    """Subscribe ``actor`` to a report; its file is what ``actor`` may export, with their scope.
    The first report is the first period due after now."""
    if actor.is_customer or not actor.is_active:
        raise ValidationFailed({"kind": [_("Choose a report you may export.")]}, code="report_kind")
    values = _clean(owner=actor, data=data)
    subscription = ReportSubscription.objects.create(owner=actor, schedule_from=clock.now(), **values)
    audit_record(
        action=ReportAudit.SUBSCRIPTION_CREATED,
        obj=subscription,
        actor=actor,
        changes={k: _audit_value(v) for k, v in values.items()},
    )
    return subscription


@transaction.atomic
def report_subscription_update(*, actor: User, subscription: ReportSubscription, data: SubscriptionInput) -> ReportSubscription:
    """Change a subscription (its owner's export rights decide the kind). A new schedule starts
    from now: a period already due under the old one is not sent again under the new one."""
    locked = _lock_in_scope(actor=actor, subscription=subscription)
    values = _clean(owner=locked.owner, data=data)
    changes = {k: [_audit_value(getattr(locked, k)), _audit_value(v)] for k, v in values.items() if getattr(locked, k) != v}
    if not changes:
        return locked
    for key, value in values.items():
        setattr(locked, key, value)
    update_fields = [*values, "updated_at"]
    if any(k in changes for k in SCHEDULE_FIELDS):
        locked.schedule_from = clock.now()
        update_fields.append("schedule_from")
    locked.save(update_fields=update_fields)
    audit_record(action=ReportAudit.SUBSCRIPTION_UPDATED, obj=locked, actor=actor, changes=changes)
    return locked


@transaction.atomic
def report_subscription_set_active(*, actor: User, subscription: ReportSubscription, active: bool) -> ReportSubscription:
    """Pause or resume. Resuming starts from now: the periods missed while paused are not sent."""
    locked = _lock_in_scope(actor=actor, subscription=subscription)
    if locked.active == active:
        return locked
    locked.active = active
    fields = ["active", "updated_at"]
    if active:
        locked.schedule_from = clock.now()
        fields.append("schedule_from")
    locked.save(update_fields=fields)
    audit_record(action=ReportAudit.SUBSCRIPTION_RESUMED if active else ReportAudit.SUBSCRIPTION_PAUSED, obj=locked, actor=actor)
    return locked


@transaction.atomic
def report_subscription_delete(*, actor: User, subscription: ReportSubscription) -> None:
    """Delete a subscription and its delivery history (the audit log keeps what it was)."""
    locked = _lock_in_scope(actor=actor, subscription=subscription)
    audit_record(
        action=ReportAudit.SUBSCRIPTION_DELETED,
        obj=locked,
        actor=actor,
        changes={"name": locked.name, "kind": locked.kind, "owner": locked.owner.username, "recipients": locked.recipients},
    )
    locked.delete()


# ---------------------------------------------------------------------------------------------
# Building and mailing one report


class DeliveryError(DomainError):
    code = "report_delivery"


def period_label(subscription: ReportSubscription, period: Period) -> str:
    """The period as people say it, in the active language."""
    if subscription.frequency == Frequency.DAILY:
        return period.start.isoformat()
    if subscription.frequency == Frequency.WEEKLY:
        last = period.end - dt.timedelta(days=1)
        return _g("the week %(start)s – %(end)s") % {"start": period.start.isoformat(), "end": last.isoformat()}
    return _g("the month %(month)s") % {"month": period.start.strftime("%Y-%m")}


def _build_file(*, subscription: ReportSubscription, user: User) -> tuple[int, bytes]:
    """The report as ``user`` would export it, headers in the subscription's language."""
    # A fresh instance whose language (never saved) is the subscription's: write_xlsx writes in
    # its user's language, and this user must not be the request's own object.
    reader = User.objects.select_related("team", "region").get(pk=user.pk)
    reader.language = subscription.language
    with tempfile.TemporaryFile() as target:
        rows = write_xlsx(kind=subscription.kind, user=reader, filters=dict(subscription.filters), target=target)
        size = target.tell()
        if size > max_attachment_bytes():
            raise DeliveryError(
                _("The file is %(size)d MB, more than the %(limit)d MB an email may carry; narrow the filters.")
                % {"size": size // (1024 * 1024), "limit": max_attachment_bytes() // (1024 * 1024)}
            )
        target.seek(0)
        return rows, target.read()


def _mail(
    *, subscription: ReportSubscription, period: Period, recipients: list[str], rows: int, content: bytes, test: bool
) -> None:
    with translation.override(subscription.language):
        label = period_label(subscription, period)
        subject = _g("Report “%(name)s” for %(period)s") % {"name": subscription.name, "period": label}
        if test:
            subject = _g("[Test] %(subject)s") % {"subject": subject}
        body = _g(
            "Attached is the report “%(name)s” for %(period)s: %(rows)d rows, as %(owner)s sees them.\n\n"
            "Manage your scheduled reports: %(link)s\n"
        ) % {
            "name": subscription.name,
            "period": label,
            "rows": rows,
            "owner": str(subscription.owner),
            "link": absolute_url(reverse("reports:list")),
        }
    message = EmailMessage(subject=subject, body=body, to=recipients)
    message.attach(f"{subscription.kind}-{period.start.isoformat()}.xlsx", content, XLSX_MIME)
    message.send(fail_silently=False)


# ---------------------------------------------------------------------------------------------
# The scheduler


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claim_new_periods(now: dt.datetime) -> int:
    """Insert the delivery row of every active subscription's due period not yet claimed."""
    due: list[tuple[ReportSubscription, Period]] = []
    for subscription in ReportSubscription.objects.filter(active=True, owner__is_active=True).only(
        "pk", *SCHEDULE_FIELDS, "schedule_from"
    ):
        period = latest_due_period(schedule_of(subscription), now)
        if period.due_at >= subscription.schedule_from:
            due.append((subscription, period))
    if not due:
        return 0
    existing = set(
        ReportDelivery.objects.filter(
            subscription_id__in=[s.pk for s, _p in due], period_start__in={p.start for _s, p in due}
        ).values_list("subscription_id", "period_start")
    )
    created = 0
    for subscription, period in due:
        if (subscription.pk, period.start) in existing:
            continue
        try:
            with transaction.atomic():
                ReportDelivery.objects.create(subscription=subscription, period_start=period.start, next_attempt_at=now)
        except IntegrityError:
            continue  # another scheduler inserted it first: theirs to send
        created += 1
    return created


def _claim_attempt(delivery_id: int, now: dt.datetime) -> bool:
    """Start an attempt if nobody else holds it: one conditional UPDATE, true for one caller."""
    with transaction.atomic():
        return (
            ReportDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
                next_attempt_at=now + claim_duration(), attempts=F("attempts") + 1
            )
            == 1
        )


def _attempt(delivery_id: int, now: dt.datetime) -> str | None:
    """One attempt at a pending delivery; the resulting status, or None when not ours."""
    if not _claim_attempt(delivery_id, now):
        return None
    delivery = ReportDelivery.objects.select_related("subscription__owner").get(pk=delivery_id)
    subscription = delivery.subscription
    period = period_of(schedule_of(subscription), delivery.period_start)
    try:
        recipients = sorted(company_addresses(subscription.recipients))
        if not recipients:
            raise DeliveryError(_("None of the recipients is inside the company any more."))
        if not subscription.owner.is_active:
            raise DeliveryError(_("The subscription's owner is no longer active."))
        rows, content = _build_file(subscription=subscription, user=subscription.owner)
        _mail(subscription=subscription, period=period, recipients=recipients, rows=rows, content=content, test=False)
    except Exception as exc:  # noqa: BLE001 - any failure (SMTP, export, network) is recorded and retried
        return _record_failure(delivery=delivery, error=exc, now=now)
    with transaction.atomic():
        ReportDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENT,
            sent_at=clock.now(),
            row_count=rows,
            recipients=recipients,
            last_error="",
            next_attempt_at=None,
        )
        audit_record(
            action=ReportAudit.SENT,
            obj=subscription,
            actor_label="system",
            changes={"period": delivery.period_start.isoformat(), "rows": rows, "recipients": recipients},
        )
    return DeliveryStatus.SENT


def _error_text(error: BaseException) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = str(error.message) if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
    return text[:2000]


def _record_failure(*, delivery: ReportDelivery, error: BaseException, now: dt.datetime) -> str:
    delivery.refresh_from_db(fields=["attempts"])
    final = delivery.attempts >= max_attempts()
    status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
    with transaction.atomic():
        ReportDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=status,
            last_error=_error_text(error),
            next_attempt_at=None if final else now + backoff(delivery.attempts),
        )
        if final:
            audit_record(
                action=ReportAudit.SEND_FAILED,
                obj=delivery.subscription,
                actor_label="system",
                changes={"period": delivery.period_start.isoformat(), "attempts": delivery.attempts, "error": _error_text(error)},
            )
    return status


def send_due_reports(*, now: dt.datetime | None = None, limit: int = 500) -> SendResult:
    """Claim every due period once and attempt every pending delivery whose time has come."""
    now = now or clock.now()
    result = SendResult(claimed=_claim_new_periods(now))
    pending = list(
        ReportDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__active=True)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in pending:
        status = _attempt(delivery_id, now)
        if status == DeliveryStatus.SENT:
            result.sent += 1
        elif status == DeliveryStatus.PENDING:
            result.retrying += 1
        elif status == DeliveryStatus.FAILED:
            result.failed += 1
    return result


def report_send_test(*, actor: User, subscription: ReportSubscription) -> int:
    """Send the current period's report to ``actor`` alone, as ``actor`` may see it (their own
    scope, so nobody learns more than they may); nothing is recorded as the period's delivery.
    Returns the number of rows."""
    subscription = subscription_get_for_user(user=actor, subscription_id=subscription.pk)
    if not actor.email:
        raise DomainError(_("Your account has no email address to send the test to."), code="report_no_email")
    _export_kind(owner=actor, kind=subscription.kind)
    period = period_of(schedule_of(subscription), clock.local_today())
    rows, content = _build_file(subscription=subscription, user=actor)
    try:
        _mail(subscription=subscription, period=period, recipients=[actor.email], rows=rows, content=content, test=True)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            _("The mail server did not take the message: %(error)s") % {"error": _error_text(exc)}, code="report_mail_failed"
        ) from exc
    with transaction.atomic():
        audit_record(action=ReportAudit.TEST_SENT, obj=subscription, actor=actor, changes={"to": actor.email, "rows": rows})
    return rows


__all__ = [
    "SendResult",
    "SubscriptionInput",
    "clean_filters",
    "clean_recipients",
    "report_send_test",
    "report_subscription_create",
    "report_subscription_delete",
    "report_subscription_set_active",
    "report_subscription_update",
    "send_due_reports",
]
