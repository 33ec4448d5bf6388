"""The customer's copy (a zip of their data), the portal page that prepares it, the handlers'
pages, who may see what, and the retention job."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Customer
from aftersales.privacy.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from aftersales.privacy.services import privacy_apply_retention, privacy_request_create
from aftersales.tickets.models import Ticket
from tests.factories import CustomerFactory, UserFactory, make_ticket

from .conftest import EMAIL, INTERNAL_NOTE, NAME, STREET
from .jobs import ready, run_export_jobs

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _archive(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_customer_downloads_a_copy_of_their_data_from_the_portal(person):
    client = _client(person.user)
    page = client.get("/privacy/mine/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "我的个人信息" in page.content.decode()

    client.post("/privacy/mine/export/")
    assert run_export_jobs() == ["built"]  # the background job
    request = PrivacyRequest.objects.get(customer=person.customer)
    assert request.status == RequestStatus.COMPLETED and request.channel == RequestChannel.PORTAL
    response = client.get(f"/privacy/{request.pk}/download/")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = _archive(response)
    data = json.loads(archive.read("personal-data.json"))
    assert data["customer"]["name"] == NAME and data["customer"]["email"] == EMAIL
    [ticket] = data["tickets"]
    assert ticket["number"] == person.ticket.number and ticket["address"].endswith(STREET)
    assert any("电话13987654321" in step["text"] for step in ticket["timeline"])  # their own message
    assert ticket["files"] and all(name in archive.namelist() for name in ticket["files"])
    assert data["messages_sent_to_you"]  # the SMS and emails we sent them
    assert AuditEvent.objects.filter(action="privacy.export_downloaded", actor=person.user).count() == 1


def test_the_copy_holds_no_internal_notes(person):
    assert Ticket.objects.get(pk=person.ticket.pk).events.filter(public=False, body=INTERNAL_NOTE).exists()
    request = privacy_request_create(
        customer=person.customer, kind=RequestKind.EXPORT, channel=RequestChannel.PORTAL, actor=person.user
    )
    request = ready(request)
    data = zipfile.ZipFile(request.export_file.open("rb")).read("personal-data.json").decode()
    assert NAME in data and INTERNAL_NOTE not in data


def test_another_customer_cannot_download_the_copy(person):
    request = privacy_request_create(
        customer=person.customer, kind=RequestKind.EXPORT, channel=RequestChannel.PORTAL, actor=person.user
    )
    request = ready(request)
    assert _client(person.user).get(f"/privacy/{request.pk}/download/").status_code == 200  # theirs: ready
    stranger = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=stranger)
    assert _client(stranger).get(f"/privacy/{request.pk}/download/").status_code == 404
    agent = UserFactory(role=Role.AGENT)
    assert _client(agent).get(f"/privacy/{request.pk}/download/").status_code == 404
    assert _client(agent).get("/privacy/").status_code == 403


def test_a_supervisor_records_a_request_by_phone_and_erases(person):
    supervisor = UserFactory(role=Role.SUPERVISOR)
    client = _client(supervisor)
    response = client.post("/privacy/", {"phone": "139 8765 4321", "kind": "erasure", "note": "电话申请，已核对身份证后四位"})
    request = PrivacyRequest.objects.get(customer=person.customer)
    assert response.status_code == 302 and response["Location"] == f"/privacy/{request.pk}/"

    client.post(f"/privacy/{request.pk}/", {"do": "erase", "version": request.version})

    assert Customer.objects.get(pk=person.customer.pk).name == "***"
    page = client.get(f"/privacy/{request.pk}/").content.decode()
    assert "已完成" in page and NAME not in page


def test_an_unknown_phone_is_named_in_the_form(db):
    supervisor = UserFactory(role=Role.SUPERVISOR)
    client = _client(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    page = client.post("/privacy/", {"phone": "13700000000", "kind": "export"})
    assert page.status_code == 200 and "No customer has this phone number." in page.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "没有使用这个电话号码的客户。" in client.post("/privacy/", {"phone": "13700000000", "kind": "export"}).content.decode()


def test_refusing_needs_a_reason(person):
    supervisor = UserFactory(role=Role.SUPERVISOR)
    request = privacy_request_create(
        customer=person.customer, kind=RequestKind.ERASURE, channel=RequestChannel.PORTAL, actor=person.user
    )
    client = _client(supervisor)
    page = client.post(f"/privacy/{request.pk}/", {"do": "refuse", "reason": ""})
    assert PrivacyRequest.objects.get(pk=request.pk).status == RequestStatus.RECEIVED
    assert page.status_code == 200
    client.post(f"/privacy/{request.pk}/", {"do": "refuse", "reason": "三包纠纷仍在诉讼中，依法保存至结案"})
    assert PrivacyRequest.objects.get(pk=request.pk).status == RequestStatus.REFUSED


def test_the_retention_job_erases_only_customers_quiet_for_the_whole_period(person, settings):
    settings.PRIVACY_RETENTION_DAYS = 30
    recent = make_ticket(customer_name="王芳", phone="+8613600000001")
    now = timezone.now()
    assert privacy_apply_retention(now=now)["erased"] == 0  # closed today: kept

    later = now + dt.timedelta(days=31)
    result = privacy_apply_retention(now=later)

    assert result["erased"] == 1
    assert Customer.objects.get(pk=person.customer.pk).erased_at is not None
    assert Customer.objects.get(pk=recent.customer_id).erased_at is None  # an open ticket: kept
    assert privacy_apply_retention(now=later)["erased"] == 0  # idempotent
    assert PrivacyRequest.objects.get(customer=person.customer).channel == RequestChannel.RETENTION
