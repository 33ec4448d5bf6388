"""Attachment checks: the type is read from the bytes, never trusted from the name or the browser.

``sniff_upload`` is the one check every upload path calls (staff pages, portal, API, mail intake,
field service): size, malware scan, real type, no active content in PDFs, and photos re-saved
without their EXIF/GPS metadata (``core.upload_checks``; issue 21). The file object is rewritten
in place when its metadata is removed, so what the caller stores afterwards is the clean file.
``sniff_uploads`` checks several files given under one field and names every refused one.

``attachment_stage`` is where a checked file of a ticket goes to storage (under a generated name,
``core.uploads``): the caller gives the row its timeline entry and saves it in its transaction.

Every attachment knows what it is (``Attachment.kind``, an ``EvidenceKind``: a photo or video,
an invoice, a proof of purchase, another file): the uploader says it (the intake page's field, the
ticket page's select, the correction's proof of purchase) or it follows from the file's type
(``kind_for_type``). A request's evidence (SPEC §2.1) is at most ``MAX_REQUEST_FILES`` files."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

import puremagic
from django.conf import settings
from django.core.files.base import File
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

from .choices import EvidenceKind as EvidenceKind  # lives in choices.py (the model reads it); kept importable here
from .models import Attachment

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


# Files a request may bring (the portal's request form, the agent's intake page).
MAX_REQUEST_FILES = 6


def kind_for_type(content_type: str, *, document: str = EvidenceKind.OTHER) -> str:
    """The kind of a file nobody named: a photo or a video is a photo (the fault as seen); a PDF
    is ``document`` (another file, unless the caller knows better: the portal's request form
    asks for "a PDF of the receipt"); anything else (audio) another file."""
    if content_type.startswith(("image/", "video/")):
        return EvidenceKind.PHOTO
    if content_type == "application/pdf":
        return document
    return EvidenceKind.OTHER


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


def upload_name(fileobj: IO[bytes], *, default: str = "file") -> str:
    """The file name the uploader gave (without any folder), for people: never a storage path."""
    name = str(getattr(fileobj, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:200] or default


def sniff_uploads(files: Sequence[IO[bytes]], *, field: str) -> list[SniffedFile]:
    """``sniff_upload`` of each of ``files`` (given under one ``field``): every refused file is
    named with its reason ("scan.exe: This file type is not accepted …") in one
    ``ValidationFailed`` on ``field``, with the code of the first refusal."""
    sniffed: list[SniffedFile] = []
    problems: list[str] = []
    code = ""
    for fileobj in files:
        try:
            sniffed.append(sniff_upload(fileobj, field=field))
        except ValidationFailed as exc:
            problems += [f"{upload_name(fileobj)}: {message}" for message in exc.errors.get(field, [exc.message])]
            code = code or exc.code
    if problems:
        raise ValidationFailed({field: problems}, code=code)
    return sniffed


def attachment_stage(
    *,
    ticket_id: int,
    fileobj: IO[bytes],
    sniffed: SniffedFile,
    filename: str,
    public: bool,
    actor_id: int | None,
    kind: str,
) -> Attachment:
    """An unsaved attachment of ticket ``ticket_id`` (of ``kind``, an ``EvidenceKind``) whose file
    (checked: ``sniffed``) is written to storage now, under a generated name. The caller links it
    to its timeline entry and saves the row in its transaction (a rolled-back row leaves the
    stored file unreferenced)."""
    attachment = Attachment(
        ticket_id=ticket_id,
        kind=kind,
        original_name=(filename or "file")[:200],
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        public=public,
        uploaded_by_id=actor_id,
    )
    attachment.file.save(f"upload{sniffed.extension}", File(fileobj), save=False)
    return attachment


def sniff_evidence(files: Sequence[tuple[str, IO[bytes]]]) -> list[SniffedFile]:
    """The evidence of a request (``(EvidenceKind, file)`` pairs): at most ``MAX_REQUEST_FILES``
    (else refused on ``evidence``), each file checked by ``sniff_upload``; every refused file is
    named on its kind's field (``evidence_<kind>``). The results in the order given."""
    if len(files) > MAX_REQUEST_FILES:
        raise ValidationFailed(
            {"evidence": [_("At most %(count)d files, please.") % {"count": MAX_REQUEST_FILES}]}, code="too_many_files"
        )
    if any(kind not in EvidenceKind.values for kind, _file in files):
        raise ValidationFailed({"evidence": [_("Say what each file is.")]}, code="evidence_kind_invalid")
    errors: dict[str, list[Any]] = {}
    code = ""
    sniffed: dict[int, SniffedFile] = {}
    for kind in EvidenceKind.values:
        indexes = [index for index, (given, _file) in enumerate(files) if given == kind]
        if not indexes:
            continue
        try:
            results = sniff_uploads([files[index][1] for index in indexes], field=f"evidence_{kind}")
        except ValidationFailed as exc:
            errors.update(exc.errors)
            code = code or exc.code
            continue
        sniffed.update(zip(indexes, results, strict=True))
    if errors:
        raise ValidationFailed(errors, code=code)
    return [sniffed[index] for index in range(len(files))]


def content_digest(fileobj: IO[bytes]) -> str:
    """SHA-256 of an upload's bytes as sent, up to one byte past the size limit (a larger file is
    refused anyway); the file is read from its start and left there."""
    digest = hashlib.sha256()
    left = settings.ATTACHMENT_MAX_BYTES + 1
    fileobj.seek(0)
    while left > 0 and (chunk := fileobj.read(min(left, 1 << 20))):
        digest.update(chunk)
        left -= len(chunk)
    fileobj.seek(0)
    return digest.hexdigest()
