"""Issue 21: the optional virus scan through a real ClamAV daemon — started by the test with a
signature database it writes itself — refuses the EICAR test file and accepts a clean one, over
a Unix socket and over TCP, through the one upload check every upload path calls."""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from aftersales.core.errors import ValidationFailed
from aftersales.core.upload_checks import EICAR_SIGNATURE, ScannerUnavailable, clamd_scanner
from aftersales.tickets.attachments import sniff_upload
from tests.security.clamd_server import SIGNATURE_NAME, Clamd, running_clamd

CLAMD_ONLY = ("aftersales.core.upload_checks.clamd_scanner",)  # the built-in EICAR check left out
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def settings_for(server: Clamd) -> dict[str, object]:
    return {
        "UPLOAD_SCANNERS": CLAMD_ONLY,
        "CLAMD_SOCKET": server.socket_path,
        "CLAMD_HOST": server.host,
        "CLAMD_PORT": server.port,
        "UPLOAD_SCAN_FAIL_CLOSED": True,
    }


@pytest.mark.parametrize("tcp", [False, True], ids=["unix-socket", "tcp"])
def test_a_real_clamd_refuses_eicar_and_accepts_a_clean_file(tmp_path, tcp):
    started = time.monotonic()
    with running_clamd(tmp_path, tcp=tcp) as server, override_settings(**settings_for(server)):
        assert time.monotonic() - started < 30
        assert clamd_scanner(PDF) is None
        assert clamd_scanner(PDF + EICAR_SIGNATURE).startswith(SIGNATURE_NAME)
        with pytest.raises(ValidationFailed) as refused:
            sniff_upload(ContentFile(PDF + EICAR_SIGNATURE, name="invoice.pdf"), field="attachment")
        assert refused.value.code == "attachment_malware"
        assert "attachment" in refused.value.errors
        assert sniff_upload(ContentFile(PDF, name="invoice.pdf")).content_type == "application/pdf"
        big = PDF + b"%" + b"x" * 200_000 + b"\n"  # more than one INSTREAM chunk
        assert clamd_scanner(big) is None and clamd_scanner(big + EICAR_SIGNATURE).startswith(SIGNATURE_NAME)


def test_when_the_real_clamd_stops_uploads_are_refused_fail_closed(tmp_path):
    with running_clamd(tmp_path) as server:
        configured = settings_for(server)
    with override_settings(**configured):
        with pytest.raises(ScannerUnavailable):
            clamd_scanner(PDF)
        with pytest.raises(ValidationFailed) as refused:
            sniff_upload(ContentFile(PDF, name="ok.pdf"))
        assert refused.value.code == "attachment_malware"


def test_without_clamd_ci_fails_and_a_laptop_skips(monkeypatch):
    from tests.security import clamd_server

    monkeypatch.setattr(clamd_server, "clamd_binary", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="clamav-daemon"):
        clamd_server.require_clamd()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y -qq clamav-daemon"):
        clamd_server.require_clamd()
