"""Checks of the files a work order takes: photos, permits, receipts and the drawn signature.
The type is read from the bytes (``tickets.attachments.sniff_upload``), never from the name."""

from __future__ import annotations

import base64
import binascii
import io
from typing import IO, cast

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed
from aftersales.tickets.attachments import SniffedFile, sniff_upload

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
DOCUMENT_TYPES = PHOTO_TYPES | {"application/pdf"}
SIGNATURE_PREFIX = "data:image/png;base64,"


def photo_max_bytes() -> int:
    return int(getattr(settings, "FIELDSERVICE_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def signature_max_bytes() -> int:
    return int(getattr(settings, "FIELDSERVICE_SIGNATURE_MAX_BYTES", 512 * 1024))


def _check(fileobj: IO[bytes], *, field: str, allowed: frozenset[str], limit: int, message: object) -> SniffedFile:
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    if size > limit:
        raise ValidationFailed(
            {field: [_("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}]}, code="file_too_large"
        )
    sniffed = sniff_upload(fileobj, field=field)  # empty, too large for attachments, unknown type
    if sniffed.content_type not in allowed:
        raise ValidationFailed({field: [message]}, code="file_type")
    return sniffed


def check_photo(fileobj: IO[bytes], *, field: str = "photo") -> SniffedFile:
    """A photo (JPEG, PNG, WebP, HEIC) of at most FIELDSERVICE_PHOTO_MAX_BYTES."""
    return _check(
        fileobj,
        field=field,
        allowed=PHOTO_TYPES,
        limit=photo_max_bytes(),
        message=_("Upload a photo (JPEG, PNG, WebP or HEIC)."),
    )


def check_document(fileobj: IO[bytes], *, field: str) -> SniffedFile:
    """A permit or a receipt: a photo or a PDF."""
    return _check(
        fileobj,
        field=field,
        allowed=DOCUMENT_TYPES,
        limit=photo_max_bytes(),
        message=_("Upload a photo or a PDF."),
    )


def decode_signature(data: str, *, field: str = "signature") -> bytes:
    """The PNG a signature pad posted as a data URL: decoded, checked to be a real PNG of a
    sensible size, and not blank. Returns the PNG bytes."""
    from PIL import Image, UnidentifiedImageError

    text = (data or "").strip()
    if not text:
        raise ValidationFailed({field: [_("Ask the customer to sign in the box.")]}, code="signature_required")
    if not text.startswith(SIGNATURE_PREFIX):
        raise ValidationFailed({field: [_("The signature must be a PNG image.")]}, code="signature_format")
    encoded = text[len(SIGNATURE_PREFIX) :]
    if len(encoded) > signature_max_bytes() * 4 // 3 + 4:
        raise ValidationFailed({field: [_("The signature image is too large.")]}, code="signature_too_large")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed({field: [_("The signature must be a PNG image.")]}, code="signature_format") from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationFailed({field: [_("The signature must be a PNG image.")]}, code="signature_format")
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise ValidationFailed({field: [_("The signature must be a PNG image.")]}, code="signature_format")
            width, height = image.size
            if not (50 <= width <= 4000 and 30 <= height <= 4000):
                raise ValidationFailed({field: [_("The signature image has an odd size.")]}, code="signature_size")
            image.load()
            grey_band, alpha_band = image.convert("LA").split()
            grey_low, grey_high = cast(tuple[float, float], grey_band.getextrema())
            alpha_low, alpha_high = cast(tuple[float, float], alpha_band.getextrema())
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationFailed({field: [_("The signature must be a PNG image.")]}, code="signature_format") from None
    # Blank: one colour everywhere and one transparency everywhere.
    if grey_low == grey_high and alpha_low == alpha_high:
        raise ValidationFailed({field: [_("The signature is empty; ask the customer to sign.")]}, code="signature_blank")
    return raw
