"""Where a file's kind is shown: the ticket page's attachments (a badge per file, in the reader's
language) and its upload form (a kind to choose), the case file (its table and PDF) and the API
(``AttachmentOut.kind``); the customer sees only their public files, whatever their kind."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from aftersales.accounts.models import DataScope, Role, User
from aftersales.casefile.pdf import case_file_pdf
from aftersales.casefile.selectors import ATTACHMENTS, case_file_for
from aftersales.tickets.models import Attachment, Ticket
from aftersales.tickets.services import ticket_add_attachment
from tests.api.conftest import api_client, customer_user
from tests.clients import client_for, client_for_language
from tests.factories import UserFactory, make_ticket
from tests.tickets.media import JPEG_BYTES, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'data-test-id="attachment-kind" data-kind="(\w+)">([^<]+)</span>')


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def with_files(agent: User) -> Ticket:
    """A ticket with a photo (public), an invoice and a proof of purchase (internal)."""
    ticket = make_ticket(actor=agent)
    for name, content, kind, public in (
        ("leak.png", png_bytes(), None, True),
        ("fapiao.pdf", PDF_BYTES, "invoice", False),
        ("receipt.jpg", JPEG_BYTES, "purchase_proof", False),
    ):
        ticket_add_attachment(ticket=ticket, actor=agent, fileobj=upload(name, content), filename=name, public=public, kind=kind)
    return ticket


def badges(html: str) -> list[tuple[str, str]]:
    return [(kind, label.strip()) for kind, label in BADGE.findall(html)]


# --- The ticket page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "labels"),
    [("en", ["Photo or video", "Invoice", "Proof of purchase"]), ("zh-hans", ["照片或视频", "发票", "购买凭证"])],
)
def test_the_ticket_page_shows_each_files_kind_in_the_readers_language(agent, language, labels):
    ticket = with_files(agent)
    html = client_for_language(agent, language).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert badges(html) == list(zip(["photo", "invoice", "purchase_proof"], labels, strict=True))


def test_the_upload_form_offers_the_kinds_with_by_type_first(agent):
    ticket = make_ticket(actor=agent)
    html = client_for_language(agent, "zh-hans").get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    select = re.search(r'<select name="kind" id="id_attachment_kind">(.*?)</select>', html, re.S)
    assert select is not None
    values = re.findall(r'<option value="(\w*)"', select.group(1))
    assert values == ["", "photo", "invoice", "purchase_proof", "other"]
    assert "按文件类型判断" in select.group(1) and "文件类别" in html


def test_a_file_uploaded_on_the_page_is_the_kind_chosen(agent):
    ticket = make_ticket(actor=agent)
    url = reverse("tickets:add_attachment", args=[ticket.number])
    response = client_for_language(agent, "en").post(
        url, {"attachment": upload("fapiao.pdf", PDF_BYTES), "kind": "invoice"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert Attachment.objects.get(ticket=ticket).kind == "invoice"
    assert badges(response.content.decode()) == [("invoice", "Invoice")]


def test_a_file_uploaded_on_the_page_without_a_kind_is_a_photo_or_another_file(agent):
    ticket = make_ticket(actor=agent)
    url = reverse("tickets:add_attachment", args=[ticket.number])
    client = client_for(agent)
    client.post(url, {"attachment": upload("crack.jpg", JPEG_BYTES), "kind": "", "public": "on"})
    client.post(url, {"attachment": upload("report.pdf", PDF_BYTES)})
    assert dict(Attachment.objects.filter(ticket=ticket).values_list("original_name", "kind")) == {
        "crack.jpg": "photo",
        "report.pdf": "other",
    }


def test_an_unknown_kind_is_refused_on_the_form(agent):
    ticket = make_ticket(actor=agent)
    url = reverse("tickets:add_attachment", args=[ticket.number])
    response = client_for(agent).post(url, {"attachment": upload("x.png", png_bytes()), "kind": "selfie"})
    assert response.status_code == 200  # the page again, with the error
    assert not Attachment.objects.filter(ticket=ticket).exists()


# --- The case file ----------------------------------------------------------------------------


def test_the_case_file_names_each_files_kind_and_the_customers_copy_only_their_public_files(agent):
    ticket = with_files(agent)
    with translation.override("zh-hans"):
        case = case_file_for(ticket=ticket, viewer=agent, include=frozenset({ATTACHMENTS}))
        assert [(a.name, a.kind, a.kind_label) for a in case.attachments] == [
            ("leak.png", "photo", "照片或视频"),
            ("fapiao.pdf", "invoice", "发票"),
            ("receipt.jpg", "purchase_proof", "购买凭证"),
        ]
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(case_file_pdf(case))).pages)
    assert all(label in text for label in ("类型", "照片或视频", "发票", "购买凭证"))
    customer = customer_user(ticket, "kind-customer")
    theirs = case_file_for(ticket=ticket, viewer=customer, include=frozenset({ATTACHMENTS}))
    assert [(a.name, a.kind) for a in theirs.attachments] == [("leak.png", "photo")]


# --- The API ------------------------------------------------------------------------------------


def test_the_api_lists_and_answers_uploads_with_the_kind(agent):
    ticket = with_files(agent)
    client = api_client(agent)
    listed = client.get(f"/api/v1/tickets/{ticket.number}/attachments")
    assert listed.status_code == 200
    assert [(a["original_name"], a["kind"]) for a in listed.json()] == [
        ("leak.png", "photo"),
        ("fapiao.pdf", "invoice"),
        ("receipt.jpg", "purchase_proof"),
    ]
    uploaded = client.upload(f"/api/v1/tickets/{ticket.number}/attachments", {"file": upload("crack.jpg", JPEG_BYTES)})
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["kind"] == "photo"  # by its type: the API takes no kind (yet)
    customer = customer_user(ticket, "kind-api-customer")
    theirs = api_client(customer).get(f"/api/v1/tickets/{ticket.number}/attachments").json()
    assert [(a["original_name"], a["kind"]) for a in theirs] == [("leak.png", "photo"), ("crack.jpg", "photo")]
