"""A customer's WeChat account (its openid) bound or unbound by the WeChat backend (the
mini-program's server, through the API) or by staff: where the customer's WeChat messages go
(``providers.wechat``; sent only with the customer's consent to be contacted).

Who may: staff who change customers (``customers.permissions.can_edit_customers``) for a
customer they reach, and the customer themselves (their portal account: its API key or session).
An openid already bound to somebody else is moved by staff only; the customer is refused
(``openid_taken``), so that nobody takes over another person's WeChat messages. Each change is
one audit row on the customer (the openid masked), in the change's transaction.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.customers.permissions import can_edit_customers

from .audit_actions import WeChatContactAudit
from .models import WeChatContact
from .services import wechat_contact_bind

# WeChat's openids are 28 characters of letters, digits, "-" and "_"; other apps' are alike.
OPENID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_OPENID = re.compile(OPENID_PATTERN)


def masked_openid(openid: str) -> str:
    """What the audit log keeps of an openid: enough to tell two apart, not to message one."""
    return f"{openid[:4]}…{openid[-4:]}" if len(openid) > 8 else "…"


def _require_binder(*, actor: User, customer: Customer) -> None:
    if actor.is_customer:
        if customer.user_id != actor.pk or not actor.is_active:
            raise PermissionDenied(_("You may bind only your own WeChat account."), code="wechat_not_yours")
    elif not can_edit_customers(actor):
        raise PermissionDenied(_("Your role cannot change customers."), code="customer_edit_forbidden")
    if customer.erased_at is not None:
        raise DomainError(_("This customer's personal data was erased: there is nothing left to change."), code="customer_erased")


def _clean_openid(openid: str) -> str:
    value = (openid or "").strip()
    if not _OPENID.match(value):
        raise ValidationFailed(
            {"openid": [_("Give the WeChat account's openid (letters, digits, - and _; at most 64 characters).")]},
            code="openid_invalid",
        )
    return value


@transaction.atomic
def wechat_contact_bind_customer(*, customer: Customer, openid: str, actor: User) -> WeChatContact:
    """Bind ``openid`` to ``customer`` (replacing the customer's earlier one). Binding the one
    already bound changes nothing and records nothing."""
    _require_binder(actor=actor, customer=customer)
    value = _clean_openid(openid)
    current = WeChatContact.objects.select_for_update().filter(customer=customer).first()
    if current is not None and current.openid == value:
        return current
    holder = WeChatContact.objects.select_for_update().filter(openid=value).first()
    if holder is not None and actor.is_customer:
        raise Conflict(
            _("This WeChat account is bound to somebody else; ask our service staff to move it."),
            code="openid_taken",
        )
    if holder is not None and holder.customer_id is not None:
        previous_owner = Customer.objects.get(pk=holder.customer_id)
        audit_record(
            action=WeChatContactAudit.UNBOUND,
            obj=previous_owner,
            actor=actor,
            changes={"openid": [masked_openid(value), ""], "moved_to_customer": customer.pk},
        )
    contact = wechat_contact_bind(openid=value, customer=customer)  # moves it from its holder
    changes: dict[str, object] = {"openid": [masked_openid(current.openid) if current else "", masked_openid(value)]}
    if holder is not None:
        changes["moved_from"] = f"customer:{holder.customer_id}" if holder.customer_id else f"user:{holder.user_id}"
    audit_record(action=WeChatContactAudit.BOUND, obj=customer, actor=actor, changes=changes)
    return contact


@transaction.atomic
def wechat_contact_unbind_customer(*, customer: Customer, actor: User) -> bool:
    """Unbind the customer's WeChat account; ``False`` (and nothing recorded) when none was bound."""
    _require_binder(actor=actor, customer=customer)
    current = WeChatContact.objects.select_for_update().filter(customer=customer).first()
    if current is None:
        return False
    current.delete()
    audit_record(
        action=WeChatContactAudit.UNBOUND,
        obj=customer,
        actor=actor,
        changes={"openid": [masked_openid(current.openid), ""]},
    )
    return True
