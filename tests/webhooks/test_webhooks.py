"""Webhooks out: emitted by the ticket and SLA hooks in the change's transaction, signed,
delivered after commit to a real HTTP receiver with retries and a log, never twice
successfully, never to internal addresses."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.sla.models import SlaClock, SlaMetric
from aftersales.sla.services import sla_check_clock
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import TicketStatus
from aftersales.webhooks import net
from aftersales.webhooks.models import Attempt, Delivery, DeliveryStatus, Event, EventType
from aftersales.webhooks.services import (
    MAX_ATTEMPTS,
    backoff,
    verify_signature,
    webhook_deliver,
    webhook_emit,
    webhook_send_test,
    webhook_subscription_create,
)
from aftersales.webhooks.tasks import deliver_webhook
from tests.factories import RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.ADMINISTRATOR)


def _subscribe(admin_user, url, events=("ticket.created", "ticket.status_changed"), **kwargs):  # type: ignore[no-untyped-def]
    return webhook_subscription_create(actor=admin_user, name="CRM", target_url=url, event_types=events, **kwargs)


def _deliver_all() -> list[Delivery]:
    return [webhook_deliver(delivery_id=pk) for pk in Delivery.objects.order_by("pk").values_list("pk", flat=True)]


def test_a_new_ticket_is_delivered_signed_once_after_commit(receiver, admin_user, django_capture_on_commit_callbacks):
    subscription = _subscribe(admin_user, receiver.url)
    with django_capture_on_commit_callbacks() as callbacks:
        ticket = make_ticket(email="li.na@example.com")
    assert len(callbacks) >= 1  # the delivery job is enqueued only on commit
    (delivery,) = _deliver_all()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    payload = json.loads(body)
    assert payload["type"] == "ticket.created"
    assert payload["data"]["ticket"]["number"] == ticket.number
    assert payload["data"]["ticket"]["status"] == "registered"
    assert headers["X-Aftersales-Event-Id"] == payload["id"]
    assert headers["X-Aftersales-Event"] == "ticket.created"
    assert verify_signature(secret=subscription.secret, header=headers["X-Aftersales-Signature"], body=body)
    assert not verify_signature(secret="wrong", header=headers["X-Aftersales-Signature"], body=body)
    assert not verify_signature(secret=subscription.secret, header=headers["X-Aftersales-Signature"], body=body + b" ")
    # No personal data beyond what a receiver needs.
    assert "张伟" not in body.decode() and "13812345678" not in body.decode() and "li.na" not in body.decode()
    # A second run of the same job sends nothing.
    webhook_deliver(delivery_id=delivery.pk)
    assert len(receiver.requests) == 1
    assert Attempt.objects.filter(delivery=delivery).count() == 1


def test_a_rolled_back_change_emits_nothing(receiver, admin_user):
    _subscribe(admin_user, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket()
        raise RuntimeError("rollback")
    assert Event.objects.count() == 0 and Delivery.objects.count() == 0


def test_status_change_and_sla_breach_events(receiver, admin_user):
    _subscribe(admin_user, receiver.url, events=("ticket.status_changed", "sla.breached"))
    ticket = make_ticket()
    assert Event.objects.count() == 0  # not subscribed to ticket.created
    ticket_transition(ticket=ticket, to_status=TicketStatus.CANCELLED, actor=UserFactory(role=Role.SUPERVISOR))
    _deliver_all()
    (payload,) = receiver.bodies()
    assert payload["type"] == "ticket.status_changed"
    assert (payload["data"]["from_status"], payload["data"]["to_status"]) == ("registered", "cancelled")
    # A real breach: the resolution clock of another ticket checked long after its deadline.
    late = make_ticket()
    resolution = SlaClock.objects.get(ticket=late, metric=SlaMetric.RESOLUTION)
    assert "breached" in sla_check_clock(clock_id=resolution.pk, now=resolution.due_at + dt.timedelta(days=30))
    breach = Event.objects.filter(event_type=EventType.SLA_BREACHED).get()
    assert breach.payload["type"] == "sla.breached"
    assert breach.payload["data"]["metric"] == "resolution"
    assert breach.payload["data"]["ticket"]["number"] == late.number


def test_workorder_event_from_another_app_and_region_filter(receiver, admin_user):
    east, west = RegionFactory(), RegionFactory()
    _subscribe(admin_user, receiver.url, events=("workorder.completed",), region=east)
    assert webhook_emit(event="workorder.completed", payload={"work_order": "WO-1"}, region=west) is None
    event = webhook_emit(event="workorder.completed", payload={"work_order": "WO-2"}, region=east)
    assert event is not None
    _deliver_all()
    assert [b["data"]["work_order"] for b in receiver.bodies()] == ["WO-2"]
    with pytest.raises(ValueError):
        webhook_emit(event="ticket.deleted", payload={})


def test_failures_are_logged_and_retried_with_backoff_until_one_success(receiver, admin_user):
    receiver.script = [500, 503]
    _subscribe(admin_user, receiver.url)
    make_ticket()
    delivery = Delivery.objects.get()
    first = webhook_deliver(delivery_id=delivery.pk)
    assert first.status == DeliveryStatus.PENDING and first.attempts == 1
    assert first.next_attempt_at is not None
    attempt = Attempt.objects.get(delivery=delivery, number=1)
    assert (attempt.status_code, attempt.succeeded) == (500, False)
    assert "upstream exploded" in attempt.response_excerpt
    assert attempt.error == "HTTP 500"
    webhook_deliver(delivery_id=delivery.pk)
    third = webhook_deliver(delivery_id=delivery.pk)
    assert third.status == DeliveryStatus.SUCCEEDED and third.attempts == 3
    webhook_deliver(delivery_id=delivery.pk)
    assert len(receiver.requests) == 3
    assert [a.succeeded for a in Attempt.objects.filter(delivery=delivery).order_by("number")] == [False, False, True]
    # All three carried the same event id, so a receiver can deduplicate.
    assert len({r["headers"]["X-Aftersales-Event-Id"] for r in receiver.requests}) == 1
    assert backoff(1) == dt.timedelta(seconds=30) and backoff(3) == dt.timedelta(seconds=120)
    assert backoff(30) == dt.timedelta(hours=6)


def test_the_database_refuses_a_second_success():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    subscription = webhook_subscription_create(
        actor=admin, name="x", target_url="https://93.184.215.14/hook", event_types=["ticket.created"]
    )
    with transaction.atomic():
        delivery = webhook_send_test(actor=admin, subscription=subscription)
    Attempt.objects.create(delivery=delivery, number=1, started_at=delivery.created_at, succeeded=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(delivery=delivery, number=2, started_at=delivery.created_at, succeeded=True)


def test_gives_up_after_max_attempts_when_nothing_listens(settings, admin_user):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    subscription = _subscribe(admin_user, f"http://127.0.0.1:{port}/x")
    delivery = webhook_send_test(actor=admin_user, subscription=subscription)
    for _ in range(MAX_ATTEMPTS + 2):
        result = webhook_deliver(delivery_id=delivery.pk)
    assert result.status == DeliveryStatus.FAILED
    assert Attempt.objects.filter(delivery=delivery).count() == MAX_ATTEMPTS
    assert "ConnectionRefusedError" in Attempt.objects.filter(delivery=delivery).first().error


def test_the_job_defers_its_retry_on_a_backend_that_can(receiver, admin_user, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}
    from django_tasks_db.models import DBTaskResult

    receiver.script = [502]
    subscription = _subscribe(admin_user, receiver.url)
    delivery = webhook_send_test(actor=admin_user, subscription=subscription)
    assert deliver_webhook.call(delivery.pk) == "retry"
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_webhook").get()
    assert queued.run_after is not None and queued.args_kwargs["args"] == [delivery.pk]
    assert deliver_webhook.call(delivery.pk) == "succeeded"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://240.0.0.1/",
        "ftp://example.com/",
        "file:///etc/passwd",
        "http://user:pw@93.184.215.14/",
    ],
)
def test_internal_and_odd_targets_are_refused(url, admin_user):
    with pytest.raises(ValidationFailed) as excinfo:
        _subscribe(admin_user, url)
    assert excinfo.value.code == "webhook_target_refused"


def test_delivery_rechecks_addresses_against_dns_rebinding(receiver, admin_user, monkeypatch, settings):
    """Public when saved, internal when delivered: the connection is refused and logged."""
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = []
    answers = {"hooks.example.net": "93.184.215.14"}

    def fake_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(net.socket, "getaddrinfo", fake_getaddrinfo)
    subscription = _subscribe(admin_user, "http://hooks.example.net/x")
    answers["hooks.example.net"] = "127.0.0.1"  # the attacker's DNS now points inside
    delivery = webhook_send_test(actor=admin_user, subscription=subscription)
    webhook_deliver(delivery_id=delivery.pk)
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.error.startswith("refused:") and "127.0.0.1" in attempt.error
    assert receiver.requests == []


def test_allow_list_accepts_named_hosts_and_networks(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = ["10.1.0.0/16", "crm.internal"]
    target = net.parse_target("http://10.1.2.3:8080/hook?x=1")
    assert net.resolve_checked(target) == [net.ipaddress.ip_address("10.1.2.3")]
    assert target.path == "/hook?x=1" and target.port == 8080
    with pytest.raises(net.TargetRefused):
        net.resolve_checked(net.parse_target("http://10.2.0.1/"))


def test_only_administrators_manage_subscriptions(receiver):
    with pytest.raises(PermissionDenied):
        _subscribe(UserFactory(role=Role.SUPERVISOR), receiver.url)


def test_staff_page_creates_lists_and_sends_a_test_event(receiver, admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("webhooks:list"), {"name": "CRM 集成", "target_url": receiver.url, "event_types": ["ticket.created"]}
    )
    assert response.status_code == 302
    detail_url = response["Location"]
    page = client.get(detail_url).content.decode()
    assert 'data-test-id="webhook-secret">whsec_' in page
    client.post(detail_url + "test/")
    delivery = Delivery.objects.get()
    webhook_deliver(delivery_id=delivery.pk)
    assert receiver.bodies()[0]["type"] == "webhook.test"
    page = client.get(detail_url).content.decode()
    assert page.count('data-test-id="webhook-attempt"') == 1
    assert "200" in page
    # A refused target is shown on the form, not a 500.
    response = client.post(
        reverse("webhooks:list"), {"name": "evil", "target_url": "http://169.254.169.254/", "event_types": ["ticket.created"]}
    )
    assert response.status_code == 200 and 'data-test-id="error-target_url"' in response.content.decode()
    other = Client()
    other.force_login(UserFactory(role=Role.AGENT))
    assert other.get(reverse("webhooks:list")).status_code == 403
    assert other.post(detail_url + "test/").status_code == 403


def test_a_paused_subscription_gets_nothing(receiver, admin_user):
    from aftersales.webhooks.services import webhook_subscription_set_active

    subscription = _subscribe(admin_user, receiver.url)
    make_ticket()
    webhook_subscription_set_active(actor=admin_user, subscription=subscription, active=False)
    (delivery,) = _deliver_all()
    assert delivery.status == DeliveryStatus.FAILED and receiver.requests == []
    make_ticket()
    assert Delivery.objects.count() == 1


def test_signature_timestamp_tolerance():
    body = b'{"a":1}'
    from aftersales.webhooks.services import sign

    header = sign(secret="s", timestamp=1_000_000, body=body)
    assert verify_signature(secret="s", header=header, body=body, now=1_000_100)
    assert not verify_signature(secret="s", header=header, body=body, now=1_000_000 + 3600)
    assert not verify_signature(secret="s", header="garbage", body=body, now=time.time())


def test_the_admin_refuses_an_internal_target_on_the_form(admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:webhooks_subscription_add")
    inline = {"deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0"}
    response = client.post(
        url, {"name": "x", "target_url": "http://10.0.0.1/", "event_types": '["ticket.created"]', "active": "on", **inline}
    )
    assert response.status_code == 200 and "WEBHOOKS_ALLOW_PRIVATE_HOSTS" in response.content.decode()
    response = client.post(
        url,
        {"name": "ok", "target_url": "https://93.184.215.14/h", "event_types": '["ticket.created"]', "active": "on", **inline},
    )
    assert response.status_code == 302
    from aftersales.webhooks.models import Subscription

    created = Subscription.objects.get(name="ok")
    assert created.secret.startswith("whsec_") and created.owner == admin_user


def test_the_safety_net_re_enqueues_overdue_deliveries(receiver, admin_user, settings):
    from aftersales.core import clock
    from aftersales.webhooks.tasks import retry_due_webhooks

    subscription = _subscribe(admin_user, receiver.url)
    delivery = webhook_send_test(actor=admin_user, subscription=subscription)
    assert retry_due_webhooks.call() == 0
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=clock.now() - dt.timedelta(minutes=10))
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]}
    }
    assert retry_due_webhooks.call() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and len(receiver.requests) == 1
