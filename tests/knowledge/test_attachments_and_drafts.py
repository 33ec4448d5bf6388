"""Attachments are checked from their bytes; a resolved ticket's plan becomes a draft solution."""

from __future__ import annotations

import io

import pytest

from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.knowledge.models import ArticleAttachment, ArticleKind, ArticleStatus
from aftersales.knowledge.services import article_add_attachment, article_draft_from_ticket
from aftersales.tickets.models import TicketEvent
from tests.api.conftest import png_bytes
from tests.factories import make_ticket
from tests.feedback.test_surveys import resolved_ticket  # noqa: F401 - the fixture
from tests.tickets.process_helpers import agent

from .helpers import draft

pytestmark = pytest.mark.django_db


def test_an_image_is_attached_with_its_real_type(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = draft()
    attachment = article_add_attachment(
        article=article, actor=article.author, upload=io.BytesIO(png_bytes()), filename="图.png", claimed_type="image/png"
    )
    assert attachment.content_type == "image/png" and attachment.is_image
    assert attachment.file.name.startswith(f"knowledge/{article.pk}/")


def test_bytes_that_are_not_the_claimed_type_are_refused_on_the_file_field(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = draft()
    with pytest.raises(ValidationFailed) as refused:
        article_add_attachment(
            article=article,
            actor=article.author,
            upload=io.BytesIO(b"just text, no picture"),
            filename="a.png",
            claimed_type="image/png",
        )
    assert "file" in refused.value.errors and refused.value.code == "attachment_type"
    with pytest.raises(ValidationFailed) as mismatch:
        article_add_attachment(
            article=article,
            actor=article.author,
            upload=io.BytesIO(png_bytes()),
            filename="a.pdf",
            claimed_type="application/pdf",
        )
    assert "file" in mismatch.value.errors and mismatch.value.code == "attachment_type_mismatch"
    assert not ArticleAttachment.objects.exists()


def test_a_resolved_tickets_plan_becomes_a_draft_standard_solution(resolved_ticket):  # noqa: F811
    handler = agent()
    article = article_draft_from_ticket(ticket=resolved_ticket, actor=handler)
    assert (article.kind, article.status, article.customer_visible) == (ArticleKind.SOLUTION, ArticleStatus.DRAFT, False)
    assert article.source_ticket == resolved_ticket
    assert "排水管堵塞" in article.body and "上门维修" in article.body
    assert TicketEvent.objects.filter(ticket=resolved_ticket, data__knowledge_article=article.pk).exists()


def test_an_open_ticket_gives_no_solution_yet():
    handler = agent()
    with pytest.raises(DomainError) as refused:
        article_draft_from_ticket(ticket=make_ticket(actor=handler), actor=handler)
    assert refused.value.code == "ticket_not_resolved" and refused.value.field == "ticket"
