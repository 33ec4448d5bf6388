"""Issue 21, item 5: photos lose their EXIF/GPS data on upload (orientation applied), PDFs with
JavaScript or launch actions and the EICAR test file are refused — at the one upload check
(``tickets.attachments.sniff_upload``) every upload path calls: the staff page, the API, the
portal and field service."""

from __future__ import annotations

import io
import json
import socket
import threading
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from aftersales.accounts.models import DataScope, Role
from aftersales.core.errors import ValidationFailed
from aftersales.core.upload_checks import EICAR_SIGNATURE, clamd_scanner, pdf_active_content
from aftersales.tickets.attachments import sniff_upload
from aftersales.tickets.models import Attachment
from tests.factories import UserFactory, make_ticket

GPS_TAG = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(width: int = 40, height: int = 20) -> bytes:
    image = Image.new("RGB", (width, height), (200, 20, 20))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # shot rotated: shown 90° clockwise
    exif[0x010F] = "CameraMaker"
    exif[0x0110] = "Model-X SERIAL-12345"
    exif[GPS_TAG] = {1: "N", 2: (31.0, 14.0, 10.0), 3: "E", 4: (121.0, 28.0, 5.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "31.23N 121.47E home address")
    image = Image.new("RGB", (8, 8), (1, 2, 3))
    exif = Image.Exif()
    exif[GPS_TAG] = {1: "N", 2: (31.0, 14.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif.tobytes())
    return out.getvalue()


PDF_HEAD = b"%PDF-1.7\n"


def pdf_with(body: bytes) -> bytes:
    return PDF_HEAD + b"1 0 obj\n<< /Type /Catalog " + body + b" >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf_with_compressed_js() -> bytes:
    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    return (
        PDF_HEAD
        + b"2 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
        + hidden
        + b"\nendstream\nendobj\n%%EOF\n"
    )


# --- The check itself ----------------------------------------------------------------------------


def test_a_photo_loses_exif_and_gps_and_keeps_its_orientation():
    upload = SimpleUploadedFile("photo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    sniffed = sniff_upload(upload)
    upload.seek(0)
    cleaned = upload.read()
    assert b"SERIAL-12345" not in cleaned and b"CameraMaker" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert len(image.getexif()) == 0
        assert image.size == (20, 40)  # the rotation applied to the pixels
    assert sniffed.size == len(cleaned)
    # A second pass (the portal's form checks, then the service) does not re-encode again.
    before = cleaned
    sniff_upload(upload)
    upload.seek(0)
    assert upload.read() == before


def test_a_png_loses_its_text_and_exif_chunks():
    upload = ContentFile(png_with_text(), name="p.png")
    sniff_upload(upload)
    upload.seek(0)
    data = upload.read()
    assert b"home address" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert image.size == (8, 8)


@pytest.mark.parametrize(
    "pdf",
    [
        pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert('x')) >>"),
        pdf_with(b"/Names << /JavaScript 3 0 R >>"),
        pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (x) >>"),  # names written with #xx escapes
        pdf_with_compressed_js(),  # hidden in a compressed object stream
    ],
    ids=["openaction-js", "names-javascript", "launch", "escaped-names", "compressed"],
)
def test_a_pdf_with_javascript_or_a_launch_action_is_refused(pdf):
    with pytest.raises(ValidationFailed) as refused:
        sniff_upload(ContentFile(pdf, name="x.pdf"))
    assert refused.value.code == "attachment_active_content"
    assert "attachment" in refused.value.errors


def test_a_plain_pdf_is_accepted():
    plain = pdf_with(b"/Pages 2 0 R /JSON-like (not a name)")
    assert pdf_active_content(plain) is None
    assert sniff_upload(ContentFile(plain, name="ok.pdf")).content_type == "application/pdf"


@pytest.mark.parametrize("data", [EICAR_SIGNATURE, PDF_HEAD + b"% " + EICAR_SIGNATURE + b"\n%%EOF\n"], ids=["plain", "in-a-pdf"])
def test_the_eicar_test_file_is_refused_as_malware(data):
    with pytest.raises(ValidationFailed) as refused:
        sniff_upload(ContentFile(data, name="eicar.com"), field="photos")
    assert refused.value.code == "attachment_malware"
    assert "photos" in refused.value.errors


# --- Every path ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_staff_page_and_the_api_store_the_cleaned_photo_and_refuse_eicar():
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    ticket = make_ticket(actor=supervisor)
    client = Client()
    client.force_login(supervisor)
    client.post(
        reverse("tickets:add_attachment", args=[ticket.number]),
        {"attachment": SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg"), "public": "on"},
    )
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"file": SimpleUploadedFile("b.jpg", jpeg_with_gps(), content_type="image/jpeg")},
        headers={"Idempotency-Key": "upload-b"},
    )
    assert response.status_code == 201, response.content
    stored = list(Attachment.objects.filter(ticket=ticket))
    assert len(stored) == 2
    for attachment in stored:
        data = Path(attachment.file.path).read_bytes()
        assert b"SERIAL-12345" not in data
        assert attachment.size == len(data)
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif()
    refused = client.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"file": SimpleUploadedFile("e.pdf", PDF_HEAD + EICAR_SIGNATURE, content_type="application/pdf")},
        headers={"Idempotency-Key": "upload-e"},
    )
    assert refused.status_code == 422
    assert json.loads(refused.content)["code"] == "attachment_malware"
    assert Attachment.objects.filter(ticket=ticket).count() == 2


@pytest.mark.django_db
def test_field_service_photos_go_through_the_same_check():
    from aftersales.fieldservice.uploads import check_photo

    upload = SimpleUploadedFile("before.jpg", jpeg_with_gps(), content_type="image/jpeg")
    check_photo(upload)
    upload.seek(0)
    assert b"SERIAL-12345" not in upload.read()
    with pytest.raises(ValidationFailed):
        check_photo(ContentFile(EICAR_SIGNATURE, name="x.jpg"))


# --- clamd ---------------------------------------------------------------------------------------


class FakeClamd:
    """A socket server speaking clamd's INSTREAM answer (a real clamd in CI: docs/security.md)."""

    def __init__(self, answer: bytes) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.answer = answer
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            while not self.received.endswith(b"\0\0\0\0"):
                part = conn.recv(65536)
                if not part:
                    break
                self.received += part
            conn.sendall(self.answer)
        self.server.close()


def test_clamd_is_asked_when_configured():
    fake = FakeClamd(b"stream: Win.Test.Something FOUND\0")
    with override_settings(CLAMD_HOST="127.0.0.1", CLAMD_PORT=fake.port):
        assert clamd_scanner(b"some bytes") == "Win.Test.Something"
    assert fake.received.startswith(b"zINSTREAM\0")
    clean = FakeClamd(b"stream: OK\0")
    with override_settings(CLAMD_HOST="127.0.0.1", CLAMD_PORT=clean.port):
        assert clamd_scanner(b"fine") is None
    assert clamd_scanner(b"anything") is None  # not configured: scans nothing


def test_an_unreachable_clamd_refuses_when_fail_closed():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nobody listens there
    upload = ContentFile(pdf_with(b""), name="ok.pdf")
    with override_settings(CLAMD_HOST="127.0.0.1", CLAMD_PORT=port, UPLOAD_SCAN_FAIL_CLOSED=True):
        with pytest.raises(ValidationFailed) as refused:
            sniff_upload(upload)
        assert refused.value.code == "attachment_malware"
    with override_settings(CLAMD_HOST="127.0.0.1", CLAMD_PORT=port, UPLOAD_SCAN_FAIL_CLOSED=False):
        assert sniff_upload(upload).content_type == "application/pdf"
