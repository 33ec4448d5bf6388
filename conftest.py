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


def pytest_configure(config: pytest.Config) -> None:
    """Compile the translation catalogues first, as `make run` does, so pages render in Chinese."""
    from pathlib import Path

    import polib

    for po_path in (Path(__file__).parent / "locale").glob("*/LC_MESSAGES/*.po"):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


@pytest.fixture(scope="session", autouse=True)
def _urls_loaded_before_any_frozen_clock(django_test_environment):  # type: ignore[no-untyped-def]
    """Load the URLconf (and with it the API's pydantic schemas) once, with the real clock: a
    first ``reverse()`` inside ``freeze_time`` would build the schemas on freezegun's datetime."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


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
