# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Form()/Header() defaults
"""A work order's papers: the quote (read; prepare and confirm are moves under …/actions/), the
one-time acceptance code, travel expense claims, site-entry permits and the downloads of the
job's files and the customer's signature (scoped like the acceptance PDF).

Handlers parse, call one selector or the service of an action of ``fieldservice.actions``, and
present the result. Operation ids keep those of ``aftersales.api.routers.workorder_extras``
(public: clients name methods after them).
"""

from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Path, Router
from ninja.files import UploadedFile

from aftersales.core.errors import NotFound
from aftersales.core.web import private_no_store
from aftersales.fieldservice.action_schemas import WorkOrderNoInput
from aftersales.fieldservice.actions import ACTIONS
from aftersales.fieldservice.models import AcceptanceCode, ExpenseClaim, ExpenseKind, WorkOrderFile
from aftersales.fieldservice.selectors import acceptance_for

from ..idempotency import idempotent
from ..models import Scope
from ..routers.common import MAX_ID, problems
from ..routers.common import idempotency_header as _idem
from ..routers.common import staff_caller as _staff_caller
from . import presenters as present
from . import schemas as out
from .selectors import api_work_order_get, expense_claim_get, expense_claims_of, work_order_file_get, work_order_permits

router = Router(tags=["work orders"])
IDS = "aftersales_api_routers_workorder_extras_"


def _download(fieldfile: Any, *, filename: str, content_type: str) -> FileResponse:
    try:
        fileobj = fieldfile.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound(_("The stored file is missing."), code="file_missing") from None
    response = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


# --- quote and acceptance code ------------------------------------------------------------------


@router.get(
    "/work-orders/{wo_number}/quote",
    response={200: out.QuoteOut, **problems(403, 404)},
    summary="The quote of a chargeable job (POST …/actions/prepare-quote and …/actions/confirm-quote)",
    operation_id=f"{IDS}get_quote",
)
def get_quote(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    return present.quote(api_work_order_get(caller=caller, number=wo_number))


@router.post(
    "/work-orders/{wo_number}/acceptance-code",
    response={201: out.AcceptanceCodeOut, **problems(403, 404, 409, 422)},
    summary="Send the customer a one-time acceptance code (the technician, after the work); earlier codes stop working",
    operation_id=f"{IDS}send_acceptance_code",
)
@idempotent
def send_acceptance_code(request: HttpRequest, wo_number: str, payload: WorkOrderNoInput, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    sent: AcceptanceCode = ACTIONS["send_code"].perform(work_order=work_order, actor=caller.user)
    return 201, out.AcceptanceCodeOut(number=work_order.number, sent_at=sent.created_at, expires_at=sent.expires_at)


# --- expense claims -----------------------------------------------------------------------------


@router.get(
    "/work-orders/{wo_number}/expenses",
    response={200: list[out.ExpenseClaimOut], **problems(403, 404)},
    summary="Travel expense claims of a work order",
    operation_id=f"{IDS}list_expenses",
)
def list_expenses(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    return [present.expense(c, work_order) for c in expense_claims_of(work_order=work_order)]


@router.post(
    "/work-orders/{wo_number}/expenses",
    response={201: out.ExpenseClaimOut, **problems(403, 404, 409, 413, 422)},
    summary="Claim a travel expense (multipart, with an optional receipt; the job's technician)",
    operation_id=f"{IDS}create_expense",
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
    claim: ExpenseClaim = ACTIONS["expense"].perform(
        work_order=work_order, actor=caller.user, kind=kind.value, amount=amount, note=note, receipt=receipt
    )
    return 201, present.expense(expense_claim_get(work_order=work_order, claim_id=claim.pk), work_order)


@router.post(
    "/work-orders/{wo_number}/expenses/{claim_id}/decide",
    response={200: out.ExpenseClaimOut, **problems(403, 404, 409, 422)},
    summary="Approve or reject a claim (a dispatcher or finance; never one's own)",
    operation_id=f"{IDS}decide_expense",
)
@idempotent
def decide_expense(
    request: HttpRequest,
    wo_number: str,
    payload: out.ExpenseDecideInput,
    claim_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    claim = expense_claim_get(work_order=work_order, claim_id=claim_id)
    ACTIONS["decide_expense"].perform(work_order=work_order, actor=caller.user, claim=claim, approve=payload.approve)
    return 200, present.expense(expense_claim_get(work_order=work_order, claim_id=claim_id), work_order)


@router.get(
    "/work-orders/{wo_number}/expenses/{claim_id}/receipt",
    response={200: None, **problems(403, 404)},
    summary="Download the receipt of an expense claim",
    operation_id=f"{IDS}download_receipt",
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
    response={200: list[out.WorkOrderFileOut], **problems(403, 404)},
    summary="Site-entry permits of a work order",
    operation_id=f"{IDS}list_permits",
)
def list_permits(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    return [
        present.work_order_file(f) for f in work_order_permits(work_order=api_work_order_get(caller=caller, number=wo_number))
    ]


@router.post(
    "/work-orders/{wo_number}/permits",
    response={201: out.WorkOrderFileOut, **problems(403, 404, 409, 413, 422)},
    summary="Attach a site-entry permit (multipart; whoever creates or dispatches work orders)",
    operation_id=f"{IDS}upload_permit",
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
    permit: WorkOrderFile = ACTIONS["permit"].perform(work_order=work_order, actor=caller.user, file=file)
    return 201, present.work_order_file(permit)


@router.get(
    "/work-orders/{wo_number}/files/{file_id}",
    response={200: None, **problems(403, 404)},
    summary="Download a photo or permit of a work order (ids in GET /work-orders/{wo_number})",
    operation_id=f"{IDS}download_file",
)
def download_file(request: HttpRequest, wo_number: str, file_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    item = work_order_file_get(work_order=api_work_order_get(caller=caller, number=wo_number), file_id=file_id)
    return _download(item.file, filename=item.original_name, content_type=item.content_type)


@router.get(
    "/work-orders/{wo_number}/signature.png",
    response={200: None, **problems(403, 404)},
    summary="The customer's drawn signature on the acceptance form (PNG)",
    operation_id=f"{IDS}download_signature",
)
def download_signature(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    acceptance = acceptance_for(work_order)
    if acceptance is None or not acceptance.signature:
        raise NotFound(_("The customer has not signed this work order."), code="signature_not_found")
    return _download(acceptance.signature, filename=f"{work_order.number}-signature.png", content_type="image/png")
