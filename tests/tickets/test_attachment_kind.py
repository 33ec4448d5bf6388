"""Every file of a ticket knows what it is (``Attachment.kind``: a photo or video, an invoice, a
proof of purchase, another file), whichever way it was attached: the agent's intake (by field),
the ticket page's upload (chosen, else by its type), "Correct details" (a proof of purchase), the
customer's request form in the portal (a photo, a PDF receipt), email intake (by its type). The
visibility rules stay as they were; the 三包 reasons read the invoice and the proof of purchase."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import ValidationFailed
from aftersales.core.i18n import rendered
from aftersales.portal.services import portal_submit_request
from aftersales.remedies.facts import purchase_evidence_context
from aftersales.remedies.selectors import ticket_proposal
from aftersales.tickets.attachments import EvidenceKind as ReExported
from aftersales.tickets.attachments import kind_for_type
from aftersales.tickets.choices import Channel, EvidenceKind
from aftersales.tickets.models import Attachment
from aftersales.tickets.services import IntakeInput, ticket_add_attachment, ticket_intake
from aftersales.tickets.services.details import ticket_correct_details
from aftersales.tickets.services.intake import IntakeFile
from tests.factories import CustomerFactory, ProductUnitFactory, UserFactory, make_ticket
from tests.tickets.media import JPEG_BYTES, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db

SALE = dt.date(2026, 1, 10)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def handler() -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


def kinds(ticket: Any) -> dict[str, tuple[str, bool]]:
    """File name → (kind, visible to the customer)."""
    return {a.original_name: (a.kind, a.public) for a in Attachment.objects.filter(ticket=ticket)}


# --- The vocabulary --------------------------------------------------------------------------


def test_the_kind_lives_in_choices_and_is_still_importable_from_attachments():
    assert ReExported is EvidenceKind
    assert EvidenceKind.values == ["photo", "invoice", "purchase_proof", "other"]


@pytest.mark.parametrize(
    ("content_type", "document", "expected"),
    [
        ("image/png", EvidenceKind.OTHER, "photo"),
        ("image/heic", EvidenceKind.OTHER, "photo"),
        ("video/mp4", EvidenceKind.OTHER, "photo"),
        ("application/pdf", EvidenceKind.OTHER, "other"),
        ("application/pdf", EvidenceKind.PURCHASE_PROOF, "purchase_proof"),
        ("audio/mpeg", EvidenceKind.PURCHASE_PROOF, "other"),
    ],
)
def test_a_file_nobody_named_is_a_photo_by_its_type_else_another_file(content_type, document, expected):
    assert kind_for_type(content_type, document=document) == expected


# --- Each way a file is attached --------------------------------------------------------------


def test_the_agents_intake_keeps_the_kind_of_each_field_on_the_attachment():
    evidence = [
        IntakeFile(kind=EvidenceKind.PHOTO, file=upload("leak.png", png_bytes()), name="leak.png"),
        IntakeFile(kind=EvidenceKind.INVOICE, file=upload("fapiao.pdf", PDF_BYTES), name="fapiao.pdf"),
        IntakeFile(kind=EvidenceKind.PURCHASE_PROOF, file=upload("receipt.jpg", JPEG_BYTES), name="receipt.jpg"),
        IntakeFile(kind=EvidenceKind.OTHER, file=upload("letter.pdf", PDF_BYTES), name="letter.pdf"),
    ]
    ticket = ticket_intake(data=IntakeInput(**_intake()), actor=handler(), evidence=evidence).ticket
    # The kind on the row and, as before, in the timeline entry; only the photo is the customer's to see.
    assert kinds(ticket) == {
        "leak.png": ("photo", True),
        "fapiao.pdf": ("invoice", False),
        "receipt.jpg": ("purchase_proof", False),
        "letter.pdf": ("other", False),
    }
    assert all(a.event.data["evidence"] == a.kind for a in Attachment.objects.filter(ticket=ticket).select_related("event"))


def test_an_upload_on_the_ticket_page_is_the_kind_chosen_or_by_its_type():
    ticket, agent = make_ticket(), handler()
    chosen = ticket_add_attachment(
        ticket=ticket, actor=agent, fileobj=upload("fapiao.pdf", PDF_BYTES), filename="fapiao.pdf", public=False, kind="invoice"
    )
    photo = ticket_add_attachment(ticket=ticket, actor=agent, fileobj=upload("crack.jpg", JPEG_BYTES), filename="crack.jpg")
    document = ticket_add_attachment(ticket=ticket, actor=agent, fileobj=upload("report.pdf", PDF_BYTES), filename="report.pdf")
    assert (chosen.kind, photo.kind, document.kind) == ("invoice", "photo", "other")
    assert Attachment.objects.get(pk=chosen.pk).kind == "invoice"  # stored, not only on the instance
    assert (chosen.public, photo.public) == (False, True)  # the visibility is the uploader's choice, as before


def test_an_unknown_kind_is_refused_and_nothing_is_stored():
    ticket = make_ticket()
    with pytest.raises(ValidationFailed) as raised:
        ticket_add_attachment(
            ticket=ticket, actor=handler(), fileobj=upload("x.png", png_bytes()), filename="x.png", kind="selfie"
        )
    assert (raised.value.code, raised.value.field) == ("attachment_kind_invalid", "kind")
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_the_corrections_proof_of_purchase_is_a_proof_of_purchase_and_internal():
    agent = handler()
    ticket = make_ticket(actor=agent)
    ticket_correct_details(ticket=ticket, actor=agent, purchase_date=SALE, purchase_proof=upload("小票.jpg", JPEG_BYTES))
    assert kinds(ticket) == {"小票.jpg": ("purchase_proof", False)}


def test_the_customers_request_form_files_are_photos_and_a_pdf_receipt_and_all_theirs_to_see():
    user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=user, phone="+8613912345678", name="李娜")
    files = [
        IntakeFile(kind=EvidenceKind.PHOTO, file=upload("noise.png", png_bytes()), name="noise.png"),
        IntakeFile(kind=EvidenceKind.PURCHASE_PROOF, file=upload("receipt.pdf", PDF_BYTES), name="receipt.pdf"),
        upload("bare.pdf", PDF_BYTES),  # a caller without kinds: by the file's type
    ]
    data = IntakeInput(channel=Channel.WEB, customer_name="李娜", phone="13912345678", description="洗衣机噪音大")
    ticket = portal_submit_request(actor=user, data=data, files=files, idempotency_key="kinds").ticket
    assert kinds(ticket) == {
        "noise.png": ("photo", True),
        "receipt.pdf": ("purchase_proof", True),
        "bare.pdf": ("other", True),
    }


def test_the_portal_form_says_what_each_file_is_from_its_real_type():
    from aftersales.portal.forms import RequestForm

    user = UserFactory(role=Role.CUSTOMER)
    customer = CustomerFactory(user=user, phone="+8613912345679")
    data = {
        "idempotency_key": "k",
        "request_type": "repair",
        "description": "漏水",
        "occurred_certainty": "unknown",
        "province": "上海市",
        "city": "上海市",
        "address": "中山路1号",
        "phone": "13912345679",
    }
    # Named .jpg, but a PDF: the bytes decide.
    files = {"photos": [upload("leak.png", png_bytes()), upload("scan.jpg", PDF_BYTES)]}
    form = RequestForm(data, _files(files), customer=customer, units=[], address=None)
    assert form.is_valid(), form.errors
    assert [(item.name, item.kind) for item in form.evidence()] == [("leak.png", "photo"), ("scan.jpg", "purchase_proof")]


def test_the_portal_form_uses_the_one_limit_and_the_one_check():
    from aftersales.portal.forms import MAX_FILES, RequestForm
    from aftersales.tickets.attachments import MAX_REQUEST_FILES
    from aftersales.tickets.forms import MultipleFileField

    assert MAX_FILES == MAX_REQUEST_FILES
    user = UserFactory(role=Role.CUSTOMER)
    customer = CustomerFactory(user=user, phone="+8613912345670")
    form = RequestForm(
        {"description": "x"}, _files({"photos": [upload("ok.png", png_bytes()), upload("run.sh", b"#!/bin/sh\n")]}),
        customer=customer, units=[], address=None,
    )  # fmt: skip
    assert isinstance(form.fields["photos"], MultipleFileField)
    assert not form.is_valid()
    assert [message.split(":")[0] for message in form.errors["photos"]] == ["run.sh"]


def test_email_attachments_are_photos_or_other_files_by_their_type(settings):
    from aftersales.mailin.models import InboundSource
    from aftersales.mailin.services import mailin_process, mailin_store
    from tests.mailin import corpus

    settings.MAILIN_ADDRESS = f"售后服务 <{corpus.SUPPORT}>"
    raw = corpus.with_attachments(files=[("照片.png", png_bytes(), "octet-stream"), ("发票.pdf", PDF_BYTES, "pdf")])
    stored = mailin_store(raw=raw, source=InboundSource.IMAP).message
    mailin_process(message_id=stored.pk)
    stored.refresh_from_db()
    # Nobody said what the files are: a photo is a photo, the PDF another file (staff may say more on the page).
    assert kinds(stored.ticket) == {"照片.png": ("photo", True), "发票.pdf": ("other", True)}


# --- The 三包 reasons --------------------------------------------------------------------------


def _reasons(ticket: Any, language: str = "en") -> list[str]:
    with translation.override(language):
        return [rendered(reason) for reason in ticket_proposal(ticket=ticket, today=SALE + dt.timedelta(days=5)).reasons]


def _ticket_on(unit: Any) -> Any:
    from tests.remedies.helpers import ticket_on

    return ticket_on(unit, SALE + dt.timedelta(days=3))


def test_an_attached_invoice_is_named_in_the_remedies_reasons_in_both_languages():
    ticket = _ticket_on(ProductUnitFactory(purchase_date=SALE))
    assert not any("invoice" in text for text in _reasons(ticket))  # registered date, no proof: nothing said
    ticket_add_attachment(
        ticket=ticket,
        actor=handler(),
        fileobj=upload("fapiao.pdf", PDF_BYTES),
        filename="fapiao.pdf",
        public=False,
        kind="invoice",
    )
    assert (
        "An invoice or a proof of purchase is attached to this ticket: the purchase date can be checked against it."
        in _reasons(ticket)
    )
    assert "本工单已附发票或购买凭证：可据此核对购买日期。" in _reasons(ticket, "zh-hans")
    assert not any("fapiao" in text for text in _reasons(ticket))  # an internal file's name stays internal


def test_a_photo_is_no_proof_and_without_a_purchase_date_the_customer_is_asked_for_one():
    unit = ProductUnitFactory(purchase_date=None, production_date=dt.date(2025, 10, 10))  # + 3 grace months: SALE
    ticket = _ticket_on(unit)
    ticket_add_attachment(ticket=ticket, actor=handler(), fileobj=upload("leak.png", png_bytes()), filename="leak.png")
    assert "No invoice or proof of purchase is attached to this ticket: ask the customer for one." in _reasons(ticket)
    ticket_add_attachment(
        ticket=ticket, actor=handler(), fileobj=upload("receipt.jpg", JPEG_BYTES), filename="receipt.jpg", kind="purchase_proof"
    )
    assert any(
        text.startswith("An invoice or a proof of purchase is attached to this ticket, but no purchase date")
        for text in _reasons(ticket)
    )


@pytest.mark.parametrize(
    ("evidence", "purchase_date_known", "sale_date_known", "says"),
    [
        (True, True, True, "can be checked against it"),
        (True, False, True, "no purchase date is registered"),
        (True, False, False, "no purchase date is registered"),
        (False, False, True, "ask the customer for one"),
        (False, True, True, None),  # most tickets: nothing to say
        (False, False, False, None),  # the engine already asks for the proof
    ],
)
def test_what_the_reasons_say_about_the_purchase_evidence(evidence, purchase_date_known, sale_date_known, says):
    note = purchase_evidence_context(evidence=evidence, purchase_date_known=purchase_date_known, sale_date_known=sale_date_known)
    if says is None:
        assert note is None
    else:
        with translation.override("en"):
            assert says in rendered(note)


# --- helpers ---------------------------------------------------------------------------------


def _intake() -> dict[str, Any]:
    return {"channel": Channel.HOTLINE, "customer_name": "王芳", "phone": "13800001111", "description": "冰箱不制冷"}


def _files(files: dict[str, list[SimpleUploadedFile]]) -> Any:
    from django.utils.datastructures import MultiValueDict

    return MultiValueDict(files)
