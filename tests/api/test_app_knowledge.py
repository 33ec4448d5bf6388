"""The customer's app shows a help article as the portal does: its text and its images and files,
listed with the article and downloaded by whoever may read the article — nobody else."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.knowledge.services import article_add_attachment
from tests.api.conftest import api_client, customer_user, png_bytes
from tests.factories import make_ticket
from tests.knowledge.helpers import published

pytestmark = pytest.mark.django_db
SCOPES = ("tickets:read", "knowledge:read")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def _with_image(*, customer_visible: bool):  # type: ignore[no-untyped-def]
    article = published(customer_visible=customer_visible)
    image = article_add_attachment(
        article=article, actor=article.author, upload=SimpleUploadedFile("滤网.png", png_bytes()), filename="滤网.png"
    )
    return article, image


def test_the_customer_reads_an_article_with_its_image_and_downloads_it():
    article, image = _with_image(customer_visible=True)
    client = api_client(customer_user(make_ticket()), scopes=SCOPES)

    body = client.get(f"/api/v1/knowledge/articles/{article.pk}").json()
    (listed,) = body["attachments"]
    assert (listed["id"], listed["name"], listed["content_type"], listed["image"]) == (image.pk, "滤网.png", "image/png", True)
    assert listed["download_url"] == f"/api/v1/knowledge/attachments/{image.pk}"
    found = client.get("/api/v1/knowledge/articles").json()["items"]
    assert [a["attachments"][0]["id"] for a in found] == [image.pk]

    download = client.get(listed["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == png_bytes()


def test_a_file_of_an_article_the_customer_may_not_read_is_not_found():
    _internal, image = _with_image(customer_visible=False)
    client = api_client(customer_user(make_ticket()), scopes=SCOPES)
    hidden = client.get(f"/api/v1/knowledge/attachments/{image.pk}")
    unknown = client.get(f"/api/v1/knowledge/attachments/{image.pk + 1000}")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "attachment_not_found")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "attachment_not_found")
    assert hidden.json()["detail"] == unknown.json()["detail"]  # hidden and missing look the same
    without_scope = api_client(customer_user(make_ticket(phone="13600000005")), scopes=("tickets:read",))
    assert without_scope.get(f"/api/v1/knowledge/attachments/{image.pk}").status_code == 403
