"""Attachment checks: the type is read from the bytes, never trusted from the name or the browser.

``sniff_upload`` is the one check every upload path calls (staff pages, portal, API, mail intake,
field service): size, malware scan, real type, no active content in PDFs, and photos re-saved
without their EXIF/GPS metadata (``core.upload_checks``; issue 21). The file object is rewritten
in place when its metadata is removed, so what the caller stores afterwards is the clean file."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import IO

import puremagic
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

from aftersales.core.errors import ValidationFailed
from aftersales.core.upload_checks import (
    image_content_type,
    pdf_active_content,
    replace_contents,
    scan_for_malware,
    strip_image_metadata,
)

ALLOWED_CONTENT_TYPES: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "audio/mpeg": ".mp3",
    "audio/x-wav": ".wav",
    "audio/wav": ".wav",
}


@dataclass(frozen=True)
class SniffedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def sniff_upload(fileobj: IO[bytes], *, field: str = "attachment") -> SniffedFile:
    """Check size and real type of an uploaded file; raise ``ValidationFailed`` naming ``field``."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise ValidationFailed({field: [_("The file is empty.")]}, code="attachment_empty")
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationFailed(
            {field: [_("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}]}, code="attachment_too_large"
        )
    data = fileobj.read()
    fileobj.seek(0)
    if scan_for_malware(data):
        raise ValidationFailed(
            {field: [_("This file was refused: the virus scan found malware in it (or could not check it).")]},
            code="attachment_malware",
        )
    try:
        matches = puremagic.magic_string(data[:8192])
    except (puremagic.PureError, ValueError):
        matches = []
    content_type = next((m.mime_type for m in matches if m.mime_type in ALLOWED_CONTENT_TYPES), "")
    content_type = image_content_type(data, content_type)  # an iPhone's HEIC photo sniffs as video/mp4
    if not content_type:
        raise ValidationFailed(
            {
                field: [
                    _(
                        "This file type is not accepted. Upload a photo (JPEG, PNG, GIF, WebP, HEIC), a PDF, a video (MP4) or audio."
                    )
                ]
            },
            code="attachment_type",
        )
    if content_type == "application/pdf" and pdf_active_content(data):
        raise ValidationFailed(
            {
                field: [
                    _(
                        "This PDF contains JavaScript or an action that starts a program; it is not accepted. Print it to a new PDF and upload that."
                    )
                ]
            },
            code="attachment_active_content",
        )
    try:
        cleaned = strip_image_metadata(data, content_type)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed({field: [_("This photo could not be read.")]}, code="attachment_unreadable") from None
    if cleaned is not None:
        try:
            replace_contents(fileobj, cleaned)
        except (OSError, AttributeError, io.UnsupportedOperation):
            raise ValidationFailed({field: [_("This photo could not be read.")]}, code="attachment_unreadable") from None
        data = cleaned
    return SniffedFile(
        content_type=content_type,
        extension=ALLOWED_CONTENT_TYPES[content_type],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
