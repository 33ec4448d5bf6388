"""Polling the intake mailbox over IMAP (stdlib imaplib).

Each message is fetched without marking it read, stored and committed (``mailin_store``), and
only then flagged deleted and expunged on the server. A crash between the two leaves the
message on the server; the next run fetches it again and the Message-ID makes it a duplicate
that is simply removed.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass

from django.conf import settings

from .models import InboundSource
from .services import mailin_store

logger = logging.getLogger("aftersales.mailin")
BATCH = 200


@dataclass
class FetchReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0


def _connect() -> imaplib.IMAP4:
    host, port = settings.MAILIN_IMAP_HOST, settings.MAILIN_IMAP_PORT
    if settings.MAILIN_IMAP_SSL:
        return imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=30)
    conn = imaplib.IMAP4(host, port, timeout=30)
    if settings.MAILIN_IMAP_STARTTLS:
        conn.starttls(ssl_context=ssl.create_default_context())
    return conn


def mailin_fetch_imap() -> FetchReport:
    """Fetch, store and remove up to ``BATCH`` messages; returns what it did."""
    report = FetchReport()
    if not settings.MAILIN_IMAP_HOST:
        return report
    conn = _connect()
    try:
        conn.login(settings.MAILIN_IMAP_USER, settings.MAILIN_IMAP_PASSWORD)
        status, _ = conn.select(settings.MAILIN_IMAP_FOLDER)
        if status != "OK":
            raise RuntimeError(f"cannot open folder {settings.MAILIN_IMAP_FOLDER}")
        status, data = conn.uid("SEARCH", "UNDELETED")
        uids = (data[0] or b"").split()[:BATCH] if status == "OK" and data else []
        for uid in uids:
            status, parts = conn.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) == 2), None)
            if status != "OK" or not isinstance(raw, bytes):
                logger.warning("IMAP: could not fetch uid %s", uid)
                continue
            report.fetched += 1
            result = mailin_store(raw=raw, source=InboundSource.IMAP)  # committed when it returns
            report.stored += int(result.created)
            report.duplicates += int(not result.created)
            conn.uid("STORE", uid.decode(), "+FLAGS", r"(\Deleted)")
        if uids:
            conn.expunge()
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
    return report
