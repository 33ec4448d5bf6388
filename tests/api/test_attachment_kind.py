"""``POST /api/v1/tickets/{number}/attachments`` takes an optional ``kind`` (an EvidenceKind) as
a form field: stored on the attachment; another value is refused naming the field; left out, the
kind comes from the file's type."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.tickets.models import Attachment
from tests.api.conftest import api_client, png_bytes

pytestmark = pytest.mark.django_db


def _upload(client, number: str, **fields: str):
    return client.upload(
        f"/api/v1/tickets/{number}/attachments", {"file": SimpleUploadedFile("发票.png", png_bytes(), "image/png"), **fields}
    )


def test_an_invoice_is_stored_as_an_invoice(world):
    number = world["east_ticket"].number
    created = _upload(api_client(world["east_customer"]), number, kind="invoice")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "invoice"
    assert Attachment.objects.get(pk=created.json()["id"]).kind == "invoice"


def test_without_a_kind_a_photo_is_a_photo(world):
    number = world["east_ticket"].number
    created = _upload(api_client(world["east_customer"]), number)
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "photo"
    assert _upload(api_client(world["east_customer"]), number, kind="").json()["kind"] == "photo"


def test_a_wrong_kind_is_refused_naming_the_field_and_stores_nothing(world):
    ticket = world["east_ticket"]
    refused = _upload(api_client(world["east_customer"]), ticket.number, kind="receipt")
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "kind"
    assert problem["code"] == "attachment_kind_invalid"
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_the_kind_is_documented_in_the_openapi(world):
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/tickets/{number}/attachments"]["post"]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "kind" in schema["properties"]
    assert "invoice" in schema["properties"]["kind"]["description"]
    assert "kind" not in schema.get("required", [])
