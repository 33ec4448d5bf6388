"""Finding the customer behind an incoming request."""

from __future__ import annotations

import pytest

from aftersales.customers.models import Address, Contact, Customer, CustomerKind
from aftersales.customers.search import customer_search
from aftersales.customers.selectors import (
    customer_find_by_email,
    customer_find_by_phone,
    customer_with_addresses,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_find_by_phone_prefers_the_customers_own_number_then_a_contacts():
    company = CustomerFactory(kind=CustomerKind.COMPANY, phone="+862088881234")
    Contact.objects.create(customer=company, name="采购部 陈经理", phone="+8613700001111")
    person = CustomerFactory(phone="+8613700001111")

    assert customer_find_by_phone(phone_e164="+862088881234") == company
    assert customer_find_by_phone(phone_e164="+8613700001111") == person
    person.delete()
    assert customer_find_by_phone(phone_e164="+8613700001111") == company
    assert customer_find_by_phone(phone_e164="+8613999999999") is None


def test_find_by_phone_returns_the_oldest_when_two_share_a_number():
    first = CustomerFactory(phone="+8613811112222")
    CustomerFactory(phone="+8613811112222")
    assert customer_find_by_phone(phone_e164="+8613811112222") == first


def test_find_by_email_ignores_case_and_blank_input():
    customer = CustomerFactory(email="Zhang.Wei@example.com")
    assert customer_find_by_email(email=" zhang.wei@EXAMPLE.com ") == customer
    assert customer_find_by_email(email="") is None
    assert customer_find_by_email(email="other@example.com") is None


def test_find_by_email_returns_the_oldest_of_two_in_different_cases():
    first = CustomerFactory(email="li.na@example.com")
    CustomerFactory(email="LI.NA@example.com")
    assert customer_find_by_email(email="Li.Na@Example.com") == first


@pytest.mark.postgres
def test_find_by_email_is_answered_from_the_lower_email_index():
    """Intake matches every request's address: the statement must use ``customer_email_lower_idx``
    (``email__iexact`` compiled to UPPER(email), which no index serves: a scan of every customer)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(30):
        CustomerFactory(email=f"customer{i}@example.com")
    with CaptureQueriesContext(connection) as ctx:
        customer_find_by_email(email="Customer7@Example.com")
    [statement] = [q["sql"] for q in ctx.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "customer_email_lower_idx" in plan, plan


def test_addresses_come_default_first(django_assert_num_queries):
    customer = CustomerFactory()
    Address.objects.create(customer=customer, province="江苏省", city="南京市", detail="1号", is_default=False)
    default = Address.objects.create(customer=customer, province="江苏省", city="苏州市", detail="2号", is_default=True)
    with django_assert_num_queries(2):
        loaded = customer_with_addresses(customer_id=customer.pk)
        assert loaded is not None
        assert [a.pk for a in loaded.addresses.all()][:1] == [default.pk]
    assert customer_with_addresses(customer_id=customer.pk + 1000) is None


def test_search_by_part_of_the_name():
    zhang = CustomerFactory(name="张伟")
    CustomerFactory(name="李娜")
    assert list(customer_search(Customer.objects.order_by("id"), "张")) == [zhang]
    assert customer_search(Customer.objects.all(), "").count() == 2
