"""A signed-in customer submits a request in the portal: through the one intake, with photos,
numbered at once, once however often the form is sent, every refusal on its field."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import Role
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Address
from aftersales.portal.forms import MAX_FILES
from aftersales.portal.services import portal_submit_request
from aftersales.tickets.choices import Channel, RequestType
from aftersales.tickets.models import Attachment, Ticket
from aftersales.tickets.services import IntakeInput
from tests.factories import CustomerFactory, ProductUnitFactory, UserFactory
from tests.fieldservice.helpers import png_bytes

pytestmark = pytest.mark.django_db

NEW = "portal:request_new"


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, username="li.na", language="zh-hans")
    customer = CustomerFactory(user=user, phone="+8613912345678", name="李娜")
    Address.objects.create(
        customer=customer, province="江苏省", city="南京市", district="鼓楼区", detail="中山路1号", is_default=True
    )
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _photo(name: str = "leak.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(8, 8, varied=True), content_type="image/png")


def _post(client: Client, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "idempotency_key": overrides.pop("idempotency_key", "key-1"),
        "request_type": RequestType.REPAIR,
        "unit": "",
        "serial_number": "",
        "product_model_code": "",
        "description": "洗衣机脱水时噪音很大，机身晃动。",
        "occurred_on": (clock.local_today() - dt.timedelta(days=1)).isoformat(),
        "occurred_time": "20:30",
        "occurred_certainty": "given",
        "province": "江苏省",
        "city": "南京市",
        "district": "鼓楼区",
        "address": "中山路1号",
        "phone": "139 1234 5678",
        "contact_time": "evening",
    }
    data.update(overrides)
    return client.post(reverse(NEW), data)


def test_the_customer_submits_a_request_with_photos_and_gets_its_number_at_once(customer_user):
    unit = ProductUnitFactory(customer=customer_user.customer)
    client = _client(customer_user)
    page = client.get(reverse(NEW)).content.decode()
    assert 'value="中山路1号"' in page and 'value="南京市"' in page  # the default address, editable
    assert unit.serial_number in page  # their registered unit to choose

    response = _post(client, unit=str(unit.pk), request_type=RequestType.COMPLAINT, photos=[_photo(), _photo("noise.png")])

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:request_received", args=[ticket.number])
    assert (ticket.channel, ticket.request_type) == (Channel.WEB, RequestType.COMPLAINT)
    assert ticket.customer == customer_user.customer
    assert ticket.product_unit == unit
    assert (ticket.city, ticket.address, ticket.contact_phone) == ("南京市", "中山路1号", "+8613912345678")
    assert ticket.created_by is None  # a customer, not staff
    assert "晚上" in ticket.description  # the best time to call, for the agent who calls back
    files = list(Attachment.objects.filter(ticket=ticket).order_by("id"))
    assert [(f.original_name, f.content_type, f.public) for f in files] == [
        ("leak.png", "image/png", True),
        ("noise.png", "image/png", True),
    ]

    confirmation = client.get(response["Location"]).content.decode()
    assert f'data-test-id="ticket-number">{ticket.number}<' in confirmation
    assert 'data-test-id="portal-next-steps"' in confirmation
    assert "我们" in confirmation  # in the customer's language


def test_a_double_submit_creates_one_ticket_with_one_set_of_photos(customer_user):
    client = _client(customer_user)
    first = _post(client, idempotency_key="same-form", photos=[_photo()])
    second = _post(client, idempotency_key="same-form", photos=[_photo()])
    assert Ticket.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_same_token_with_edited_input_creates_nothing_and_offers_a_fresh_token(customer_user):
    client = _client(customer_user)
    _post(client, idempotency_key="reused")
    response = _post(client, idempotency_key="reused", description="另一个问题：冰箱不制冷。")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="portal-request-errors"' in html
    assert 'value="reused"' not in html  # the next submit registers this request
    assert Ticket.objects.count() == 1


def test_a_file_that_is_not_a_photo_is_refused_on_its_field_and_nothing_is_stored(customer_user):
    client = _client(customer_user)
    fake = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho not a photo\n", content_type="image/jpeg")
    response = _post(client, photos=[_photo(), fake])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="error-photos"' in html and "photo.jpg" in html
    assert "不支持此文件类型" in html or "文件类型" in html  # translated
    assert 'data-test-id="portal-photos-again"' in html
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_too_many_files_are_refused(customer_user):
    response = _post(_client(customer_user), photos=[_photo(f"p{i}.png") for i in range(MAX_FILES + 1)])
    assert response.status_code == 200
    assert 'data-test-id="error-photos"' in response.content.decode()
    assert Ticket.objects.count() == 0


def test_missing_and_wrong_fields_are_explained_next_to_them_in_chinese(customer_user):
    response = _post(_client(customer_user), description="  ", address="", phone="12345")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="error-description"' in html and "请告诉我们发生了什么" in html
    assert 'data-test-id="error-address"' in html
    assert Ticket.objects.count() == 0
    # The phone is checked by the intake service; its refusal lands on the field too.
    response = _post(_client(customer_user), phone="12345")
    assert 'data-test-id="error-phone"' in response.content.decode()
    assert Ticket.objects.count() == 0


def test_only_the_customers_own_units_are_offered_and_accepted(customer_user):
    mine = ProductUnitFactory(customer=customer_user.customer)
    other = CustomerFactory(phone="+8613700000009")
    theirs = ProductUnitFactory(customer=other)
    client = _client(customer_user)
    page = client.get(reverse(NEW)).content.decode()
    assert mine.serial_number in page and theirs.serial_number not in page
    response = _post(client, unit=str(theirs.pk))
    assert response.status_code == 200
    assert 'data-test-id="error-unit"' in response.content.decode()
    assert Ticket.objects.count() == 0


def test_a_product_not_registered_is_typed_by_serial_number(customer_user):
    unit = ProductUnitFactory()  # sold, never registered to anybody
    _post(_client(customer_user), serial_number=unit.serial_number.lower())
    ticket = Ticket.objects.get()
    assert ticket.product_unit == unit
    assert ticket.customer == customer_user.customer


def test_staff_and_visitors_cannot_submit_in_the_portal(client):
    assert _client(UserFactory(role=Role.AGENT)).get(reverse(NEW)).status_code == 403
    response = client.get(reverse(NEW))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(reverse(NEW), {"description": "x"}).status_code == 302
    assert Ticket.objects.count() == 0


def test_an_account_without_a_customer_record_is_sent_to_the_hotline():
    user = UserFactory(role=Role.CUSTOMER)
    response = _client(user).get(reverse(NEW))
    assert 'data-test-id="portal-request-unlinked"' in response.content.decode()


def test_the_confirmation_page_is_the_customers_own(customer_user):
    _post(_client(customer_user))
    ticket = Ticket.objects.get()
    stranger = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=stranger, phone="+8613700000008")
    assert _client(stranger).get(reverse("portal:request_received", args=[ticket.number])).status_code == 404


def test_the_request_and_its_photos_are_stored_together_or_not_at_all(customer_user):
    data = IntakeInput(channel=Channel.WEB, customer_name="李娜", phone="13912345678", description="空调不制冷")
    bad = io.BytesIO(b"")  # empty: refused by the attachment check after the intake
    bad.name = "empty.png"
    with pytest.raises(ValidationFailed):
        portal_submit_request(actor=customer_user, data=data, files=[bad], idempotency_key="atomic")  # type: ignore[list-item]
    assert Ticket.objects.count() == 0


def test_the_home_page_offers_a_new_request(customer_user):
    with translation.override("zh-hans"):
        html = _client(customer_user).get(reverse("portal:home")).content.decode()
    assert f'href="{reverse(NEW)}"' in html
