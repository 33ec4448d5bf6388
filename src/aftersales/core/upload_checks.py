"""What every uploaded file goes through besides its type and size (issue 21), called from the
one upload check ``tickets.attachments.sniff_upload`` (used by the staff pages, the portal, the
API, mail intake and field service):

* ``scan_for_malware``: the scanners named in ``UPLOAD_SCANNERS`` (dotted paths of callables
  ``scanner(data: bytes) -> str | None`` returning the name of what was found). Built in:
  ``eicar_scanner`` (the EICAR test signature: proves the chain works, catches nothing real) and
  ``clamd_scanner`` (ClamAV's daemon over its INSTREAM protocol at ``CLAMD_SOCKET`` (a Unix
  socket path) or ``CLAMD_HOST``:``CLAMD_PORT``; when neither is set it scans nothing). A scanner
  that cannot answer (clamd down) refuses the file when ``UPLOAD_SCAN_FAIL_CLOSED`` is true.
* ``pdf_active_content``: a PDF with JavaScript (``/JS``, ``/JavaScript``) or a launch action
  (``/Launch``) — also inside compressed object streams and with ``#xx``-escaped names — is
  refused.
* ``strip_image_metadata`` (``upload_images``): a JPEG, PNG, GIF, WebP or HEIC/HEIF photo is
  re-saved without EXIF (GPS, camera serial), XMP, comments or text chunks, with its orientation
  applied to the pixels first; animated GIF/WebP/APNG keep all their frames.
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import zlib
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.utils.module_loading import import_string

from .upload_images import HeifUnsupported, heif_brand, image_content_type, strip_image_metadata

__all__ = [
    "HeifUnsupported",
    "ScannerUnavailable",
    "clamd_scanner",
    "eicar_scanner",
    "heif_brand",
    "image_content_type",
    "pdf_active_content",
    "replace_contents",
    "scan_for_malware",
    "strip_image_metadata",
]

EICAR_SIGNATURE = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class ScannerUnavailable(Exception):
    """The scanner could not give an answer (no connection, a protocol error)."""


# --- Malware ----------------------------------------------------------------------------------


def eicar_scanner(data: bytes) -> str | None:
    return "EICAR-Test-Signature" if EICAR_SIGNATURE in data else None


def clamd_scanner(data: bytes) -> str | None:
    """Ask clamd (INSTREAM). ``None`` when clean or when no clamd is configured."""
    path = getattr(settings, "CLAMD_SOCKET", "")
    host = getattr(settings, "CLAMD_HOST", "")
    if not path and not host:
        return None
    timeout = float(getattr(settings, "CLAMD_TIMEOUT_SECONDS", 30))
    try:
        if path:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(timeout)
            conn.connect(path)
        else:
            conn = socket.create_connection((host, int(getattr(settings, "CLAMD_PORT", 3310))), timeout=timeout)
        with conn:
            conn.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), 65536):
                chunk = data[start : start + 65536]
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                part = conn.recv(4096)
                if not part:
                    break
                answer += part
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    text = answer.rstrip(b"\0").decode("utf-8", "replace")
    # "stream: OK" | "stream: Eicar-Signature FOUND" | "INSTREAM size limit exceeded. ERROR"
    if text.endswith("FOUND"):
        return text.partition(": ")[2].removesuffix(" FOUND") or "malware"
    if text.endswith("OK"):
        return None
    raise ScannerUnavailable(text)


DEFAULT_SCANNERS = ("aftersales.core.upload_checks.eicar_scanner", "aftersales.core.upload_checks.clamd_scanner")


def _scanners() -> list[Callable[[bytes], str | None]]:
    return [import_string(path) for path in getattr(settings, "UPLOAD_SCANNERS", DEFAULT_SCANNERS)]


def scan_for_malware(data: bytes) -> str | None:
    """The name of what a scanner found, ``"scanner_unavailable"`` when one could not answer and
    ``UPLOAD_SCAN_FAIL_CLOSED`` is set, else ``None``."""
    for scanner in _scanners():
        try:
            found = scanner(data)
        except ScannerUnavailable:
            if getattr(settings, "UPLOAD_SCAN_FAIL_CLOSED", False):
                return "scanner_unavailable"
            continue
        if found:
            return found
    return None


# --- PDF ----------------------------------------------------------------------------------------

_ACTIVE_NAMES = re.compile(rb"/(JS|JavaScript|Launch)(?![A-Za-z0-9])")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
MAX_INFLATED_BYTES = 50 * 1024 * 1024


def _unescape_names(data: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def pdf_active_content(data: bytes) -> str | None:
    """The first active-content name (``JavaScript``, ``JS``, ``Launch``) in a PDF, looking into
    Flate-compressed streams too (object streams hide dictionaries there), else ``None``."""
    found = _ACTIVE_NAMES.search(_unescape_names(data))
    if found:
        return found.group(1).decode()
    budget = MAX_INFLATED_BYTES
    for match in _STREAM.finditer(data):
        try:
            inflater = zlib.decompressobj()
            inflated = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        found = _ACTIVE_NAMES.search(_unescape_names(inflated))
        if found:
            return found.group(1).decode()
        if budget <= 0:
            return "oversized_streams"  # a decompression bomb is refused, not scanned forever
    return None


# --- Images: ``upload_images`` (re-exported here, the one place the upload check imports from) --


def replace_contents(fileobj: IO[bytes], data: bytes) -> None:
    """Write ``data`` over ``fileobj`` (an upload, a ``ContentFile``, a temporary file)."""
    fileobj.seek(0)
    fileobj.write(data)
    fileobj.truncate()
    fileobj.seek(0)
    if hasattr(fileobj, "size"):
        with contextlib.suppress(AttributeError):  # a read-only property somewhere
            fileobj.size = len(data)
