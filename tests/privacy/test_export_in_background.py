"""The customer's copy of their data is built by a background job: asking queues it (the request
shows "being prepared"), the job builds it once however often it runs, a failed attempt is
retried, and whoever asked is told in their inbox when it is ready. The API shows the state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_tasks import default_task_backend

from aftersales.accounts.models import Role, User
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.notifications.models import Notification
from aftersales.privacy import services
from aftersales.privacy.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from aftersales.privacy.services import privacy_request_cancel, privacy_request_create
from aftersales.privacy.tasks import prepare_privacy_export, resume_privacy_exports
from tests.api.conftest import api_client
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _customer() -> tuple[User, Customer]:
    user = UserFactory(role=Role.CUSTOMER)
    return user, CustomerFactory(user=user, name="欧阳娜娜")


def _client(user: User, language: str = "zh-hans") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client


def _jobs(request_id: int) -> int:
    return sum(1 for r in default_task_backend.results if r.task.name == prepare_privacy_export.name and r.args == [request_id])


def _exported(request_id: int) -> int:
    return AuditEvent.objects.filter(action="privacy.exported", object_id=str(request_id)).count()


def test_the_portal_queues_the_copy_the_job_builds_it_once_and_the_customer_is_told(django_capture_on_commit_callbacks):
    user, customer = _customer()
    client = _client(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/mine/export/")
    item = PrivacyRequest.objects.get(customer=customer, kind=RequestKind.EXPORT)
    assert (item.status, bool(item.export_file), item.export_preparing) == (RequestStatus.RECEIVED, False, True)
    assert _jobs(item.pk) == 1
    page = client.get("/privacy/mine/").content.decode()
    assert 'data-test-id="privacy-my-preparing"' in page and "privacy-my-download" not in page

    assert prepare_privacy_export.call(item.pk) == "built"
    assert prepare_privacy_export.call(item.pk) == "skipped"  # the second run builds nothing

    item.refresh_from_db()
    assert item.status == RequestStatus.COMPLETED and item.export_file and not item.export_preparing
    assert _exported(item.pk) == 1
    told = Notification.objects.get(template="privacy_export_ready", user=user)
    assert told.channel == "in_app" and "/privacy/mine/" in told.body and "欧阳娜娜" in told.body
    page = client.get("/privacy/mine/").content.decode()
    assert "privacy-my-download" in page and "privacy-my-preparing" not in page


def test_asking_again_while_it_is_queued_queues_nothing_more(django_capture_on_commit_callbacks):
    user, customer = _customer()
    with django_capture_on_commit_callbacks(execute=True):
        item = privacy_request_create(customer=customer, kind=RequestKind.EXPORT, channel=RequestChannel.PORTAL, actor=user)
        again = services.privacy_export_queue(request=item, actor=user)
    assert again.version == item.version and _jobs(item.pk) == 1
    assert AuditEvent.objects.filter(action="privacy.export_queued", object_id=str(item.pk)).count() == 1


def test_the_app_sees_the_copy_being_prepared_then_ready():
    user, _customer_record = _customer()
    app = api_client(user)
    created = app.post("/api/v1/privacy/requests", {"kind": "export"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["preparing"], body["download_url"]) == ("received", True, None)

    assert prepare_privacy_export.call(body["id"]) == "built"

    ready = app.get(f"/api/v1/privacy/requests/{body['id']}").json()
    assert (ready["status"], ready["preparing"]) == ("completed", False) and ready["download_url"]
    assert app.get(ready["download_url"]).status_code == 200


def test_staff_prepare_a_copy_for_a_request_by_phone_and_are_told_when_it_is_ready():
    _user, customer = _customer()
    supervisor = UserFactory(role=Role.SUPERVISOR)
    item = privacy_request_create(customer=customer, kind=RequestKind.EXPORT, channel=RequestChannel.STAFF, actor=supervisor)
    assert not item.export_preparing  # recorded only: staff prepare it
    client = _client(supervisor, "en")
    client.post(f"/privacy/{item.pk}/", {"do": "export", "version": item.version})
    page = client.get(f"/privacy/{item.pk}/").content.decode()
    assert 'data-test-id="privacy-preparing"' in page and 'data-test-id="privacy-export"' not in page

    assert prepare_privacy_export.call(item.pk) == "built"

    told = Notification.objects.get(template="privacy_export_ready", user=supervisor)
    assert f"/privacy/{item.pk}/" in told.body
    assert 'data-test-id="privacy-download"' in client.get(f"/privacy/{item.pk}/").content.decode()


def test_a_failed_attempt_is_retried_and_the_sweep_catches_a_lost_job(monkeypatch):
    user, customer = _customer()
    item = privacy_request_create(customer=customer, kind=RequestKind.EXPORT, channel=RequestChannel.APP, actor=user)

    def broken(**_kwargs):  # type: ignore[no-untyped-def]
        raise OSError("storage unavailable")

    monkeypatch.setattr(services, "export_archive", broken)
    assert prepare_privacy_export.call(item.pk) == "retry"
    item.refresh_from_db()
    assert (item.status, item.export_attempts, item.export_preparing) == (RequestStatus.RECEIVED, 1, True)
    monkeypatch.undo()

    later = clock.now() + dt.timedelta(minutes=11)
    assert services.privacy_exports_stalled(now=later) == [item.pk]
    assert resume_privacy_exports.call() == 0  # not ten minutes yet
    assert prepare_privacy_export.call(item.pk) == "built"
    assert services.privacy_exports_stalled(now=later) == []


def test_a_copy_withdrawn_before_its_job_ran_is_not_built():
    user, customer = _customer()
    item = privacy_request_create(customer=customer, kind=RequestKind.EXPORT, channel=RequestChannel.PORTAL, actor=user)
    privacy_request_cancel(request=item, customer=customer, actor=user)
    assert prepare_privacy_export.call(item.pk) == "skipped"
    assert _exported(item.pk) == 0 and not PrivacyRequest.objects.get(pk=item.pk).export_file
