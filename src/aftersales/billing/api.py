"""API v1: receivables (the customer's charge of a finished work order), their payments and the
invoice (docs/billing.md). Finance, supervisors and administrators read the receivables of their
data scope (a technician his own jobs'); finance records a payment (``Idempotency-Key``: a retry
records one) and the invoice (``PUT``: the same body again changes nothing). Handlers parse, call
one selector or service, and present.

Mounted through ``BillingConfig.api_router`` (``api/api.py`` mounts every app's router). The
billing app sits below the API in the layer order, so this module imports nothing of it: the
caller is ``request.auth`` read through ``ApiCaller``, errors are the ``DomainError`` kinds the
API turns into problem details, the key scopes are the work orders' (``workorders:read`` and
``workorders:write``: a receivable is a work order's charge).

No ``from __future__ import annotations`` here: django-ninja reads the body types.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Protocol

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema
from pydantic import ConfigDict, Field

from aftersales.accounts.models import Role, User
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.money import MAX_MONEY

from . import selectors, services
from .models import Invoice, InvoiceKind, Payment, PaymentMethod, Receivable, ReceivableStatus
from .permissions import is_overseer, is_technician, receivable_actions

router = Router(tags=["billing"])
READ = "workorders:read"
WRITE = "workorders:write"
MAX_PAGE = 100
WorkOrderNumber = Annotated[str, Field(min_length=1, max_length=32)]
Money = Annotated[Decimal, Field(gt=Decimal("0"), lt=MAX_MONEY, decimal_places=2)]
IDEMPOTENCY_DOC = "Retry safely: the same key and body return the first response; another body with the key is a 409."


class ApiCaller(Protocol):
    """What billing reads of the API's caller (``api.caller.Caller``)."""

    user: User

    def require(self, scope: str) -> None: ...

    def require_staff(self) -> None: ...


def _caller(request: HttpRequest, scope: str) -> ApiCaller:
    caller: ApiCaller = request.auth  # type: ignore[attr-defined]
    caller.require(scope)
    caller.require_staff()
    return caller


class ProblemField(Schema):
    field: str
    message: str
    code: str | None = None


class Problem(Schema):
    """RFC 9457 problem details; ``code`` is stable, ``detail`` in the caller's language."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemField] = []


def problems(*codes: int) -> dict[int, Any]:
    return dict.fromkeys(sorted({400, 401, 422, 429, *codes}), Problem)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --- bodies ----------------------------------------------------------------------------------------


class PaymentIn(Input):
    """A payment finance received: never more than is left to pay."""

    amount: Money
    method: PaymentMethod
    paid_on: dt.date | None = Field(None, description="The day it was paid (local); empty: today.")
    reference: Annotated[str, Field(max_length=64)] = Field(
        "", description="The bank's, the transaction's or the slip's number; required but for cash."
    )
    collected_by: Annotated[str, Field(max_length=150)] = Field(
        "", description="Username of who collected it; empty: the caller."
    )


class InvoiceIn(Input):
    """The invoice issued for the charge (recorded, or corrected: every field again)."""

    kind: InvoiceKind = Field(description="normal: 普通发票; special: 增值税专用发票 (needs tax_id).")
    number: Annotated[str, Field(min_length=8, max_length=20, pattern=r"^[0-9]+$")]
    issued_on: dt.date
    title: Annotated[str, Field(min_length=1, max_length=200)] = Field(description="The buyer's name on the invoice (抬头).")
    tax_id: Annotated[str, Field(max_length=20)] = Field("", description="The buyer's taxpayer ID (纳税人识别号).")
    amount: Money | None = Field(None, description="Empty: the whole charge.")


# --- answers ---------------------------------------------------------------------------------------


class PaymentOut(Schema):
    id: int
    amount: Decimal
    method: str
    paid_on: dt.date
    reference: str
    collected_by: str | None
    status: str
    recorded_at: dt.datetime


class InvoiceOut(Schema):
    kind: str
    number: str
    issued_on: dt.date
    title: str
    tax_id: str
    amount: Decimal


class ReceivableOut(Schema):
    work_order: str
    ticket: str
    technician: str | None
    status: str
    status_label: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    due_from: dt.date
    age_days: int
    version: int
    paid_at: dt.datetime | None
    waived_at: dt.datetime | None
    waive_reason: str
    actions: list[str]
    invoice: InvoiceOut | None = None
    payments: list[PaymentOut] | None = None


class ReceivablePage(Schema):
    items: list[ReceivableOut]
    next_after: int | None = Field(None, description="Pass as ``after`` for the next page; empty on the last.")


def _payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.pk,
        amount=payment.amount,
        method=payment.method,
        paid_on=payment.paid_on,
        reference=payment.reference,
        collected_by=payment.collected_by.username if payment.collected_by else None,
        status=payment.status,
        recorded_at=payment.recorded_at,
    )


def _invoice_out(invoice: Invoice | None) -> InvoiceOut | None:
    if invoice is None:
        return None
    return InvoiceOut(
        kind=invoice.kind,
        number=invoice.number,
        issued_on=invoice.issued_on,
        title=invoice.title,
        tax_id=invoice.tax_id,
        amount=invoice.amount,
    )


def _out(receivable: Receivable, user: User, *, full: bool = False) -> ReceivableOut:
    technician = receivable.work_order.technician
    return ReceivableOut(
        work_order=receivable.work_order.number,
        ticket=receivable.ticket.number,
        technician=technician.username if technician else None,
        status=receivable.status,
        status_label=str(receivable.get_status_display()),
        amount=receivable.amount,
        paid=receivable.paid_amount,
        outstanding=receivable.outstanding,
        due_from=receivable.due_from,
        age_days=selectors.age_in_days(receivable),
        version=receivable.version,
        paid_at=receivable.paid_at,
        waived_at=receivable.waived_at,
        waive_reason=receivable.waive_reason,
        actions=sorted(receivable_actions(user, receivable)) if full else [],
        invoice=_invoice_out(selectors.invoice_of(receivable)),
        payments=[_payment_out(p) for p in selectors.payments_of(receivable)] if full else None,
    )


def _reader(request: HttpRequest) -> User:
    user = _caller(request, READ).user
    if not (is_overseer(user) or is_technician(user)):
        raise PermissionDenied(
            _("Only finance, supervisors, administrators and the job's technician read receivables."),
            code="billing_not_allowed",
        )
    return user


@router.get("/receivables", response={200: ReceivablePage, **problems(403)}, summary="List receivables")
def list_receivables(
    request: HttpRequest,
    status: str = Query(
        selectors.OUTSTANDING_FILTER, description="outstanding (open and partly paid), all, or open, partly_paid, paid, waived."
    ),
    bucket: str = Query("", description="Age of the outstanding ones: 0_30, 31_60, 61_90, over_90."),
    after: int = Query(0, ge=0, description="The ``next_after`` of the previous page."),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> Any:
    """The receivables in the caller's scope, by id (outstanding only unless ``status`` says
    otherwise)."""
    user = _reader(request)
    if status not in {selectors.OUTSTANDING_FILTER, selectors.ALL_FILTER, *ReceivableStatus.values}:
        status = selectors.OUTSTANDING_FILTER
    qs = selectors.receivable_list(user=user, status=status, bucket=bucket).filter(pk__gt=after).order_by("pk")
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return ReceivablePage(items=[_out(r, user) for r in rows], next_after=rows[-1].pk if more else None)


@router.get("/receivables/{number}", response={200: ReceivableOut, **problems(403, 404)}, summary="Read a receivable")
def read_receivable(request: HttpRequest, number: WorkOrderNumber) -> Any:
    """A work order's receivable, with its payments, the invoice and what the caller may do."""
    user = _reader(request)
    return _out(selectors.receivable_get_for_user(user=user, number=number), user, full=True)


def _staff(username: str) -> User | None:
    if not username:
        return None
    found = User.objects.filter(username=username, is_active=True).exclude(role=Role.CUSTOMER).first()
    if found is None:
        raise NotFound(_("No such member of staff."), code="collected_by_unknown")
    return found


@router.post(
    "/receivables/{number}/payments",
    response={201: ReceivableOut, **problems(403, 404, 409)},
    summary="Record a payment",
)
def record_payment(
    request: HttpRequest,
    number: WorkOrderNumber,
    body: PaymentIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", min_length=1, max_length=128, description=IDEMPOTENCY_DOC
    ),
) -> Any:
    """Finance records a payment (confirmed at once); more than is left to pay is a 422 naming
    ``amount`` (``overpayment``)."""
    user = _caller(request, WRITE).user
    receivable = selectors.receivable_get_for_user(user=user, number=number)
    services.payment_record(
        receivable=receivable,
        actor=user,
        amount=body.amount,
        method=body.method,
        paid_on=body.paid_on,
        reference=body.reference,
        collected_by=_staff(body.collected_by),
        idempotency_key=idempotency_key,
    )
    fresh = selectors.receivable_get_for_user(user=user, number=number)
    return 201, _out(fresh, user, full=True)


@router.put(
    "/receivables/{number}/invoice",
    response={200: ReceivableOut, **problems(403, 404, 409)},
    summary="Record the invoice",
)
def record_invoice(request: HttpRequest, number: WorkOrderNumber, body: InvoiceIn) -> Any:
    """Finance records the invoice issued for the charge, or corrects it."""
    user = _caller(request, WRITE).user
    receivable = selectors.receivable_get_for_user(user=user, number=number)
    services.invoice_record(
        receivable=receivable,
        actor=user,
        kind=body.kind,
        number=body.number,
        issued_on=body.issued_on,
        title=body.title,
        tax_id=body.tax_id,
        amount=body.amount,
    )
    return _out(selectors.receivable_get_for_user(user=user, number=number), user, full=True)
