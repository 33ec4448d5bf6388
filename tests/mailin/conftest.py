from __future__ import annotations

from collections.abc import Callable

import pytest

from aftersales.mailin.models import InboundMessage, InboundSource
from aftersales.mailin.services import mailin_process, mailin_store

from .corpus import SUPPORT


@pytest.fixture(autouse=True)
def _mailbox(settings):  # type: ignore[no-untyped-def]
    settings.MAILIN_ADDRESS = f"售后服务 <{SUPPORT}>"
    settings.MAILIN_HTTP_SECRET = "push-secret-for-tests"


@pytest.fixture
def ingest(db) -> Callable[[bytes], InboundMessage]:  # type: ignore[no-untyped-def]
    """Store a raw email as the mailbox poller does, then run its processing job."""

    def run(raw: bytes, source: str = InboundSource.IMAP) -> InboundMessage:
        stored = mailin_store(raw=raw, source=source).message
        mailin_process(message_id=stored.pk)
        stored.refresh_from_db()
        return stored

    return run
