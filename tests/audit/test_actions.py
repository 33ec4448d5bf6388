"""Typed audit actions: every action is declared once, in a domain's enumeration, and listed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from aftersales.audit import services
from aftersales.audit.actions import AuditAction, all_audit_actions, audit_action_enums
from aftersales.audit.models import AuditEvent
from aftersales.audit.services import audit_record
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.tickets.audit_actions import TicketAudit
from tests.factories import CustomerFactory, UserFactory

# The enumerations of the apps that record audit events (at least these).
RECORDING_APPS_ENUMS = {
    "TicketAudit",
    "CustomerAudit",
    "CatalogAudit",
    "FeedbackAudit",
    "WebhookAudit",
    "MailinAudit",
    "ApiKeyAudit",
}


def test_each_stored_value_is_declared_once_across_the_enumerations():
    values = [str(member) for enum in audit_action_enums() for member in enum]
    duplicates = sorted({value for value in values if values.count(value) > 1})
    assert duplicates == []
    assert set(values) == set(all_audit_actions())


def test_every_app_that_records_declares_its_actions():
    names = {enum.__name__ for enum in audit_action_enums()}
    assert names >= RECORDING_APPS_ENUMS
    assert all_audit_actions()["customer.tier_changed"] is CustomerAudit.TIER_CHANGED


def test_values_look_like_domain_dot_action():
    for value in all_audit_actions():
        domain, dot, action = value.partition(".")
        assert dot and domain and action and value == value.lower() and " " not in value, value
        assert len(value) <= AuditEvent._meta.get_field("action").max_length


def test_a_value_nobody_declared_is_refused_on_lookup():
    assert TicketAudit("ticket.note") is TicketAudit.NOTE
    with pytest.raises(ValueError):
        TicketAudit("ticket.made_up")


def test_the_command_lists_value_enumeration_and_member():
    out = StringIO()
    call_command("audit_actions", stdout=out)
    lines = out.getvalue().splitlines()
    rows = {line.split()[0]: line.split()[1] for line in lines}
    assert rows["ticket.created"] == "TicketAudit.CREATED"
    assert rows["customer.personal_data_viewed"] == "CustomerAudit.PERSONAL_DATA_VIEWED"
    assert rows["webhook.test_sent"] == "WebhookAudit.TEST_SENT"
    assert list(rows) == sorted(rows)
    assert len(rows) == len(all_audit_actions())


@pytest.mark.django_db
def test_a_plain_string_is_refused_when_actions_are_strict(monkeypatch):
    customer = CustomerFactory()
    monkeypatch.setattr(services, "STRICT_ACTIONS", True)
    with pytest.raises(TypeError, match=r"customer\.created"):
        audit_record(action="customer.created", obj=customer)  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()
    event = audit_record(action=CustomerAudit.CREATED, obj=customer)
    event.refresh_from_db()
    assert event.action == "customer.created"
    assert isinstance(CustomerAudit.CREATED, AuditAction)


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")  # whitenoise: no collected static in tests
def test_the_admin_filters_by_the_declared_actions(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    customer = CustomerFactory()
    audit_record(action=CustomerAudit.CREATED, obj=customer)
    audit_record(action=CustomerAudit.TIER_CHANGED, obj=customer)
    url = reverse("admin:audit_auditevent_changelist")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # Declared actions are offered even when the log holds none of them.
    assert "?action=ticket.created" in html and "?action=webhook.test_sent" in html
    filtered = client.get(url, {"action": "customer.tier_changed"})
    assert filtered.status_code == 200
    assert [e.action for e in filtered.context["cl"].result_list] == ["customer.tier_changed"]
