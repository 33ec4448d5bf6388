"""Intake records the request's address on the ticket (``Ticket.province``/``city``/``address``),
never on a known customer's record: the customer's version, addresses and ``updated_at`` stay,
and no ``customer.updated`` webhook goes out (docs/webhooks.md: only a change of the customer's
own contact data sends it)."""

from __future__ import annotations

import pytest

from aftersales.customers.models import Address, Customer
from aftersales.webhooks.models import Event, Subscription
from tests.factories import CustomerFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_intake_with_an_address_for_a_known_customer_changes_nothing_of_theirs():
    Subscription.objects.create(
        name="CRM", target_url="https://crm.example.com/hook", secret="whsec_" + "s" * 32, event_types=["customer.updated"]
    )
    customer = CustomerFactory(phone="+8613812345678")
    Address.objects.create(customer=customer, province="上海市", city="上海市", detail="漕溪北路88号", is_default=True)
    before = Customer.objects.get(pk=customer.pk)

    ticket = make_ticket(phone="13812345678", province="江苏省", city="苏州市", district="姑苏区", address="人民路100号")

    assert ticket.customer_id == customer.pk
    assert (ticket.province, ticket.city, ticket.address) == ("江苏省", "苏州市", "人民路100号")
    after = Customer.objects.get(pk=customer.pk)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert list(Address.objects.filter(customer=customer).values_list("detail", flat=True)) == ["漕溪北路88号"]
    assert not Event.objects.filter(event_type="customer.updated").exists()
