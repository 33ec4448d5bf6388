"""Reads of the billing app, always scoped to the reader (``permissions.receivables_visible_to``):
finance, supervisors and administrators their data scope's, a technician his own jobs'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.core.money import cents
from aftersales.fieldservice.models import WorkOrder

from .models import ZERO, Invoice, InvoiceKind, Payment, PaymentStatus, Receivable, ReceivableStatus
from .permissions import receivables_visible_to
from .states import OUTSTANDING

S = ReceivableStatus


@dataclass(frozen=True)
class Bucket:
    """An aging bucket: days since the work was done, ``low`` to ``high`` (None: no end)."""

    key: str
    label: object
    low: int
    high: int | None

    def holds(self, days: int) -> bool:
        return days >= self.low and (self.high is None or days <= self.high)


BUCKETS = (
    Bucket("0_30", _("0–30 days"), 0, 30),
    Bucket("31_60", _("31–60 days"), 31, 60),
    Bucket("61_90", _("61–90 days"), 61, 90),
    Bucket("over_90", _("over 90 days"), 91, None),
)
BUCKET_KEYS = frozenset(b.key for b in BUCKETS)
# The list's status filter: "outstanding" (open and partly paid, the default), one status, or all.
OUTSTANDING_FILTER = "outstanding"
ALL_FILTER = "all"


def age_in_days(receivable: Receivable, *, today: dt.date | None = None) -> int:
    return ((today or clock.local_today()) - receivable.due_from).days


def bucket_of(receivable: Receivable, *, today: dt.date | None = None) -> Bucket:
    days = max(age_in_days(receivable, today=today), 0)
    return next(b for b in BUCKETS if b.holds(days))


def _in_bucket(key: str, today: dt.date) -> Q:
    bucket = next(b for b in BUCKETS if b.key == key)
    condition = Q(due_from__lte=today - dt.timedelta(days=bucket.low))
    if bucket.high is not None:
        condition &= Q(due_from__gte=today - dt.timedelta(days=bucket.high))
    return condition


def receivable_list(
    *,
    user: User,
    status: str = OUTSTANDING_FILTER,
    bucket: str = "",
    search: str = "",
    technician: str = "",
    today: dt.date | None = None,
) -> QuerySet[Receivable]:
    """The receivables ``user`` sees, outstanding first (the oldest first), then the rest (the
    latest first): filtered by status (``outstanding``, ``all`` or one status), aging bucket (of
    the outstanding ones), a work order's or ticket's number, and a technician's username."""
    day = today or clock.local_today()
    qs = receivables_visible_to(user).select_related("work_order", "work_order__technician", "ticket", "invoice")
    if status == OUTSTANDING_FILTER:
        qs = qs.filter(status__in=OUTSTANDING)
    elif status in S.values:
        qs = qs.filter(status=status)
    if bucket in BUCKET_KEYS:
        qs = qs.filter(_in_bucket(bucket, day), status__in=OUTSTANDING)
    term = search.strip()
    if term:
        qs = qs.filter(Q(work_order__number__iexact=term) | Q(ticket__number__iexact=term))
    if technician.strip():
        qs = qs.filter(work_order__technician__username=technician.strip())
    first = Case(When(status__in=sorted(OUTSTANDING), then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(outstanding_first=first).order_by("outstanding_first", "due_from", "id")


@dataclass
class Totals:
    """The list's sums in CNY: due, paid, outstanding (waived ones owe nothing), and what is
    outstanding per aging bucket."""

    count: int = 0
    amount: Decimal = ZERO
    paid: Decimal = ZERO
    outstanding: Decimal = ZERO
    buckets: list[tuple[Bucket, Decimal]] = field(default_factory=list)


def totals(qs: QuerySet[Receivable], *, today: dt.date | None = None) -> Totals:
    """The sums of a filtered list (``receivable_list``), one query for the figures and one per
    aging bucket."""
    day = today or clock.local_today()
    base = qs.order_by()
    sums = base.aggregate(amount=Sum("amount"), paid=Sum("paid_amount"))
    owed = base.filter(status__in=OUTSTANDING).aggregate(amount=Sum("amount"), paid=Sum("paid_amount"))
    result = Totals(
        count=base.count(),
        amount=cents(sums["amount"] or 0),
        paid=cents(sums["paid"] or 0),
        outstanding=cents((owed["amount"] or 0) - (owed["paid"] or 0)),
    )
    for bucket in BUCKETS:
        part = base.filter(_in_bucket(bucket.key, day), status__in=OUTSTANDING).aggregate(
            amount=Sum("amount"), paid=Sum("paid_amount")
        )
        result.buckets.append((bucket, cents((part["amount"] or 0) - (part["paid"] or 0))))
    return result


def receivable_get_for_user(*, user: User, number: str) -> Receivable:
    """The receivable of work order ``number`` if ``user`` sees it; else ``NotFound`` (as one
    that does not exist)."""
    found = (
        receivables_visible_to(user)
        .select_related("work_order", "work_order__technician", "ticket", "waived_by")
        .filter(work_order__number=number)
        .first()
    )
    if found is None:
        raise NotFound(_("No such receivable."), code="receivable_not_found")
    return found


def payments_of(receivable: Receivable) -> list[Payment]:
    return list(receivable.payments.select_related("collected_by", "recorded_by", "decided_by").order_by("recorded_at", "id"))


def invoice_of(receivable: Receivable) -> Invoice | None:
    return receivable.invoice if _has_invoice(receivable) else None


def _has_invoice(receivable: Receivable) -> bool:
    try:
        receivable.invoice  # noqa: B018 - the reverse one-to-one, read once
    except Receivable.invoice.RelatedObjectDoesNotExist:
        return False
    return True


def charge_status_for(work_order: WorkOrder) -> Receivable | None:
    """The work order's receivable for its page and the ticket's work-order panel ("paid" /
    "outstanding ¥x"); the reader already sees the work order."""
    return Receivable.objects.filter(work_order_id=work_order.pk).first()


def outstanding_count(*, user: User) -> int:
    """Finance's Today tile: the receivables list's total with its default filters (outstanding,
    the reader's scope) — the count of the page it links to."""
    return receivable_list(user=user).count()


# --- What the customer reads of their charge (the portal, the API's ticket read) ---------------


@dataclass(frozen=True)
class CustomerCharge:
    """A finished job's charge as its customer sees it: what it comes to, what was paid, what is
    left, the cash handed to the technician that finance has not confirmed yet, and the invoice
    issued (its type, number, day and amount). Never who collected or recorded a payment, its
    reference no., a rejected collection, nor why a charge was waived (internal notes)."""

    work_order_id: int
    status: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    awaiting_confirmation: Decimal
    paid_at: dt.datetime | None
    invoice_kind: str = ""
    invoice_number: str = ""
    invoice_issued_on: dt.date | None = None
    invoice_amount: Decimal | None = None

    @property
    def status_label(self) -> str:
        return str(S(self.status).label)

    @property
    def invoice_kind_label(self) -> str:
        return str(InvoiceKind(self.invoice_kind).label) if self.invoice_kind in InvoiceKind.values else ""


def customer_charges_for(work_order_ids: list[int]) -> dict[int, CustomerCharge]:
    """Work order id → its charge as the customer sees it, for the jobs that have a receivable
    (two queries). Call only with work orders the reader may see (their own ticket's)."""
    if not work_order_ids:
        return {}
    receivables = list(Receivable.objects.filter(work_order_id__in=work_order_ids).select_related("invoice"))
    pending = dict(
        Payment.objects.filter(receivable__in=receivables, status=PaymentStatus.PENDING)
        .order_by()
        .values("receivable_id")
        .annotate(total=Sum("amount"))
        .values_list("receivable_id", "total")
    )
    charges = {}
    for r in receivables:
        invoice = invoice_of(r)
        waiting = cents(pending.get(r.pk) or 0) if r.status in OUTSTANDING else ZERO
        charges[r.work_order_id] = CustomerCharge(
            work_order_id=r.work_order_id,
            status=r.status,
            amount=cents(r.amount),
            paid=cents(r.paid_amount),
            outstanding=cents(max(r.outstanding - waiting, ZERO)),
            awaiting_confirmation=waiting,
            paid_at=r.paid_at,
            invoice_kind=invoice.kind if invoice is not None else "",
            invoice_number=invoice.number if invoice is not None else "",
            invoice_issued_on=invoice.issued_on if invoice is not None else None,
            invoice_amount=cents(invoice.amount) if invoice is not None else None,
        )
    return charges
