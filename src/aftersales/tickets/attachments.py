"""Attachment checks: the type is read from the bytes, never trusted from the name or the browser."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

import puremagic
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed

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
    head = fileobj.read(8192)
    fileobj.seek(0)
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    content_type = next((m.mime_type for m in matches if m.mime_type in ALLOWED_CONTENT_TYPES), "")
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
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(65536), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return SniffedFile(
        content_type=content_type, extension=ALLOWED_CONTENT_TYPES[content_type], size=size, sha256=digest.hexdigest()
    )
