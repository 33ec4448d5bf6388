"""The demo set, loaded once for the whole tests/demo package inside a transaction that is rolled
back at the end, so the other test packages never see it; each test runs in a savepoint of its own."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="package")
def demo_output(django_db_setup, django_db_blocker, check_constraints_now):  # type: ignore[no-untyped-def]
    """What ``manage.py demo_data`` printed; the data stays loaded while the package's tests run."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo_data", stdout=out, stderr=StringIO())
        check_constraints_now()
        yield out.getvalue()
        transaction.set_rollback(True)
