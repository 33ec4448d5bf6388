"""The knowledge demo: published articles in both languages for the demo models, one internal,
one in review; loading it twice changes nothing."""

from __future__ import annotations

import io

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.demo.knowledge import load_knowledge_demo
from aftersales.knowledge.models import Article, ArticleStatus
from tests.factories import ProductCategoryFactory, ProductModelFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_articles_are_published_in_both_languages_with_one_internal_and_one_in_review():
    UserFactory(username="agent", role=Role.AGENT, data_scope=DataScope.ALL)
    UserFactory(username="technician", role=Role.TECHNICIAN)
    UserFactory(username="quality-1", role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL)
    ac = ProductCategoryFactory(code="air-conditioner")
    ProductModelFactory(code="KFR-35GW/BP3DN8Y", category=ac)

    load_knowledge_demo(io.StringIO())

    live = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert set(live.values_list("language", flat=True)) == {"zh-hans", "en"}
    assert {"faq", "troubleshooting", "installation", "solution"} <= set(live.values_list("kind", flat=True))
    assert live.filter(customer_visible=False).count() == 1
    assert Article.objects.filter(status=ArticleStatus.IN_REVIEW).count() == 1
    assert live.filter(product_models__code="KFR-35GW/BP3DN8Y").exists()
    assert Article.objects.filter(translation_of__isnull=False).exists()
    count = Article.objects.count()
    load_knowledge_demo(io.StringIO())
    assert Article.objects.count() == count
