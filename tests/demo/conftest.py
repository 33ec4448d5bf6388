"""The demo set, loaded once for the whole tests/demo package inside a transaction that is rolled
back at the end, so the other test packages never see it; each test runs in a savepoint of its own.

Every test that needs the whole demo is in this package, so that the suite loads it once (about
half a minute a load): the checks of the demo itself and the crawl (one language, the CSP)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation


@pytest.fixture(scope="package")
def demo_output(django_db_setup, django_db_blocker, check_constraints_now):  # type: ignore[no-untyped-def]
    """What ``manage.py demo_data`` printed; the data stays loaded while the package's tests run.

    Loaded in English, which is not the site's language (the writer's language is not the
    reader's): a system text frozen at write time would show in English on the Chinese pages,
    where ``test_one_language.py`` looks for it. The people's own texts are Chinese either way."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        with translation.override("en"):
            call_command("demo_data", stdout=out, stderr=StringIO())
        check_constraints_now()
        yield out.getvalue()
        transaction.set_rollback(True)
