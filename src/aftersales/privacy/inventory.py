"""Where a customer's personal data lives, and how it is erased (PIPL).

Erasure is anonymisation: the tickets, work orders and surveys stay — the department's
statistics (counts per model, fault rates, response times, satisfaction) do not change — but
nothing in them identifies the person any more:

- the identifying fields are emptied (the customer's name becomes ``***``, phone, email, the
  street address, the contact fields copied onto tickets and work orders, the portal account);
- every text of their records (descriptions, timeline entries, messages, mails, survey comments,
  notes, the audit log's entries about them) has the person's identifiers — name, contact names,
  phone numbers in any spelling, email addresses, street addresses — replaced by ``***``;
- the files that show the person (photos and files they sent, signatures, signed agreements,
  purchase proofs, raw mails) are deleted.

``SCOPES`` lists the rows of every model that belong to the customer; a test erases a customer
with data in all of them and then searches every text column of every model for the person's
identifiers. A new model that stores personal data belongs here (and in that test's fixture).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from aftersales.accounts.models import PhoneCode, Role, SmsResetCode, User
from aftersales.api.models import ApiKey
from aftersales.appraisal.models import Appraisal, AppraisalFile
from aftersales.audit.models import AuditEvent
from aftersales.billing.models import Invoice
from aftersales.catalog.models import ProductUnit
from aftersales.compensation.models import Compensation, PointsCredit, Refund
from aftersales.customers.models import Address, Contact, Customer
from aftersales.feedback.models import Survey
from aftersales.fieldservice.models import CompletionAcceptance, WorkOrder, WorkOrderFile
from aftersales.mailin.models import InboundMessage
from aftersales.notifications.models import Notification, WeChatContact
from aftersales.remedies.models import Purchase
from aftersales.returns.models import ReturnAuthorization, RmaPhoto
from aftersales.revisits.models import Revisit, RevisitCall, StaffComplaint
from aftersales.tickets.models import (
    Attachment,
    CustomerAgreement,
    PlanMeasure,
    SavedView,
    SolutionPromise,
    Ticket,
    TicketEvent,
    TicketPlan,
)

ERASED = "***"


@dataclass(frozen=True)
class Identifiers:
    """What identifies the person, compiled into one pattern."""

    pattern: re.Pattern[str] | None

    def redact(self, value: Any) -> Any:
        if self.pattern is None:
            return value
        if isinstance(value, str):
            return self.pattern.sub(ERASED, value)
        if isinstance(value, list):
            return [self.redact(item) for item in value]
        if isinstance(value, dict):
            return {key: self.redact(item) for key, item in value.items()}
        return value


def _phone_pattern(phone: str) -> str | None:
    """A phone number in any usual spelling: +86 138 1234 5678, 0086-138…, 13812345678."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7:
        return None
    spaced = r"[\s\-]?".join(re.escape(d) for d in digits)
    return rf"(?:(?:\+|00)?86[\s\-]?)?{spaced}"


def identifiers_of(customer: Customer) -> Identifiers:
    texts: set[str] = set()
    phones: set[str] = set()
    texts.add(customer.name)
    if customer.email:
        texts.add(customer.email)
    if customer.phone:
        phones.add(customer.phone)
    for contact in Contact.objects.filter(customer=customer):
        texts.update(v for v in (contact.name, contact.email) if v)
        if contact.phone:
            phones.add(contact.phone)
    for address in Address.objects.filter(customer=customer):
        texts.update(v for v in (address.detail,) if v)
    for ticket in Ticket.objects.filter(customer=customer).only("contact_name", "contact_phone", "contact_email", "address"):
        texts.update(v for v in (ticket.contact_name, ticket.contact_email, ticket.address) if v)
        if ticket.contact_phone:
            phones.add(ticket.contact_phone)
    for order in WorkOrder.objects.filter(ticket__customer=customer).only("contact_name", "contact_phone", "address"):
        texts.update(v for v in (order.contact_name, order.address) if v)
        if order.contact_phone:
            phones.add(order.contact_phone)
    if customer.user_id:
        user = User.objects.get(pk=customer.user_id)
        texts.update(v for v in (user.username, user.email, user.get_full_name()) if v)
    # Longest first, so that "张伟伟" is not left as "***伟"; one character alone is not an identifier.
    parts = [re.escape(t.strip()) for t in sorted(texts, key=len, reverse=True) if len(t.strip()) >= 2]
    parts += [p for p in (_phone_pattern(phone) for phone in phones) if p]
    return Identifiers(re.compile("|".join(parts), re.IGNORECASE) if parts else None)


@dataclass(frozen=True)
class Scope:
    """The rows of ``model`` that belong to the customer, the fields to empty, the files to delete."""

    model: type[models.Model]
    rows: Callable[[Customer], QuerySet[Any]]
    clear: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    # Binary columns emptied (a raw mail).
    wipe: tuple[str, ...] = ()
    # Only the files of these rows are deleted (the others keep theirs, their texts still redacted).
    files_of: Callable[[Customer], Q] | None = None
    # Rows that mean nothing once anonymised (a binding, a reset code): erased by deleting them.
    delete: bool = False


def to_customer(customer: Customer) -> Q:
    """The notifications addressed to the customer: about their tickets and not to a member of
    staff, or to their portal account."""
    mine = Q(ticket__customer=customer) & (Q(user__isnull=True) | Q(user__role=Role.CUSTOMER))
    return mine | Q(user_id=customer.user_id) if customer.user_id else mine


def _customer_user(customer: Customer) -> Q:
    return Q(uploaded_by_id=customer.user_id) | Q(uploaded_by__isnull=True) if customer.user_id else Q(uploaded_by__isnull=True)


SCOPES: tuple[Scope, ...] = (
    Scope(
        Customer,
        lambda c: Customer.objects.filter(pk=c.pk),
        clear=("phone", "email", "notes", "external_code", "email_bounce_reason"),
    ),
    Scope(Contact, lambda c: Contact.objects.filter(customer=c)),
    Scope(Address, lambda c: Address.objects.filter(customer=c), clear=("detail", "postal_code")),
    Scope(
        Ticket,
        lambda c: Ticket.objects.filter(customer=c),
        clear=("contact_name", "contact_phone", "contact_email", "address"),
    ),
    Scope(TicketEvent, lambda c: TicketEvent.objects.filter(ticket__customer=c)),
    Scope(
        Attachment,
        lambda c: Attachment.objects.filter(ticket__customer=c),
        files=("file",),
        files_of=_customer_user,
    ),
    Scope(CustomerAgreement, lambda c: CustomerAgreement.objects.filter(plan__ticket__customer=c), files=("document",)),
    # The plans' texts (diagnosis, the customer's expectation, the assessment note; the measures'
    # descriptions) may name the person: their identifiers are redacted, the figures kept.
    Scope(TicketPlan, lambda c: TicketPlan.objects.filter(ticket__customer=c)),
    Scope(PlanMeasure, lambda c: PlanMeasure.objects.filter(plan__ticket__customer=c)),
    # An ordinary invoice's title (抬头) may be a private person's name (a company's tax id is not personal).
    Scope(Invoice, lambda c: Invoice.objects.filter(receivable__ticket__customer=c)),
    # The reason given with a promised solution date may name the person.
    Scope(SolutionPromise, lambda c: SolutionPromise.objects.filter(ticket__customer=c)),
    Scope(
        WorkOrder,
        lambda c: WorkOrder.objects.filter(ticket__customer=c),
        clear=("contact_name", "contact_phone", "address", "site_requirements"),
    ),
    Scope(WorkOrderFile, lambda c: WorkOrderFile.objects.filter(work_order__ticket__customer=c)),
    Scope(
        CompletionAcceptance,
        lambda c: CompletionAcceptance.objects.filter(work_order__ticket__customer=c),
        clear=("signer_name",),
        files=("signature",),
    ),
    Scope(Survey, lambda c: Survey.objects.filter(ticket__customer=c)),
    # Messages to the person (their address goes) and to staff about their tickets (texts redacted).
    Scope(Notification, lambda c: Notification.objects.filter(to_customer(c)), clear=("recipient",)),
    Scope(Notification, lambda c: Notification.objects.filter(ticket__customer=c).exclude(to_customer(c))),
    Scope(
        InboundMessage,
        lambda c: InboundMessage.objects.filter(Q(ticket__customer=c) | (Q(sender__iexact=c.email) if c.email else Q(pk__in=[]))),
        clear=("mail_from", "sender", "mail_to"),
        wipe=("raw",),
    ),
    Scope(ProductUnit, lambda c: ProductUnit.objects.filter(customer=c), files=("purchase_proof",)),
    # Remedies (issue 15): the price paid and invoice, appraisals and their files, returns with
    # their pickup addresses and photos, refunds (bank details) and compensation.
    Scope(Purchase, lambda c: Purchase.objects.filter(unit__customer=c)),
    Scope(Appraisal, lambda c: Appraisal.objects.filter(ticket__customer=c)),
    Scope(AppraisalFile, lambda c: AppraisalFile.objects.filter(appraisal__ticket__customer=c), files=("file",)),
    Scope(ReturnAuthorization, lambda c: ReturnAuthorization.objects.filter(customer=c)),
    Scope(RmaPhoto, lambda c: RmaPhoto.objects.filter(rma__customer=c), files=("file",)),
    Scope(Refund, lambda c: Refund.objects.filter(customer=c)),
    Scope(Compensation, lambda c: Compensation.objects.filter(customer=c)),
    Scope(PointsCredit, lambda c: PointsCredit.objects.filter(customer=c)),
    # Revisits (issue 16): what was said on the calls, complaints about staff in the customer's words.
    Scope(Revisit, lambda c: Revisit.objects.filter(customer=c)),
    Scope(RevisitCall, lambda c: RevisitCall.objects.filter(revisit__customer=c)),
    Scope(StaffComplaint, lambda c: StaffComplaint.objects.filter(customer=c)),
    # Saved views of the ticket list (staff's): a search or a name may hold the person's name or phone.
    Scope(SavedView, lambda c: SavedView.objects.all()),
    # Password reset codes sent by SMS (issue 21) and the WeChat account bound to the customer.
    Scope(
        SmsResetCode,
        lambda c: SmsResetCode.objects.filter(user_id=c.user_id) if c.user_id else SmsResetCode.objects.none(),
        delete=True,
    ),
    Scope(WeChatContact, lambda c: WeChatContact.objects.filter(customer=c), delete=True),
    # The app's sign-in tokens (api.signin): a device name and its last use, per device.
    Scope(
        ApiKey,
        lambda c: ApiKey.objects.filter(owner_id=c.user_id, kind="sign_in") if c.user_id else ApiKey.objects.none(),
        delete=True,
    ),
    # The portal's sign-up and sign-in codes (accounts.login_code): sent to the customer's phone or account.
    Scope(
        PhoneCode,
        lambda c: PhoneCode.objects.filter(
            (Q(phone=c.phone) if c.phone else Q(pk__in=[])) | (Q(user_id=c.user_id) if c.user_id else Q(pk__in=[]))
        ),
        delete=True,
    ),
)


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices and not f.primary_key
    ]


def erase_rows(customer: Customer, ids: Identifiers) -> dict[str, int]:
    """Anonymise every row of ``SCOPES``; returns the number of rows changed per model."""
    changed: dict[str, int] = {}
    for scope in SCOPES:
        if scope.delete:
            changed[scope.model._meta.label], _per_model = scope.rows(customer).delete()
            continue
        fields = _text_fields(scope.model)
        rows = list(scope.rows(customer))
        with_files = (
            set(scope.rows(customer).filter(scope.files_of(customer)).values_list("pk", flat=True)) if scope.files_of else None
        )
        dirty: list[models.Model] = []
        names: set[str] = set()
        for row in rows:
            touched = False
            for field in fields:
                value = getattr(row, field.attname)
                new = "" if field.name in scope.clear and not isinstance(field, models.JSONField) else ids.redact(value)
                if new != value:
                    setattr(row, field.attname, new)
                    names.add(field.attname)
                    touched = True
            for name in scope.wipe:
                if getattr(row, name):
                    setattr(row, name, b"")
                    names.add(name)
                    touched = True
            for name in scope.files:
                if with_files is not None and row.pk not in with_files:
                    continue
                stored = getattr(row, name)
                if stored:
                    stored.delete(save=False)
                    setattr(row, name, "")
                    names.add(name)
                    touched = True
            if touched:
                dirty.append(row)
        if dirty:
            scope.model._default_manager.bulk_update(dirty, sorted(names), batch_size=500)
        changed[scope.model._meta.label] = len(dirty)
    return changed


def erase_audit_entries(customer: Customer, ids: Identifiers, object_ids: Iterable[tuple[str, str]]) -> int:
    """The audit log keeps who did what and when; the person's identifiers in its entries go."""
    query = Q(pk__in=[])
    for object_type, object_id in object_ids:
        query |= Q(object_type=object_type, object_id=object_id)
    dirty = []
    for event in AuditEvent.objects.filter(query):
        repr_, changes = ids.redact(event.object_repr), ids.redact(event.changes)
        if (repr_, changes) != (event.object_repr, event.changes):
            event.object_repr, event.changes = repr_, changes
            dirty.append(event)
    AuditEvent.objects.bulk_update(dirty, ["object_repr", "changes"], batch_size=500)
    return len(dirty)
