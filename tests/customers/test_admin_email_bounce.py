"""Changing a customer's e-mail address in the Django admin takes off the mark of the bouncing
address, as the services' ``bump`` does, audited with the administrator as the actor; the mark
stays when the address is not changed, or when the mark's own fields are edited by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_email_bounced
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD = "old.address@example.com"
NEW = "new.address@example.com"
BOUNCED_AT = dt.datetime(2026, 11, 3, 1, 30, tzinfo=dt.UTC)


def _bounced_customer() -> Customer:
    customer = CustomerFactory(name="乙", phone="+8613900001111", email=OLD)
    assert customer_email_bounced(customer_id=customer.pk, address=OLD, reason="550 User unknown", at=BOUNCED_AT)
    return customer


def _posted(page: Any, **changes: str) -> dict[str, str]:
    """The change form as the browser posts it (its current values), with ``changes``."""
    form = page.context["adminform"].form
    data: dict[str, str] = {"_save": "1"}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, dt.datetime):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    for prefix in ("contacts", "addresses"):
        data[f"{prefix}-TOTAL_FORMS"], data[f"{prefix}-INITIAL_FORMS"] = "0", "0"
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client):
    user = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def test_a_new_address_in_the_admin_takes_off_the_bouncing_mark_audited(admin_client):
    customer = _bounced_customer()
    url = f"/admin/customers/customer/{customer.pk}/change/"
    saved = admin_client.post(url, _posted(admin_client.get(url), email=NEW))
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert customer.email == NEW
    assert customer.email_bounced_at is None and customer.email_bounce_reason == ""
    cleared = AuditEvent.objects.get(action="customer.email_bounce_cleared", actor=admin_client.user)
    assert cleared.changes["cause"] == "email_changed"


def test_saving_without_changing_the_address_keeps_the_mark(admin_client):
    customer = _bounced_customer()
    url = f"/admin/customers/customer/{customer.pk}/change/"
    saved = admin_client.post(url, _posted(admin_client.get(url), notes="回访时确认地址"))
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert customer.notes == "回访时确认地址"
    assert customer.email_bounced_at == BOUNCED_AT and customer.email_bounce_reason == "550 User unknown"
    assert not AuditEvent.objects.filter(action="customer.email_bounce_cleared").exists()


def test_a_mark_edited_by_hand_with_the_address_is_kept_as_entered(admin_client):
    customer = _bounced_customer()
    url = f"/admin/customers/customer/{customer.pk}/change/"
    saved = admin_client.post(url, _posted(admin_client.get(url), email=NEW, email_bounce_reason="checked by hand"))
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert customer.email == NEW
    assert customer.email_bounced_at == BOUNCED_AT and customer.email_bounce_reason == "checked by hand"
