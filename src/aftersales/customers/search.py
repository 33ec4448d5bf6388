"""Finding customers by what a caller says: part of the name, the phone number (the whole of it,
typed any way, or its last four or more digits), the email address or the code in the company's
own systems — one search box, each kind of text answered from an index where one can serve it.

* **Phone**: a number that parses (``customers.phones.normalize_phone``) is looked up exactly
  (``customer.phone`` and a contact's phone, both indexed), and its digits as the end of a number
  too. Four or more digits (``1234``, ``5678 1234``, ``138-1234-5678``) are the end of a number:
  the equality on ``PhoneTail(phone)`` (``customer_phone_tail_idx``, the last four digits) finds
  the candidates, ``LIKE '%<digits>'`` keeps those that end so. Fewer than four digits are no
  phone search (they would match a tenth of all customers).
* **Email**: text with an ``@`` is an address, compared as ``LOWER(email)`` (the expression of
  ``customer_email_lower_idx``).
* **External code**: any text is also compared with the code, exactly (its unique index).
* **Name**: other text is part of the name (``icontains``). No index serves a substring: on
  PostgreSQL it reads the table in key order until the page is full, so a common part is quick and
  a rare one reads the whole table (docs/customers.md, "Search").

The customers app sits low: this module knows customers and contacts only; who may see which
customer is decided above (``desk.selectors.customers``, ``api.selectors``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from aftersales.core.errors import ValidationFailed

from .models import PHONE_TAIL_LENGTH, Contact, Customer, PhoneTail
from .phones import normalize_phone

# What people type between the digits of a number.
_PHONE_PUNCTUATION = re.compile(r"[\s\-().+]")
# At most this many customers found through a contact's phone (a company's switchboard…).
CONTACT_MATCHES = 50


@dataclass(frozen=True)
class SearchTerms:
    """How a search text was read: ``kind`` is ``""`` (no text), ``phone``, ``email`` or
    ``text``; ``phone_end`` the digits matched at the end of a number, ``phone`` the whole number
    in E.164 when the text is one."""

    kind: str = ""
    text: str = ""
    phone: str = ""
    phone_end: str = ""


def read_search_text(raw: str) -> SearchTerms:
    text = " ".join((raw or "").split())
    if not text:
        return SearchTerms()
    if "@" in text:
        return SearchTerms(kind="email", text=text)
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.isdigit() and len(digits) >= PHONE_TAIL_LENGTH:
        whole = ""
        if len(digits) >= 7:
            try:
                whole = normalize_phone(text)
            except ValidationFailed:
                whole = ""
        return SearchTerms(kind="phone", text=text, phone=whole, phone_end=digits)
    return SearchTerms(kind="text", text=text)


def customer_search(qs: QuerySet[Customer], raw: str) -> QuerySet[Customer]:
    """``qs`` narrowed to the customers the search text ``raw`` names (see the module's doc)."""
    terms = read_search_text(raw)
    if not terms.kind:
        return qs
    # "and not blank", though the text is never blank: the condition of the partial unique index,
    # which SQLite uses only when the query states it (PostgreSQL proves it either way).
    by_code = Q(external_code=terms.text) & ~Q(external_code="")
    if terms.kind == "email":
        return qs.alias(email_key=Lower("email")).filter(Q(email_key=terms.text.lower()) | by_code)
    if terms.kind == "phone":
        condition = by_code | Q(phone_tail=terms.phone_end[-PHONE_TAIL_LENGTH:], phone__endswith=terms.phone_end)
        if terms.phone:
            # The whole number: the customer's own, or a contact's (read first: an ``IN`` of a few
            # ids keeps every arm of the ``OR`` on an index, where a subquery would not).
            contact_of = list(
                Contact.objects.filter(phone=terms.phone).values_list("customer_id", flat=True).distinct()[:CONTACT_MATCHES]
            )
            condition |= Q(phone=terms.phone)
            if contact_of:
                condition |= Q(pk__in=contact_of)
        return qs.alias(phone_tail=PhoneTail("phone")).filter(condition)
    return qs.filter(Q(name__icontains=terms.text) | by_code)
