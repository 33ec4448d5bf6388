"""The customer's help pages list an article and its translation once, in the reader's
language; an article written only in the other language still shows, after, with its language
named (the audit found English articles among the Chinese ones)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.knowledge.selectors import one_per_family
from tests.api.conftest import customer_user
from tests.clients import client_for_language
from tests.factories import ProductModelFactory, ProductUnitFactory, make_ticket

from .helpers import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def help_pages():
    model = ProductModelFactory(code="KFR-72LW")
    original = published(title="柜机清洗", customer_visible=True, product_model_ids=[model.pk])
    published(
        title="Cleaning the floor unit",
        language="en",
        body="Switch the unit off, then clean the filter.",
        customer_visible=True,
        product_model_ids=[model.pk],
        translation_of_id=original.pk,
    )
    published(
        title="Installing the bracket",
        language="en",
        body="Fix the bracket with four screws.",
        customer_visible=True,
        product_model_ids=[model.pk],
    )
    ticket = make_ticket()
    ProductUnitFactory(model=model, customer_id=ticket.customer_id)
    return customer_user(ticket)


def test_a_chinese_reader_sees_the_chinese_version_and_the_english_only_article_after_it_labelled(help_pages):
    html = client_for_language(help_pages, "zh-hans").get(reverse("portal:knowledge")).content.decode()
    assert "柜机清洗" in html and "Cleaning the floor unit" not in html
    assert html.index("柜机清洗") < html.index("Installing the bracket")
    assert html.count('data-test-id="portal-kb-language"') == 1
    assert ">英文<" in html


def test_an_english_reader_sees_the_english_version(help_pages):
    html = client_for_language(help_pages, "en").get(reverse("portal:knowledge")).content.decode()
    assert "Cleaning the floor unit" in html and "柜机清洗" not in html
    assert 'data-test-id="portal-kb-language"' not in html


def test_one_per_family_keeps_the_order_and_prefers_the_readers_language(help_pages):
    from aftersales.knowledge.models import Article

    rows = list(Article.objects.order_by("pk"))
    assert [a.title for a in one_per_family(rows, "en")] == ["Cleaning the floor unit", "Installing the bracket"]
    assert [a.title for a in one_per_family(rows, "zh-hans")] == ["柜机清洗", "Installing the bracket"]
