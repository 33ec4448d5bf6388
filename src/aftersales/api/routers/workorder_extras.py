# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Form()/Header() defaults
"""Work orders, continued: the quote (read; prepare and confirm are status moves under
…/actions/), the one-time acceptance code, travel expense claims, site-entry permits and the
downloads of the job's files and the customer's signature (scoped like the acceptance PDF).

Handlers parse, call one selector or service of the fieldservice app, and present the result.
"""

from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Path, Router
from ninja.files import UploadedFile

from aftersales.core.errors import NotFound
from aftersales.fieldservice.models import ExpenseKind
from aftersales.fieldservice.selectors import acceptance_for
from aftersales.fieldservice.services import (
    acceptance_code_send,
    expense_claim_decide,
    expense_claim_submit,
    work_order_add_permit,
)

from .. import field_presenters as present
from .. import field_schemas as fsch
from ..field import api_work_order_get
from ..field_extra import (
    expense_claim_get,
    expense_claims_of,
    expense_out,
    quote_out,
    work_order_file_get,
    work_order_permits,
)
from ..idempotency import idempotent
from ..models import Scope
from .common import MAX_ID, problems
from .common import idempotency_header as _idem
from .common import staff_caller as _staff_caller

router = Router(tags=["work orders"])


def _download(fieldfile: Any, *, filename: str, content_type: str) -> FileResponse:
    try:
        fileobj = fieldfile.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound(_("The stored file is missing."), code="file_missing") from None
    response = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- quote and acceptance code ------------------------------------------------------------------


@router.get(
    "/work-orders/{wo_number}/quote",
    response={200: fsch.QuoteOut, **problems(403, 404)},
    summary="The quote of a chargeable job (POST …/actions/prepare-quote and …/actions/confirm-quote)",
)
def get_quote(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    return quote_out(api_work_order_get(caller=caller, number=wo_number))


@router.post(
    "/work-orders/{wo_number}/acceptance-code",
    response={201: fsch.AcceptanceCodeOut, **problems(403, 404, 409, 422)},
    summary="Send the customer a one-time acceptance code (the technician, after the work); earlier codes stop working",
)
@idempotent
def send_acceptance_code(
    request: HttpRequest, wo_number: str, payload: fsch.WorkOrderNoInput, idempotency_key: str = _idem()
) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    record = acceptance_code_send(work_order=work_order, actor=caller.user)
    return 201, fsch.AcceptanceCodeOut(number=work_order.number, sent_at=record.created_at, expires_at=record.expires_at)


# --- expense claims -----------------------------------------------------------------------------


@router.get(
    "/work-orders/{wo_number}/expenses",
    response={200: list[fsch.ExpenseClaimOut], **problems(403, 404)},
    summary="Travel expense claims of a work order",
)
def list_expenses(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    return [expense_out(c, work_order) for c in expense_claims_of(work_order=work_order)]


@router.post(
    "/work-orders/{wo_number}/expenses",
    response={201: fsch.ExpenseClaimOut, **problems(403, 404, 409, 413, 422)},
    summary="Claim a travel expense (multipart, with an optional receipt; the job's technician)",
)
@idempotent
def create_expense(
    request: HttpRequest,
    wo_number: str,
    kind: ExpenseKind = Form(...),
    amount: Decimal = Form(..., gt=0, le=1_000_000, decimal_places=2, description="CNY, two decimals at most."),
    note: str = Form("", max_length=200),
    receipt: UploadedFile | None = File(None, description="PDF, JPEG, PNG, WebP or HEIC; checked by content."),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    claim = expense_claim_submit(
        work_order=work_order, actor=caller.user, kind=kind.value, amount=amount, note=note, receipt=receipt
    )
    return 201, expense_out(expense_claim_get(work_order=work_order, claim_id=claim.pk), work_order)


@router.post(
    "/work-orders/{wo_number}/expenses/{claim_id}/decide",
    response={200: fsch.ExpenseClaimOut, **problems(403, 404, 409, 422)},
    summary="Approve or reject a claim (a dispatcher or finance; never one's own)",
)
@idempotent
def decide_expense(
    request: HttpRequest,
    wo_number: str,
    payload: fsch.ExpenseDecideInput,
    claim_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    claim = expense_claim_get(work_order=work_order, claim_id=claim_id)
    expense_claim_decide(claim=claim, actor=caller.user, approve=payload.approve)
    return 200, expense_out(expense_claim_get(work_order=work_order, claim_id=claim_id), work_order)


@router.get(
    "/work-orders/{wo_number}/expenses/{claim_id}/receipt",
    response={200: None, **problems(403, 404)},
    summary="Download the receipt of an expense claim",
)
def download_receipt(request: HttpRequest, wo_number: str, claim_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    claim = expense_claim_get(work_order=api_work_order_get(caller=caller, number=wo_number), claim_id=claim_id)
    if not claim.receipt:
        raise NotFound(_("This claim has no receipt."), code="receipt_not_found")
    name = f"receipt-{claim.pk}{claim.receipt.name[claim.receipt.name.rfind('.') :] if '.' in claim.receipt.name else ''}"
    return _download(claim.receipt, filename=name, content_type=claim.receipt_content_type or "application/octet-stream")


# --- permits and files --------------------------------------------------------------------------


@router.get(
    "/work-orders/{wo_number}/permits",
    response={200: list[fsch.WorkOrderFileOut], **problems(403, 404)},
    summary="Site-entry permits of a work order",
)
def list_permits(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    return [
        present.work_order_file(f) for f in work_order_permits(work_order=api_work_order_get(caller=caller, number=wo_number))
    ]


@router.post(
    "/work-orders/{wo_number}/permits",
    response={201: fsch.WorkOrderFileOut, **problems(403, 404, 409, 413, 422)},
    summary="Attach a site-entry permit (multipart; whoever creates or dispatches work orders)",
)
@idempotent
def upload_permit(
    request: HttpRequest,
    wo_number: str,
    file: UploadedFile = File(..., description="PDF, JPEG, PNG, WebP or HEIC; checked by content."),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    return 201, present.work_order_file(work_order_add_permit(work_order=work_order, actor=caller.user, file=file))


@router.get(
    "/work-orders/{wo_number}/files/{file_id}",
    response={200: None, **problems(403, 404)},
    summary="Download a photo or permit of a work order (ids in GET /work-orders/{wo_number})",
)
def download_file(request: HttpRequest, wo_number: str, file_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    item = work_order_file_get(work_order=api_work_order_get(caller=caller, number=wo_number), file_id=file_id)
    return _download(item.file, filename=item.original_name, content_type=item.content_type)


@router.get(
    "/work-orders/{wo_number}/signature.png",
    response={200: None, **problems(403, 404)},
    summary="The customer's drawn signature on the acceptance form (PNG)",
)
def download_signature(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    acceptance = acceptance_for(work_order)
    if acceptance is None or not acceptance.signature:
        raise NotFound(_("The customer has not signed this work order."), code="signature_not_found")
    return _download(acceptance.signature, filename=f"{work_order.number}-signature.png", content_type="image/png")
