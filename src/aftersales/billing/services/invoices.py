"""The invoice (发票) issued for a receivable: finance records its type (普通发票 or 增值税专用发票),
number, day, title (抬头) and — on a 专票 — the buyer's taxpayer ID (a company's data, not a
person's), and corrects it later; never for more than the charge."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.core.i18n import deferred

from ..audit_actions import BillingAudit
from ..models import Invoice, InvoiceKind, Receivable
from ..permissions import check_finance
from .common import lock_receivable, money, record, save, text

# 8 digits (paper invoices) to 20 (全电发票); a taxpayer ID of 15 to 20 letters and digits (the
# 18 of a 统一社会信用代码 today).
NUMBER = re.compile(r"^[0-9]{8,20}$")
TAX_ID = re.compile(r"^[0-9A-Z]{15,20}$")


@transaction.atomic
def invoice_record(
    *,
    receivable: Receivable,
    actor: User,
    kind: str | None,
    number: str | None,
    issued_on: dt.date | None,
    title: str | None,
    tax_id: str | None = "",
    amount: object = None,
    expected_version: int | None = None,
) -> Invoice:
    """Record the receivable's invoice, or correct the one recorded (every field again)."""
    check_finance(actor)
    errors: dict[str, list[object]] = {}
    if kind not in InvoiceKind.values:
        errors["kind"] = [_("Choose the invoice type.")]
    clean_number = (number or "").strip()
    if not NUMBER.match(clean_number):
        errors["number"] = [_("Enter the invoice number: 8 to 20 digits.")]
    if issued_on is None:
        errors["issued_on"] = [_("Enter the day it was issued.")]
    elif issued_on > clock.local_today():
        errors["issued_on"] = [_("The day it was issued cannot be in the future.")]
    clean_title = text(title, field="title", limit=200)
    if not clean_title:
        errors["title"] = [_("Enter the invoice title.")]
    clean_tax_id = (tax_id or "").strip().upper()
    if kind == InvoiceKind.SPECIAL and not clean_tax_id:
        errors["tax_id"] = [_("A special VAT invoice needs the buyer's taxpayer ID.")]
    elif clean_tax_id and not TAX_ID.match(clean_tax_id):
        errors["tax_id"] = [_("A taxpayer ID is 15 to 20 letters and digits.")]
    if errors:
        raise ValidationFailed(errors, code="invoice_invalid")
    locked = lock_receivable(receivable, expected_version=expected_version)
    value = locked.amount if amount in (None, "") else money(amount)
    if value > locked.amount:
        raise ValidationFailed(
            {"amount": [_("An invoice is for at most the charge, %(amount)s CNY.") % {"amount": locked.amount}]},
            code="invoice_above_charge",
        )
    now = clock.now()
    current = Invoice.objects.select_for_update().filter(receivable=locked).first()
    values = {
        "kind": str(kind),
        "number": clean_number,
        "issued_on": issued_on,
        "title": clean_title,
        "tax_id": clean_tax_id,
        "amount": value,
    }
    before = {name: str(getattr(current, name)) for name in values} if current is not None else {}
    after = {name: str(new) for name, new in values.items()}
    if current is not None and before == after:
        return current  # the same invoice sent again: nothing changes
    invoice = current or Invoice(receivable=locked, recorded_by=actor, recorded_at=now)
    for name, new in values.items():
        setattr(invoice, name, new)
    invoice.updated_at = now
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        raise ValidationFailed(
            {"number": [_("An invoice of this type with this number is recorded already.")]}, code="invoice_number_taken"
        ) from None
    save(locked)
    record(
        locked,
        action=BillingAudit.INVOICE_CORRECTED if current is not None else BillingAudit.INVOICE_RECORDED,
        actor=actor,
        body=deferred(
            _("%(kind)s no. %(number)s issued on %(day)s for %(amount)s CNY."),
            kind=InvoiceKind(str(kind)).label,
            number=clean_number,
            day=str(issued_on),
            amount=str(value),
        ),
        changes={name: [before[name], after[name]] for name in after if before.get(name) != after[name]}
        if current is not None
        else after,
    )
    return invoice
