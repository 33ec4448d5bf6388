"""Reads of personal data requests: who may see and handle them."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersales.accounts.models import Role, User
from aftersales.customers.models import Customer

from .models import PrivacyRequest, RequestKind, RequestStatus

# PIPL requests are answered by the department's administrators and supervisors.
HANDLER_ROLES = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR})


def privacy_can_handle(*, user: User) -> bool:
    return bool(user.is_authenticated and user.role in HANDLER_ROLES)


def privacy_requests_for_handler(*, user: User, status: str = "") -> QuerySet[PrivacyRequest]:
    if not privacy_can_handle(user=user):
        return PrivacyRequest.objects.none()
    requests = PrivacyRequest.objects.select_related("customer", "requested_by", "handled_by")
    return requests.filter(status=status) if status else requests


def privacy_requests_of_customer(*, customer: Customer) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(customer=customer)


def privacy_request_for_user(*, user: User, pk: int, customer: Customer | None = None) -> PrivacyRequest | None:
    """The request if ``user`` may see it: a handler, or the customer it belongs to."""
    request = PrivacyRequest.objects.select_related("customer").filter(pk=pk).first()
    if request is None:
        return None
    if privacy_can_handle(user=user):
        return request
    if customer is not None and request.customer_id == customer.pk:
        return request
    return None


def privacy_request_of_customer(*, customer: Customer, pk: int) -> PrivacyRequest | None:
    """One of the customer's own requests (another customer's is None, as one that does not exist)."""
    return PrivacyRequest.objects.filter(customer=customer, pk=pk).first()


def privacy_open_erasure_exists(*, customer: Customer) -> bool:
    """Whether an erasure of the customer waits for an answer (asking again answers with it)."""
    return PrivacyRequest.objects.filter(customer=customer, kind=RequestKind.ERASURE, status=RequestStatus.RECEIVED).exists()
