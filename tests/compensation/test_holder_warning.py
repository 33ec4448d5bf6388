"""A bank refund to an account held by someone other than the customer or the ticket's contact
is flagged to finance before paying (the audit found one paid to 王芳 for 赵敏)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.compensation import selectors, services
from tests.clients import client_for_language

from .helpers import agent, finance, ticket_with

pytestmark = pytest.mark.django_db

BANK = {
    "method": "bank_transfer",
    "bank_name": "招商银行",
    "account_number": "6225880012345678",
    "price_paid": "1000",
    "fees": "0",
}


def _refund(holder: str):  # type: ignore[no-untyped-def]
    handler = agent()
    _ticket, measure = ticket_with(actor=handler)
    return services.refund_request(measure=measure, actor=handler, account_name=holder, **BANK)


def test_an_account_of_someone_else_is_flagged_on_the_finance_page() -> None:
    refund = _refund("王芳")
    assert selectors.account_holder_differs(refund)
    page = client_for_language(finance(), "en").get(reverse("compensation:refund", args=[refund.number])).content.decode()
    assert 'data-test-id="cp-holder-warning"' in page and 'data-test-id="cp-holder-differs"' in page
    assert "The account holder is neither the customer nor the ticket" in page


@pytest.mark.parametrize("how", ["same", "spaced", "full-width", "contact"])
def test_the_customer_or_the_contact_written_another_way_is_not_flagged(how: str) -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler)
    name = ticket.customer.name
    holder = {
        "same": name,
        "spaced": " ".join(name),
        "full-width": name.upper().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}),
        "contact": "李四",
    }[how]
    if how == "contact":
        ticket.contact_name = "李四"
        ticket.save(update_fields=["contact_name"])
    refund = services.refund_request(measure=measure, actor=handler, account_name=holder, **BANK)
    assert not selectors.account_holder_differs(refund)
    page = client_for_language(finance(), "en").get(reverse("compensation:refund", args=[refund.number])).content.decode()
    assert "cp-holder-warning" not in page


def test_a_refund_without_a_bank_account_is_never_flagged() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler)
    refund = services.refund_request(measure=measure, actor=handler, method="original", price_paid="1000", fees="0")
    assert not selectors.account_holder_differs(refund)
