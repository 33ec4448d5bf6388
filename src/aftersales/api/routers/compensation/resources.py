"""What the refund and compensation operations share, written once: presenting a refund or a
compensation, its scope (the caller's tickets), reading one by number, the ETag and ``If-Match``,
the measure a request is for, keyset pages, and the three shapes of an operation — a list, a
create and a step (read, check the version, call the service, read again, present)."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Schema

from aftersales.accounts.models import User
from aftersales.compensation import selectors, services
from aftersales.compensation.models import Compensation, CompensationKind, FulfilmentStatus, Refund, RefundMethod
from aftersales.core.errors import NotFound
from aftersales.tickets.models import PlanMeasure

from ...caller import Caller
from ...conditional import checked_version
from ...models import Scope
from ...problems import ApiProblem
from ...selectors import api_ticket_get, api_tickets_visible
from ..common import MAX_ID, problems, staff_caller
from .schemas import CompensationOut, FormulaOut, HistoryOut, RefundOut

IF_MATCH_DOC = "The ETag of the refund or compensation as read; 412 when stale, 428 when missing."
STEP_PROBLEMS = problems(403, 404, 409, 412, 428)
Item = TypeVar("Item", Refund, Compensation)


def if_match_header() -> Any:
    """The ``If-Match`` header of a step (documented in the OpenAPI document)."""
    return Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC)


# --- presenting ----------------------------------------------------------------------------------


def _name(user: Any) -> str | None:
    return str(user) if user is not None else None


def _common(item: Refund | Compensation, caller: Caller) -> dict[str, Any]:
    history = selectors.customer_history(user=caller.user, customer=item.customer, exclude=item)
    return {
        "number": item.number,
        "ticket": item.ticket.number,
        "measure_id": item.measure_id,
        "status": item.status,
        "version": item.version,
        "amount": item.amount,
        "reason": item.reason,
        "approver_role": item.approver_role,
        "approval_rules": item.approval_rules,
        "requested_by": _name(item.requested_by),
        "requested_at": item.requested_at,
        "decided_by": _name(item.decided_by),
        "decided_at": item.decided_at,
        "decision_comment": item.decision_comment,
        "fulfilled_at": item.fulfilled_at,
        "payment_reference": item.payment_reference,
        "done_at": item.done_at,
        "cancel_reason": item.cancel_reason,
        "history": HistoryOut(
            window_days=history.window_days,
            recent_count=history.recent_count,
            recent_total=history.recent_total,
            warning=history.warning,
        ),
    }


def present_refund(refund: Refund, caller: Caller) -> RefundOut:
    left = max(refund.price - refund.depreciation - refund.fees, Decimal(0))
    formula = FormulaOut(
        price=refund.price,
        purchased_on=refund.purchased_on,
        returned_on=refund.returned_on,
        days_used=refund.days_used,
        daily_rate=refund.daily_rate,
        depreciation=refund.depreciation,
        fees=refund.fees,
        amount=refund.price - refund.depreciation - refund.fees,
        text=f"{refund.price:.2f} − {refund.price:.2f} × {refund.daily_rate.normalize()} × {refund.days_used} − {refund.fees:.2f}"
        f" = {left:.2f}",
    )
    return RefundOut(
        **_common(refund, caller),
        method=RefundMethod(refund.method),
        formula=formula,
        bank_name=refund.bank_name,
        account_name=selectors.account_name_shown(caller.user, refund),
        account_number=selectors.bank_account_shown(caller.user, refund),
        rma_number=refund.rma_number,
        price_paid_for_unit=refund.purchase.price_paid,
        refunded_for_unit=services.refund_paid_so_far(refund.purchase),
    )


def present_compensation(item: Compensation, caller: Caller) -> CompensationOut:
    return CompensationOut(
        **_common(item, caller),
        kind=CompensationKind(item.kind),
        points=item.points,
        code=item.code,
        gift_part=item.gift_part.number if item.gift_part else None,
        gift_quantity=item.gift_quantity,
        warehouse=item.warehouse.code if item.warehouse else None,
    )


# --- one resource: scope, read, version ---------------------------------------------------------


@dataclass(frozen=True)
class Resource(Generic[Item]):
    """Refunds or compensations, as the operations handle them."""

    visible_to: Callable[[User], QuerySet[Item]]
    present: Callable[[Item, Caller], Schema]
    missing: Any  # the 404's message

    def rows(self, caller: Caller) -> QuerySet[Item]:
        """What the caller sees: the user's scope, and the key's region."""
        return self.visible_to(caller.user).filter(ticket__in=api_tickets_visible(caller=caller))

    def get(self, caller: Caller, number: str) -> Item:
        found = self.rows(caller).filter(number=number).first()
        if found is None:
            raise NotFound(self.missing, code="not_found")
        return found


REFUNDS: Resource[Refund] = Resource(selectors.refunds_visible_to, present_refund, _("No such refund."))
COMPENSATIONS: Resource[Compensation] = Resource(
    selectors.compensations_visible_to, present_compensation, _("No such compensation.")
)


def etag(item: Refund | Compensation) -> str:
    return f'W/"{item.number}-{item.version}"'


def _version_from_if_match(request: HttpRequest, item: Refund | Compensation) -> int:
    # The item's own ETag (weak, with its number); the messages fit a refund and a compensation alike.
    return checked_version(
        request,
        item,
        etag=etag(item),
        missing=_("Send the ETag in If-Match (read it first)."),
        stale=_("It was changed since you read it; read it again and retry."),
    )


def measure_of(caller: Caller, ticket_number: str, measure_id: int) -> PlanMeasure:
    """The measure of the agreed plan a request is for, on a ticket the caller sees."""
    ticket = api_ticket_get(caller=caller, number=ticket_number)
    measure = PlanMeasure.objects.select_related("plan").filter(pk=measure_id, plan__ticket=ticket).first()
    if measure is None:
        raise NotFound(_("No such measure on this ticket."), code="not_found")
    return measure


# --- the shapes of an operation --------------------------------------------------------------------


def list_page(
    resource: Resource[Any],
    request: HttpRequest,
    *,
    status: list[FulfilmentStatus] | None,
    ticket: str,
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """One keyset page (newest first) of what the caller sees, by status and ticket."""
    caller = staff_caller(request, Scope.COMPENSATION_READ)
    qs = resource.rows(caller)
    if status:
        qs = qs.filter(status__in=[s.value for s in status])
    if ticket:
        qs = qs.filter(ticket__number=ticket)
    if cursor:
        if not cursor.isdigit() or int(cursor) > MAX_ID:
            raise ApiProblem(422, _("The cursor is not valid."), code="cursor_invalid", field="cursor")
        qs = qs.filter(pk__lt=int(cursor))
    rows = list(qs.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return [resource.present(r, caller) for r in rows], (str(rows[-1].pk) if more and rows else None)


def read(resource: Resource[Any], request: HttpRequest, number: str, response: HttpResponse) -> Schema:
    caller = staff_caller(request, Scope.COMPENSATION_READ)
    item = resource.get(caller, number)
    response["ETag"] = etag(item)
    return resource.present(item, caller)


def create(
    resource: Resource[Any], request: HttpRequest, ticket: str, measure_id: int, call: Callable[[PlanMeasure, User], Any]
) -> tuple[int, Schema, dict[str, str]]:
    """A request for a measure of the agreed plan: 201 with its Location and ETag."""
    caller = staff_caller(request, Scope.COMPENSATION_WRITE)
    item = call(measure_of(caller, ticket, measure_id), caller.user)
    fresh = resource.get(caller, item.number)
    return 201, resource.present(fresh, caller), {"Location": f"{request.path.rstrip('/')}/{fresh.number}", "ETag": etag(fresh)}


def step(
    resource: Resource[Any], request: HttpRequest, number: str, response: HttpResponse, call: Callable[[Any, User, int], Any]
) -> Schema:
    """A change of one refund or compensation: read it in scope, check ``If-Match``, call the
    service with the version, present it as it is now with its new ETag."""
    caller = staff_caller(request, Scope.COMPENSATION_WRITE)
    item = resource.get(caller, number)
    call(item, caller.user, _version_from_if_match(request, item))
    fresh = resource.get(caller, number)
    response["ETag"] = etag(fresh)
    return resource.present(fresh, caller)
