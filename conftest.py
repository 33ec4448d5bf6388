"""Shared fixtures and rules for tests/ and e2e/. Tests run on a real database: SQLite always,
PostgreSQL when DATABASE_URL points at it (tests/settings.py selects AFTERSALES_ENV=test).

Service-backed tests skip with a clear reason on a laptop without the service and FAIL when
CI=true: CI must prove them, not skip them."""

from __future__ import annotations

import os
import shutil

import pytest

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"
DOVECOT = "/usr/sbin/dovecot"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aftersales")
    group.addoption(
        "--database-tests-only",
        action="store_true",
        default=False,
        help="deselect the tests that use no database, the browser journeys and the tests marked sqlite_pass (the PostgreSQL pass of `make test`: the SQLite pass runs them)",
    )
    group.addoption(
        "--postgresql-pass-runs-too",
        action="store_true",
        default=False,
        help="deselect the tests marked one_pass (the SQLite pass of `make test` beside a PostgreSQL pass, which runs them)",
    )
    group.addoption(
        "--deselected-list",
        default="",
        metavar="PATH",
        help="with --database-tests-only or --postgresql-pass-runs-too: write the ids of the deselected tests to PATH, one a line",
    )


# A test reaches the database only through one of these fixtures (pytest-django refuses any other
# access), directly or through a fixture it uses: ``item.fixturenames`` is the whole closure. A
# module- or package-scoped fixture that writes rows unblocks the database after
# ``django_db_setup``, which is in the closure of every test that uses it.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server", "django_db_setup"}
)
# Kept whatever their fixtures: they are about a service (or run one that writes rows).
SERVICE_MARKERS = ("postgres", "redis", "imap", "browser", "django_db")


def uses_database(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) is not None for name in SERVICE_MARKERS):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


# Run once though they use the database, when `make test` runs both passes: what they assert does
# not depend on it (docs/decisions/0011). ``browser`` runs in the SQLite pass: the journeys in
# Chromium (what the browser does: htmx, scripts, the layout at 375 px) — the server side of every
# step they take is tested on both databases through Django's test client; ``sqlite_pass`` the
# same, marked by hand, each with its reason (a crawl of response headers, the crisis detector
# replayed over the demo's history, whose queries are tested on both). ``one_pass`` runs in the
# PostgreSQL pass, marked by hand with its reason (a CPU-bound evaluation that reads a few
# configured rows). Which pass takes which is chosen to balance the two passes' times
# (docs/decisions/0011).
SQLITE_PASS_MARKERS = ("browser", "sqlite_pass")
POSTGRESQL_PASS_MARKERS = ("one_pass",)


def _marked(item: pytest.Item, names: tuple[str, ...]) -> bool:
    return any(item.get_closest_marker(name) is not None for name in names)


def runs_in_this_pass(item: pytest.Item, config: pytest.Config) -> bool:
    if config.getoption("--database-tests-only"):  # the PostgreSQL pass
        return uses_database(item) and not _marked(item, SQLITE_PASS_MARKERS)
    if config.getoption("--postgresql-pass-runs-too"):  # the SQLite pass beside it
        return not _marked(item, POSTGRESQL_PASS_MARKERS)
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--database-tests-only`` (the PostgreSQL pass of `make test`): a test that uses no
    database runs the same on SQLite and PostgreSQL — the SQLite pass runs it, with the same Redis
    when there is one (scripts/test.sh) — so the second pass leaves it out, and the browser
    journeys and the tests marked ``sqlite_pass`` too. ``--postgresql-pass-runs-too`` (the SQLite pass beside it) leaves out the tests
    marked ``one_pass``. Without a PostgreSQL pass (a laptop) the SQLite pass runs them all. The
    deselected tests are counted in pytest's summary line ("N deselected") and in the pass summary
    of `make test`."""
    if not (config.getoption("--database-tests-only") or config.getoption("--postgresql-pass-runs-too")):
        return
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (keep if runs_in_this_pass(item, config) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    path = config.getoption("--deselected-list")
    if path:
        with open(path, "w", encoding="utf-8") as listing:
            listing.writelines(f"{item.nodeid}\n" for item in dropped)


def pytest_configure(config: pytest.Config) -> None:
    """Compile the translation catalogues first, as `make run` does, so pages render in Chinese;
    each into a file of its own, moved into place, so that a pass starting beside another never
    reads a half-written catalogue."""
    import os
    from pathlib import Path

    import polib

    for po_path in (Path(__file__).parent / "locale").glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        partial = mo_path.with_name(f".{os.getpid()}.{mo_path.name}")
        polib.pofile(str(po_path)).save_as_mofile(str(partial))
        os.replace(partial, mo_path)


@pytest.fixture(scope="session", autouse=True)
def _urls_loaded_before_any_frozen_clock(django_test_environment):  # type: ignore[no-untyped-def]
    """Load the URLconf (and with it the API's pydantic schemas) once, with the real clock, before
    any test freezes it (``tests/clock.py``): the schemas' build is then never timed against a
    frozen clock, and no test pays for it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


@pytest.fixture(scope="session", autouse=True)
def _postgresql_flush_by_delete():  # type: ignore[no-untyped-def]
    """After each transactional test (``transactional_db``, ``live_server``: the browser
    journeys, the concurrency and outage tests) pytest-django empties every table with
    ``manage.py flush``, which on PostgreSQL is one ``TRUNCATE`` of all ~150 tables: each gets a
    new file, synced at commit — 3.7 to 5.9 s per flush measured on the loaded 2-CPU machine,
    where a ``DELETE FROM`` of each (nearly empty) table took 0.1 to 0.6 s, for the 91
    transactional tests of a pass. The tests empty the tables by
    DELETE instead, as Django does on SQLite. The same rows go (every table flush names); the
    sequences are not reset either way; every foreign key Django creates on PostgreSQL is
    DEFERRABLE INITIALLY DEFERRED and the flush runs in one transaction, so the order of the tables
    does not matter. A flush that resets the sequences or cascades keeps Django's TRUNCATE."""
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no psycopg: no PostgreSQL pass
        yield
        return
    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;", *(f"DELETE FROM {self.quote_name(table)};" for table in tables)]  # noqa: S608 - quoted table names

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(scope="session")
def check_constraints_now(django_db_blocker):  # type: ignore[no-untyped-def]
    """For a fixture that writes rows for a whole module or package inside its own transaction:
    call the returned function once the rows are written. On PostgreSQL every foreign key is
    DEFERRABLE INITIALLY DEFERRED, so the rows leave one pending check per reference, and each
    test's teardown checks the pending references (``SET CONSTRAINTS ALL IMMEDIATE``, Django's
    ``check_constraints``) inside the test's savepoint — whose rollback puts the fixture's checks
    back in the queue, to be made again at the next test's teardown (0.6 to 0.9 s a test with the
    demo loaded). Checked once here, in the fixture's own transaction, they are done for good;
    the checks of each test's own rows stay at its teardown."""

    def check() -> None:
        from django.db import connection

        with django_db_blocker.unblock():
            connection.check_constraints()

    return check


def _missing_service(item: pytest.Item) -> str | None:
    from django.db import connection

    if "postgres" in item.keywords and connection.vendor != "postgresql":
        return "postgres-pass"
    if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
    if "browser" in item.keywords and not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return "needs Debian's chromium (/usr/bin/chromium): apt-get install chromium"
    if "imap" in item.keywords and not (os.path.exists(DOVECOT) or shutil.which("dovecot")):
        return "needs Debian's dovecot (/usr/sbin/dovecot): apt-get install dovecot-imapd"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing_service(item)
    if reason == "postgres-pass":
        # Not a missing service: the PostgreSQL pass of `make test` runs these.
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of `make test`")
    if reason:
        if CI:
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded files go to a per-test folder, never into ./var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings):  # type: ignore[no-untyped-def]
    """Jobs are recorded, not run, unless a test switches to a real backend (django-tasks
    resets its backends whenever the TASKS setting changes)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "notifications"]}}


@pytest.fixture(autouse=True)
def _english_outside_the_pages(request):  # type: ignore[no-untyped-def]
    """Service-level tests read messages in English (the source language); the page tests
    (tests/web, e2e) see what users see: the Chinese default, or English when they switch."""
    from django.utils import translation

    path = str(request.node.path)
    if "/tests/web/" in path or "/e2e/" in path:
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches():  # type: ignore[no-untyped-def]
    """Every test starts and ends with empty caches. The caches hold what was read from rows
    (the region table, the safety words, the assignment rules, the quality overview…); a test's
    rows are rolled back with its transaction but its cache entries are not, and a later test
    (or the demo a package loads) must never be answered by them. A test that changed the safety
    words once made the demo's paused clocks fall due in the past, two packages later."""
    from django.core.cache import caches

    for backend in caches.all(initialized_only=True):
        backend.clear()
    yield
    for backend in caches.all(initialized_only=True):
        backend.clear()
