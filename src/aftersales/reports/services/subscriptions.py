"""Report subscriptions: checking what a user asks for (recipients inside the company, the
filters of an export kind they may use, the schedule) and creating, changing, pausing and deleting
subscriptions, each audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.exports.registry import ExportKind, kind_for_user

from ..audit_actions import ReportAudit
from ..models import Frequency, ReportSubscription
from ..periods import Schedule
from ..selectors import subscription_get_for_user

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
