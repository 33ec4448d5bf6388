"""The day-zero audit: "the quality engineer gets a 404 on /knowledge/review/". The quality
engineer finds faults' causes and their standard solutions, so they write and review the
knowledge base's articles (``knowledge.permissions``): the queue opens, its link shows, an
article in review opens and they approve it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.knowledge.models import ArticleStatus
from aftersales.knowledge.services import article_approve, article_submit
from tests.clients import client_for
from tests.factories import UserFactory
from tests.knowledge.helpers import draft

pytestmark = pytest.mark.django_db


def test_the_quality_engineer_reviews_knowledge_articles():
    engineer = UserFactory(role=Role.QUALITY_ENGINEER, data_scope=DataScope.ALL)
    article = draft()
    article = article_submit(article=article, actor=article.author, expected_version=article.version)
    client = client_for(engineer)

    listing = client.get(reverse("knowledge:list")).content.decode()
    assert 'data-test-id="kb-review-link"' in listing
    queue = client.get(reverse("knowledge:review"))
    assert queue.status_code == 200 and article.title in queue.content.decode()
    assert client.get(reverse("knowledge:detail", args=[article.pk])).status_code == 200

    article = article_approve(article=article, actor=engineer, expected_version=article.version)
    assert article.status == ArticleStatus.PUBLISHED


def test_staff_who_do_not_review_still_get_no_queue():
    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    assert client_for(warehouse).get(reverse("knowledge:review")).status_code == 404
