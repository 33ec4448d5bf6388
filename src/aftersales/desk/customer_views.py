"""The staff's customer pages (docs/customers.md): the list with its search, registering a
customer, the customer's page with the service history, editing the customer and their
addresses, inviting the customer to the portal. Thin: reads through ``desk.selectors.customers``
(scoped to the viewer, masked for their role), writes through ``customers.editing`` and
``customers.portal_accounts`` (permissions, versions, audit). Customers (portal users) get 403; a
customer outside the viewer's scope is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.audit.services import audit_record_view
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, posted_version, private_no_store, render_htmx, request_user
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.customers.editing import customer_register, customer_remove_address, customer_update, customer_update_address
from aftersales.customers.models import Address, Customer
from aftersales.customers.permissions import can_edit_customers, can_set_tier
from aftersales.customers.phone_reuse import REVIEW_ACTION, phone_reuse_flag_review
from aftersales.customers.phones import display_phone
from aftersales.customers.portal_accounts import can_invite_to_portal, portal_invite, portal_invite_blocker
from aftersales.customers.services import MARK_WORKING_ACTION, customer_add_address, customer_email_mark_working

from .customer_forms import AddressForm, CustomerForm, CustomerSearchForm, NewCustomerForm, language_label
from .selectors.customers import (
    customer_file,
    customer_for_editing,
    customer_get_for_user,
    customer_list_for_user,
    customers_visible_to,
)


def _after(request: HttpRequest) -> int | None:
    raw = request.GET.get("after", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _editor(request: HttpRequest) -> User:
    user = request_user(request)
    if not can_edit_customers(user):
        raise PermissionDenied(_("Your role cannot change customers."))
    return user


def _record_view(user: User, customer: Customer, page: str, fields: list[str]) -> None:
    """SPEC §4: a page that shows a customer's personal data unmasked is in the audit log (one
    row per page view), as the ticket page's customer card."""
    if user.sees_personal_data and customer.erased_at is None:
        audit_record_view(
            action=CustomerAudit.PERSONAL_DATA_VIEWED, obj=customer, actor=user, changes={"page": page, "fields": fields}
        )


@staff_required
@require_safe
def customer_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = CustomerSearchForm(request.GET or None)
    query = tier = ""
    if form.is_bound and form.is_valid():
        query, tier = form.cleaned_data["q"], form.cleaned_data["tier"]
    after = _after(request)
    page = customer_list_for_user(user=user, query=query, tier=tier, after=after)
    base = reverse("desk:customers")
    params = request.GET.copy()
    params.pop("after", None)
    first_url = f"{base}?{params.urlencode()}" if after is not None else ""
    next_url = ""
    if page.next_after is not None:
        params["after"] = str(page.next_after)
        next_url = f"{base}?{params.urlencode()}"
    context: dict[str, Any] = {
        "form": form if form.is_bound else CustomerSearchForm(),
        "page": page,
        "next_url": next_url,
        "first_url": first_url,
        "searched": bool(query or tier),
        "may_register": can_edit_customers(user),
    }
    template = "desk/customers/_results.html" if is_fragment_request(request) else "desk/customers/list.html"
    return private_no_store(render_htmx(request, template, context))


@staff_required
@domain_errors
@require_http_methods(["GET", "POST"])
def customer_new(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    may_set_tier = can_set_tier(user)
    form = NewCustomerForm(request.POST or None, may_set_tier=may_set_tier)
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            customer = customer_register(actor=user, **form.service_arguments())
        if not refused:
            messages.success(request, _("Customer %(name)s registered.") % {"name": customer.name})
            if customers_visible_to(user).filter(pk=customer.pk).exists():
                return redirect("desk:customer", customer_id=customer.pk)
            return redirect("desk:customers")
        status = refused.status
    return private_no_store(
        render_htmx(request, "desk/customers/new.html", {"form": form, "may_set_tier": may_set_tier}, status=status)
    )


@staff_required
@domain_errors
@require_http_methods(["GET", "HEAD", "POST"])
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer's page; its one form that posts to the page itself: "Invite to the portal"."""
    if request.method == "POST":
        if request.POST.get("action") == REVIEW_ACTION:
            return _phone_reuse_reviewed(request, customer_id)
        if request.POST.get("action") == MARK_WORKING_ACTION:
            return _email_marked_working(request, customer_id)
        return _portal_invite(request, customer_id)
    user = request_user(request)
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    page = customer_file(user=user, customer=customer)
    _record_view(user, customer, "customer", ["phone", "email", "addresses", "contacts", "notes"])
    may_invite = can_invite_to_portal(user) and customer.user_id is None and customer.erased_at is None
    context = {
        "file": page,
        "customer": customer,
        "language": language_label(customer.language),
        "address_form": AddressForm(initial={"expected_version": customer.version, "is_default": True}),
        "portal_invite": {"may": may_invite, "blocker": portal_invite_blocker(customer) if may_invite else None},
    }
    return private_no_store(render_htmx(request, "desk/customers/detail.html", context))


def _phone_reuse_reviewed(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A member of staff has looked at the "number now used by another person" flag."""
    user = request_user(request)
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    flag = request.POST.get("flag", "")
    with refusals(request=request, propagate=(PermissionDenied, NotFound)) as refused:
        phone_reuse_flag_review(customer=customer, flag_id=int(flag) if flag.isdigit() else 0, actor=user)
    if not refused:
        messages.success(request, _("Marked as reviewed."))
    return redirect("desk:customer", customer_id=customer.pk)


def _email_marked_working(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer confirmed their bouncing e-mail address: e-mails go to it again."""
    user = request_user(request)
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    with refusals(request=request, propagate=(PermissionDenied, NotFound)) as refused:
        customer_email_mark_working(customer=customer, actor=user, expected_version=posted_version(request))
    if not refused:
        messages.success(request, _("The e-mail address is marked as working: e-mails go to it again."))
    return redirect("desk:customer", customer_id=customer.pk)


PORTAL_INVITE = "portal_invite"


def _portal_invite(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Send the customer an invitation to the portal (SMS, and e-mail when they have one):
    agents, supervisors and administrators; refused with its reason on the page otherwise."""
    if request.POST.get("action") != PORTAL_INVITE:
        return HttpResponseBadRequest()
    user = request_user(request)
    if not can_invite_to_portal(user):
        raise PermissionDenied(_("Your role cannot invite customers to the portal."))
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    with refusals(request=request, propagate=(PermissionDenied, NotFound)) as refused:
        portal_invite(customer=customer, actor=user)
    if not refused:
        phone = display_phone(customer.phone, masked=not user.sees_personal_data)
        messages.success(request, _("The invitation to the portal was sent to %(phone)s.") % {"phone": phone})
    return redirect("desk:customer", customer_id=customer.pk)


@staff_required
@domain_errors
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = _editor(request)
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    if customer.erased_at is not None:
        messages.error(request, _("This customer's personal data was erased: there is nothing left to change."))
        return redirect("desk:customer", customer_id=customer.pk)
    may_set_tier = can_set_tier(user)
    status = 200
    if request.method == "POST":
        form = CustomerForm(request.POST, may_set_tier=may_set_tier)
        if form.is_valid():
            with refusals(form=form) as refused:
                customer_update(
                    customer=customer, actor=user, expected_version=posted_version(request), **form.service_arguments()
                )
            if not refused:
                messages.success(request, _("The customer's details were saved."))
                return redirect("desk:customer", customer_id=customer.pk)
            status = refused.status
    else:
        form = CustomerForm(initial=CustomerForm.initial_of(customer), may_set_tier=may_set_tier)
        _record_view(user, customer, "customer_edit", ["phone", "email", "notes"])
    context = {"form": form, "customer": customer, "may_set_tier": may_set_tier}
    return private_no_store(render_htmx(request, "desk/customers/edit.html", context, status=status))


def _address(user: User, customer_id: int, address_id: int) -> tuple[Customer, Address]:
    customer = customer_for_editing(user=user, customer_id=customer_id)
    address = next((a for a in customer.addresses.all() if a.pk == address_id), None)
    if address is None:
        raise NotFound("address not found")
    return customer, address


@staff_required
@domain_errors
@require_POST
def address_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = _editor(request)
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    form = AddressForm(request.POST)
    if form.is_valid():
        with refusals(form=form) as refused:
            customer_add_address(
                customer=customer,
                actor=user,
                is_default=form.cleaned_data["is_default"],
                expected_version=posted_version(request),
                **form.address_arguments(),
            )
        if not refused:
            messages.success(request, _("The address was added."))
            return redirect("desk:customer", customer_id=customer.pk)
    context = {"form": form, "customer": customer, "address": None}
    return private_no_store(render_htmx(request, "desk/customers/address.html", context))


@staff_required
@domain_errors
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, customer_id: int, address_id: int) -> HttpResponse:
    user = _editor(request)
    customer, address = _address(user, customer_id, address_id)
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            with refusals(form=form) as refused:
                customer_update_address(
                    address=address,
                    actor=user,
                    is_default=form.cleaned_data["is_default"],
                    expected_version=posted_version(request),
                    **form.address_arguments(),
                )
            if not refused:
                messages.success(request, _("The address was saved."))
                return redirect("desk:customer", customer_id=customer.pk)
    else:
        form = AddressForm(
            initial={
                "expected_version": customer.version,
                "province": address.province,
                "city": address.city,
                "district": address.district,
                "detail": address.detail,
                "postal_code": address.postal_code,
                "is_default": address.is_default,
            }
        )
        _record_view(user, customer, "customer_address", ["address"])
    context = {"form": form, "customer": customer, "address": address}
    return private_no_store(render_htmx(request, "desk/customers/address.html", context))


@staff_required
@domain_errors
@require_POST
def address_remove(request: HttpRequest, customer_id: int, address_id: int) -> HttpResponse:
    user = _editor(request)
    customer, address = _address(user, customer_id, address_id)
    with refusals(request=request, propagate=(PermissionDenied, NotFound)) as refused:
        customer_remove_address(address=address, actor=user, expected_version=posted_version(request))
    if not refused:
        messages.success(request, _("The address was removed."))
    return redirect("desk:customer", customer_id=customer.pk)
