"""Reading personal data is audited without making the page wait for a disk flush."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.audit.models import AuditEvent
from aftersales.audit.services import audit_record_view
from aftersales.customers.audit_actions import CustomerAudit
from tests.factories import CustomerFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_view_record_is_written_in_its_own_transaction():
    viewer = UserFactory()
    customer = CustomerFactory()
    session_setting = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # The session's own (the test settings turn it off for the whole session: decision 0011).
            cur.execute("SET synchronous_commit = on")
            session_setting = "on"
    with CaptureQueriesContext(connection) as queries:
        row = audit_record_view(action=CustomerAudit.PERSONAL_DATA_VIEWED, obj=customer, actor=viewer, changes={"ticket": "X"})
    stored = AuditEvent.objects.get(pk=row.pk)
    assert (stored.action, stored.object_id, stored.actor_id) == ("customer.personal_data_viewed", str(customer.pk), viewer.pk)
    sqls = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert "SET LOCAL synchronous_commit = off" in sqls
        with connection.cursor() as cur:  # only for that transaction
            cur.execute("SELECT current_setting('synchronous_commit')")
            assert cur.fetchone()[0] == session_setting
            cur.execute("RESET synchronous_commit")
    else:
        assert not any("synchronous_commit" in s for s in sqls)


@pytest.mark.django_db
def test_inside_a_change_the_view_record_joins_it_and_changes_no_setting():
    customer = CustomerFactory()
    with CaptureQueriesContext(connection) as queries:
        audit_record_view(action=CustomerAudit.PERSONAL_DATA_VIEWED, obj=customer)
    assert not any("synchronous_commit" in q["sql"] for q in queries.captured_queries)
    assert AuditEvent.objects.filter(action="customer.personal_data_viewed").count() == 1
