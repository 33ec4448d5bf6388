"""Every change is in the audit log: who, what, which object, from where (SPEC §4)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from aftersales.audit import context
from aftersales.audit.middleware import AuditContextMiddleware
from aftersales.audit.models import AuditEvent
from aftersales.audit.services import audit_record
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.customers.services import customer_create
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_event_names_actor_action_and_object():
    agent = UserFactory(display_name="客服小王")
    customer = CustomerFactory(name="张伟")
    event = audit_record(action=CustomerAudit.PERSONAL_DATA_VIEWED, obj=customer, actor=agent, changes={"fields": ["phone"]})
    event.refresh_from_db()
    assert (event.actor, event.actor_label, event.action) == (agent, "客服小王", "customer.personal_data_viewed")
    assert (event.object_type, event.object_id, event.object_repr) == ("customers.customer", str(customer.pk), "张伟")
    assert event.changes == {"fields": ["phone"]}
    assert event.ip_address is None and event.request_id == ""


def test_without_a_user_the_label_says_who_acted():
    customer = CustomerFactory()
    assert (
        audit_record(action=CustomerAudit.CREATED, obj=customer, actor_label="API key crm-sync").actor_label == "API key crm-sync"
    )
    assert audit_record(action=CustomerAudit.CREATED, obj=customer).actor_label == "system"
    assert audit_record(action=CustomerAudit.CREATED, obj=customer).actor is None


def test_a_long_object_name_is_shortened_for_the_log_only():
    customer = CustomerFactory(name="长" * 128)
    assert len(audit_record(action=CustomerAudit.CREATED, obj=customer).object_repr) == 128


def test_the_request_address_and_id_are_recorded_inside_the_context():
    token = context.set_current(context.AuditContext(ip_address="203.0.113.7", request_id="req-42"))
    try:
        event = audit_record(action=CustomerAudit.CREATED, obj=CustomerFactory())
    finally:
        context.reset(token)
    event.refresh_from_db()
    assert (event.ip_address, event.request_id) == ("203.0.113.7", "req-42")
    assert context.current() == context.AuditContext()


def test_the_middleware_gives_services_the_clients_address_and_a_request_id():
    agent = UserFactory()

    def view(request):
        customer_create(name="李娜", phone="13912345678", actor=agent)
        return HttpResponse("ok")

    middleware = AuditContextMiddleware(view)
    request = RequestFactory().post("/customers/", REMOTE_ADDR="198.51.100.23", HTTP_X_REQUEST_ID="edge-7f3c")
    response = middleware(request)

    event = AuditEvent.objects.get(action="customer.created")
    assert (event.actor, event.ip_address, event.request_id) == (agent, "198.51.100.23", "edge-7f3c")
    assert response["X-Request-Id"] == "edge-7f3c"
    # The context ends with the request.
    assert context.current().ip_address is None


def test_without_an_incoming_id_the_middleware_makes_one_and_returns_it():
    def view(request):
        audit_record(action=CustomerAudit.CREATED, obj=CustomerFactory())
        return HttpResponse("ok")

    response = AuditContextMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="2001:db8::1"))
    event = AuditEvent.objects.get()
    assert len(event.request_id) == 32
    assert response["X-Request-Id"] == event.request_id
    assert event.ip_address == "2001:db8::1"


def test_the_context_is_reset_even_when_the_view_fails():
    def view(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        AuditContextMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="198.51.100.23"))
    assert context.current() == context.AuditContext()


@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")  # whitenoise: no collected static in tests
def test_the_middleware_runs_on_real_requests(client):
    response = client.get("/admin/login/", HTTP_X_REQUEST_ID="probe-1")
    assert response.status_code == 200
    assert response["X-Request-Id"] == "probe-1"
