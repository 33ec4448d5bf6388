"""A customer's WeChat account (openid): bound or unbound by the company's WeChat backend or CRM
(a staff key with ``customers:write``, for a customer it reaches) or by the customer's own app
(their key or session with ``tickets:write``, for their own record: ``GET /me`` says its id).

Handlers only find the customer and call the service (``notifications.wechat_contacts``), which
checks who may and writes the audit row.
"""

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Path, Router

from aftersales.core.errors import NotFound
from aftersales.customers.models import Customer
from aftersales.notifications.wechat_contacts import wechat_contact_bind_customer, wechat_contact_unbind_customer

from .. import app_schemas
from ..auth import caller_of
from ..caller import Caller
from ..models import Scope
from ..selectors import api_customer_get
from .common import MAX_ID, problems

router = Router(tags=["customers"])
CustomerId = Annotated[int, Path(ge=1, le=MAX_ID)]
WHO = (
    " Who: staff: customers:write, a customer you reach. A customer's own key or session: tickets:write, "
    "their own record only (the customer_id of GET /me)."
)


def _customer(request: HttpRequest, customer_id: int) -> tuple[Caller, Customer]:
    """The customer the caller may bind for: a staff caller's within its reach, a customer's own."""
    caller = caller_of(request)
    if not caller.user.is_customer:
        caller.require(Scope.CUSTOMERS_WRITE)
        return caller, api_customer_get(caller=caller, customer_id=customer_id)
    caller.require(Scope.TICKETS_WRITE)
    own = Customer.objects.filter(pk=customer_id, user_id=caller.user.pk).first()
    if own is None:
        raise NotFound(_("No customer with this id is visible to you."), code="customer_not_found")
    return caller, own


@router.put(
    "/customers/{customer_id}/wechat",
    response={200: app_schemas.WeChatContactOut, **problems(403, 404, 409)},
    summary="Bind the customer's WeChat account (openid), replacing an earlier one",
    description="Where the customer's WeChat messages go (with their consent to be contacted)." + WHO,
)
def bind_wechat(request: HttpRequest, customer_id: CustomerId, payload: app_schemas.WeChatBindIn) -> Any:
    caller, customer = _customer(request, customer_id)
    contact = wechat_contact_bind_customer(customer=customer, openid=payload.openid, actor=caller.user)
    return app_schemas.WeChatContactOut(customer_id=customer.pk, openid=contact.openid, bound_at=contact.bound_at)


@router.delete(
    "/customers/{customer_id}/wechat",
    response={204: None, **problems(403, 404, 409)},
    summary="Unbind the customer's WeChat account (204 also when none was bound)",
    description="Their WeChat messages stop; the other channels are unchanged." + WHO,
)
def unbind_wechat(request: HttpRequest, customer_id: CustomerId) -> Any:
    caller, customer = _customer(request, customer_id)
    wechat_contact_unbind_customer(customer=customer, actor=caller.user)
    return HttpResponse(status=204)
