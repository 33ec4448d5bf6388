"""Issue 14: phones are shown as people read them (159 8306 7670, masked 159 **** 7670), typed any
way people type them, and kept in E.164 in the data and the API."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.customers.models import Contact, Customer
from aftersales.customers.phones import PhoneFormField, display_phone
from aftersales.fieldservice import services as fieldservice
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import agent as fs_agent
from tests.fieldservice.helpers import dispatcher, in_progress_ticket, technician, walk_to


@pytest.mark.parametrize(
    ("stored", "shown", "masked"),
    [
        ("+8615983067670", "159 8306 7670", "159 **** 7670"),
        ("+861062345678", "010 6234 5678", "010 **** 5678"),
        ("+862088881234", "020 8888 1234", "020 **** 1234"),
        ("+12025550143", "+1 202-555-0143", "+1 202-***-0143"),
        ("159****7670", "159 **** 7670", "159 **** 7670"),  # masked upstream (core.masking)
        ("", "", ""),
    ],
)
def test_display_in_the_national_format_with_spaces(stored, shown, masked):
    assert display_phone(stored) == shown
    assert display_phone(stored, masked=True) == masked


def test_the_template_filters():
    html = Template("{% load phones %}{{ p|phone }}|{{ p|phone_masked }}").render(Context({"p": "+8615983067670"}))
    assert html == "159 8306 7670|159 **** 7670"


@pytest.mark.parametrize("typed", ["15983067670", "159 8306 7670", "159-8306-7670", "+86 159 8306 7670", "008615983067670"])
def test_the_form_field_accepts_what_people_type_and_keeps_e164(typed):
    field = PhoneFormField()
    assert field.clean(typed) == "+8615983067670"
    assert field.prepare_value("+8615983067670") == "159 8306 7670"


def test_the_form_field_refuses_what_is_not_a_number():
    from django import forms

    with pytest.raises(forms.ValidationError):
        PhoneFormField().clean("1598306")


@pytest.mark.django_db
def test_the_customer_admin_takes_a_national_number_and_shows_it_back_with_spaces():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    customer = CustomerFactory(name="赵敏", phone="+8613912345678")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    page = client.get(url).content.decode()
    assert 'value="139 1234 5678"' in page and "+8613912345678" not in page.split('name="phone"', 1)[1][:200]
    form = {
        "name": "赵敏",
        "kind": customer.kind,
        "phone": "159 8306 7670",
        "email": customer.email or "",
        "tier": customer.tier,
        "language": customer.language or "",
        "consent_contact": "on",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-name": "赵先生",
        "contacts-0-phone": "13700001111",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Customer.objects.get(pk=customer.pk).phone == "+8615983067670"
    assert Contact.objects.get(customer=customer).phone == "+8613700001111"
    found = client.get(reverse("admin:customers_customer_changelist"), {"q": "159 8306 7670"}).content.decode()
    assert "赵敏" in found


@pytest.mark.django_db
def test_the_ticket_pages_show_national_numbers_and_masked_ones_with_spaces():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    ticket = make_ticket(actor=agent, phone="15983067670")
    assert ticket.customer.phone == "+8615983067670"  # the data keeps E.164
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "159 8306 7670" in page and "+8615983067670" not in page
    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    client.force_login(warehouse)
    listed = client.get(reverse("tickets:list")).content.decode()
    assert "159 **** 7670" in listed and "8306" not in listed


@pytest.mark.django_db
def test_the_work_order_takes_a_national_number_and_shows_it_with_spaces():
    handler, boss, tech = fs_agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler)
    job = fieldservice.work_order_create(measure=measure, actor=handler, contact_phone="159 8306 7670")
    assert job.contact_phone == "+8615983067670"
    job = walk_to(job, "dispatched", boss=boss, tech=tech)
    client = Client()
    client.force_login(tech)
    page = client.get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    contact = page.split('data-test-id="wo-contact"', 1)[1].split("</dd>", 1)[0]
    assert "159 8306 7670" in contact and 'href="tel:+8615983067670"' in contact
    with pytest.raises(Exception) as refused:
        fieldservice.work_order_create(measure=measure, actor=handler, contact_phone="159 8306")
    assert getattr(refused.value, "field", None) == "contact_phone"
