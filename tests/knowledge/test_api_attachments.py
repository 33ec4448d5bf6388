"""API v1: a file attached to a knowledge article over multipart — its type read from the bytes
through the same checks as the knowledge pages, once per Idempotency-Key, only by whoever may
edit the article."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.knowledge.models import ArticleAttachment
from tests.api.conftest import api_client, customer_user, png_bytes
from tests.factories import make_ticket

from .helpers import draft, writer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/knowledge/articles"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def _png(name: str = "滤网.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type)


def test_an_image_is_attached_once_per_idempotency_key_with_its_real_type():
    article = draft()
    client = api_client(article.author)
    first = client.upload(f"{BASE}/{article.pk}/attachments", {"file": _png()}, headers={"Idempotency-Key": "att-1"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["content_type"] == "image/png" and body["name"] == "滤网.png" and body["size"] == len(png_bytes())
    assert body["version"] == article.version + 1 and first["ETag"] == f'"v{article.version + 1}"'
    again = client.upload(f"{BASE}/{article.pk}/attachments", {"file": _png()}, headers={"Idempotency-Key": "att-1"})
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert ArticleAttachment.objects.filter(article=article).count() == 1


def test_bytes_that_are_not_an_accepted_type_are_a_problem_naming_the_file():
    article = draft()
    client = api_client(article.author)
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 this is not an image", "image/png")
    response = client.upload(f"{BASE}/{article.pk}/attachments", {"file": fake}, headers={"Idempotency-Key": "att-2"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["file"]
    assert not ArticleAttachment.objects.exists()


def test_a_png_claimed_as_a_pdf_is_refused():
    article = draft()
    response = api_client(article.author).upload(
        f"{BASE}/{article.pk}/attachments", {"file": _png("a.pdf", "application/pdf")}, headers={"Idempotency-Key": "att-3"}
    )
    assert response.status_code == 422 and response.json()["code"] == "attachment_type_mismatch"


def test_another_writer_and_a_customer_may_not_attach():
    article = draft()
    other = api_client(writer()).upload(f"{BASE}/{article.pk}/attachments", {"file": _png()}, headers={"Idempotency-Key": "o"})
    assert other.status_code == 403
    customer = customer_user(make_ticket())
    client = api_client(customer, scopes=("tickets:read", "knowledge:read", "knowledge:write"))
    refused = client.upload(f"{BASE}/{article.pk}/attachments", {"file": _png()}, headers={"Idempotency-Key": "c"})
    assert refused.status_code in {403, 404}
    assert not ArticleAttachment.objects.exists()


def test_the_operation_is_in_the_openapi_document():
    schema = api_client(writer()).get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/knowledge/articles/{article_id}/attachments"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
