"""Sending the due reports.

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
import smtplib
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.core.links import absolute_url
from aftersales.exports.services import write_xlsx

from ..audit_actions import ReportAudit
from ..models import DeliveryStatus, Frequency, ReportDelivery, ReportSubscription
from ..periods import Period, latest_due_period, period_of
from ..selectors import subscription_get_for_user
from .subscriptions import (
    SCHEDULE_FIELDS,
    XLSX_MIME,
    _export_kind,
    backoff,
    claim_duration,
    company_addresses,
    max_attachment_bytes,
    max_attempts,
    schedule_of,
)

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
