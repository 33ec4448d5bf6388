"""A bounce marks the customer's address bouncing without raising the customer's version: it is
no edit of their data, so an agent who opened the customer's form before the bounce saves it
(the optimistic lock refuses only a change of the data; docs/customers.md, "E-mail bounced")."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.customers.editing import customer_update
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_email_bounced
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

OWN = "zhang.wei@example.com"
BOUNCED_AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)


def test_a_bounce_leaves_the_version_so_the_agents_open_form_still_saves():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, language="en")
    customer = CustomerFactory(email=OWN)
    opened = Customer.objects.get(pk=customer.pk)  # the agent opens the edit form: version read

    assert customer_email_bounced(customer_id=customer.pk, address=OWN, reason="5.1.1 User unknown", at=BOUNCED_AT)

    after = Customer.objects.get(pk=customer.pk)
    assert (after.version, after.updated_at) == (opened.version, opened.updated_at)
    assert after.email_bounced_at == BOUNCED_AT  # marked all the same, and audited
    assert AuditEvent.objects.filter(action=CustomerAudit.EMAIL_BOUNCED, object_id=str(customer.pk)).count() == 1

    saved = customer_update(customer=opened, actor=agent, expected_version=opened.version, notes="老客户，下午方便")
    assert saved.notes == "老客户，下午方便" and saved.version == opened.version + 1
    assert Customer.objects.get(pk=customer.pk).email_bounced_at == BOUNCED_AT  # the edit kept the mark


def test_a_real_edit_in_between_is_still_refused_as_stale():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, language="en")
    customer = CustomerFactory(email=OWN)
    opened = Customer.objects.get(pk=customer.pk)
    customer_update(customer=opened, actor=agent, expected_version=opened.version, name="张伟")
    customer_email_bounced(customer_id=customer.pk, address=OWN, reason="5.1.1", at=BOUNCED_AT)
    with pytest.raises(Conflict):
        customer_update(customer=opened, actor=agent, expected_version=opened.version, notes="x")
