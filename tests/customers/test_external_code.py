"""The customer's external code: unique where set (blank for many), set through the service or
the admin, another customer's code refused naming the field."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from aftersales.customers.services import customer_create, customer_set_external_code
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_codes_are_unique_where_set_and_blank_is_allowed_for_many():
    CustomerFactory(external_code="")
    CustomerFactory(external_code="")
    CustomerFactory(external_code="K1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(external_code="K1")


def test_the_service_sets_and_audits_the_code_and_refuses_another_customers_code_naming_the_field():
    actor = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    first = CustomerFactory(external_code="ERP-1")
    second = CustomerFactory()
    with pytest.raises(ValidationFailed) as caught:
        customer_set_external_code(customer=second, code=" ERP-1 ", actor=actor)
    assert set(caught.value.errors) == {"external_code"}
    assert caught.value.code == "external_code_taken"
    customer_set_external_code(customer=second, code=" ERP-2 ", actor=actor)
    second.refresh_from_db()
    assert second.external_code == "ERP-2"
    event = AuditEvent.objects.get(action="customer.external_code_changed")
    assert event.changes == {"external_code": ["", "ERP-2"]}
    with pytest.raises(ValidationFailed) as caught:
        customer_create(name="丙", phone="13800001111", external_code="ERP-1")
    assert "external_code" in caught.value.errors
    customer_set_external_code(customer=first, code="", actor=actor)  # cleared: free again
    assert customer_create(name="丙", phone="13800001111", external_code="ERP-1").external_code == "ERP-1"


def test_the_admin_shows_and_edits_the_code_and_names_the_field_on_a_duplicate(client):
    admin_user = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    CustomerFactory(name="甲", external_code="DUP-1")
    target = CustomerFactory(name="乙", phone="+8613900001111", email="yi@example.com")
    listing = client.get("/admin/customers/customer/", {"q": "DUP-1"})
    assert listing.status_code == 200 and "DUP-1" in listing.content.decode()
    url = f"/admin/customers/customer/{target.pk}/change/"
    page = client.get(url)
    assert 'name="external_code"' in page.content.decode()
    form = {
        "kind": "person",
        "name": "乙",
        "external_code": "DUP-1",
        "phone": "13900001111",
        "email": "yi@example.com",
        "tier": "normal",
        "language": "zh-hans",
        "consent_contact": "on",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["external_code"]
    target.refresh_from_db()
    assert target.external_code == ""
    saved = client.post(url, {**form, "external_code": "NEW-9"})
    assert saved.status_code == 302
    target.refresh_from_db()
    assert target.external_code == "NEW-9"
    assert AuditEvent.objects.filter(action="customer.external_code_changed", actor=admin_user).exists()
