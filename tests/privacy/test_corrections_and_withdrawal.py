"""Correction requests (PIPL art. 46) and requests withdrawn by the customer, on the portal's
"My personal data" page and the handlers' pages; an erasure takes the corrections asked for too."""

from __future__ import annotations

import pytest
from django.test import Client

from aftersales.accounts.models import Role, User
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import NotFound
from aftersales.customers.models import Customer
from aftersales.privacy.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from aftersales.privacy.services import privacy_erase, privacy_request_cancel, privacy_request_create
from tests.api.conftest import customer_user
from tests.factories import CustomerFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def _portal(username: str = "portal.zhao", phone: str = "13955550001") -> tuple[Client, User, Customer]:
    ticket = make_ticket(phone=phone, customer_name="赵敏")
    user = customer_user(ticket, username)
    client = Client()
    client.force_login(user)
    return client, user, Customer.objects.get(pk=ticket.customer_id)


def _staff(role: str = Role.SUPERVISOR) -> tuple[Client, User]:
    user = UserFactory(role=role)
    client = Client()
    client.force_login(user)
    return client, user


def test_the_customer_asks_for_a_correction_on_the_portal():
    client, _user, customer = _portal()
    page = client.get("/privacy/mine/").content.decode()
    assert 'data-test-id="privacy-my-correction"' in page and "更正我的信息" in page

    response = client.post(
        "/privacy/mine/correction/", {"correct_name": "赵敏敏", "correct_email": "zhao@example.com", "note": "改名了"}
    )

    assert response.status_code == 302
    item = PrivacyRequest.objects.get(customer=customer)
    assert item.kind == RequestKind.CORRECTION and item.channel == RequestChannel.PORTAL
    assert item.corrections == {"name": "赵敏敏", "email": "zhao@example.com"} and item.note == "改名了"
    assert 'data-test-id="privacy-my-cancel"' in client.get("/privacy/mine/").content.decode()


def test_a_correction_naming_nothing_is_refused_with_a_message():
    client, _user, customer = _portal()
    response = client.post("/privacy/mine/correction/", {"correct_phone": "  "}, follow=True)
    assert "至少填写一项更正" in response.content.decode()  # the pages are in Chinese by default
    assert not PrivacyRequest.objects.filter(customer=customer).exists()


def test_the_customer_withdraws_a_waiting_request_and_only_their_own():
    client, user, customer = _portal()
    item = privacy_request_create(customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.PORTAL, actor=user)
    stranger_client, _stranger, _c = _portal("portal.qian", "13955550002")

    assert stranger_client.post(f"/privacy/mine/{item.pk}/cancel/").status_code == 404
    assert client.post(f"/privacy/mine/{item.pk}/cancel/").status_code == 302

    item.refresh_from_db()
    assert item.status == RequestStatus.CANCELLED and item.handled_at is not None
    assert AuditEvent.objects.filter(action="privacy.cancelled", actor=user, object_id=str(item.pk)).count() == 1
    # Withdrawn, it no longer blocks a new erasure request, and cannot be withdrawn twice.
    again = privacy_request_create(customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.PORTAL, actor=user)
    assert again.pk != item.pk
    page = client.post(f"/privacy/mine/{item.pk}/cancel/", follow=True).content.decode()
    assert "不能再撤回" in page


def test_the_service_refuses_another_customers_request():
    _client, user, customer = _portal()
    _c2, _u2, stranger = _portal("portal.sun", "13955550003")
    item = privacy_request_create(customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.PORTAL, actor=user)
    with pytest.raises(NotFound):
        privacy_request_cancel(request=item, customer=stranger, actor=user)
    assert PrivacyRequest.objects.get(pk=item.pk).status == RequestStatus.RECEIVED


def test_staff_record_a_correction_by_phone_and_mark_it_done():
    _client, _user, customer = _portal()
    staff, supervisor = _staff()

    refused = staff.post("/privacy/", {"phone": "139 5555 0001", "kind": "correction", "note": "电话"})
    assert refused.status_code == 200 and not PrivacyRequest.objects.exists()  # no correction named: the form again
    staff.post("/privacy/", {"phone": "139 5555 0001", "kind": "correction", "note": "电话", "correct_phone": "12"})
    assert not PrivacyRequest.objects.exists()  # a phone number that does not exist
    response = staff.post(
        "/privacy/", {"phone": "139 5555 0001", "kind": "correction", "note": "电话核对身份", "correct_phone": "13955559999"}
    )

    item = PrivacyRequest.objects.get(customer=customer)
    assert response.status_code == 302 and item.corrections == {"phone": "+8613955559999"}
    assert item.channel == RequestChannel.STAFF and item.requested_by == supervisor
    staff.post(f"/privacy/{item.pk}/", {"do": "corrected", "version": item.version})
    item.refresh_from_db()
    assert item.status == RequestStatus.COMPLETED and item.handled_by == supervisor
    assert AuditEvent.objects.get(action="privacy.corrected", object_id=str(item.pk)).changes == {"fields": ["phone"]}


def test_an_export_request_cannot_be_marked_corrected():
    _client, user, customer = _portal()
    staff, _supervisor = _staff()
    item = privacy_request_create(customer=customer, kind=RequestKind.EXPORT, channel=RequestChannel.STAFF, actor=user)
    staff.post(f"/privacy/{item.pk}/", {"do": "corrected", "version": item.version})
    assert PrivacyRequest.objects.get(pk=item.pk).status == RequestStatus.RECEIVED


def test_an_erasure_empties_the_corrections_and_notes_of_the_customers_requests():
    user = UserFactory(role=Role.CUSTOMER, username="portal.zhou")
    customer = CustomerFactory(user=user, name="周芷若", phone="+8613955557777")  # nothing open: erasable
    correction = privacy_request_create(
        customer=customer,
        kind=RequestKind.CORRECTION,
        channel=RequestChannel.PORTAL,
        actor=user,
        note="我是周芷若，新号码见上",
        corrections={"phone": "13955558888", "name": "周芷若若"},
    )
    privacy_request_cancel(request=correction, customer=customer, actor=user)
    erasure = privacy_request_create(customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.PORTAL, actor=user)

    privacy_erase(request=erasure, actor=UserFactory(role=Role.SUPERVISOR))

    correction.refresh_from_db()
    assert correction.corrections == {} and "周芷若" not in correction.note
    assert Customer.objects.get(pk=customer.pk).erased_at is not None
