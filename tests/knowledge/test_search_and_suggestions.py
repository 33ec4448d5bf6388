"""Search finds two-character Chinese words; readers see only what they may; suggestions on a
ticket say why; "this solved it" counts once per ticket and lifts the article in the ranking."""

from __future__ import annotations

import pytest
from django.utils import translation

from aftersales.accounts.models import Role
from aftersales.core.errors import Conflict, NotFound, PermissionDenied
from aftersales.knowledge.models import ArticleFeedback
from aftersales.knowledge.selectors import ArticleFilters, article_get_for_user, article_search, ticket_suggestions
from aftersales.knowledge.services import article_mark_solved, article_submit
from aftersales.tickets.models import TicketCategory, TicketEvent
from tests.factories import ProductModelFactory, UserFactory, make_ticket

from .helpers import draft, published, reviewer, writer

pytestmark = pytest.mark.django_db


def _titles(user, query: str = "", **kw) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.title for a in article_search(user=user, filters=ArticleFilters(query=query, **kw))}


def test_a_two_character_chinese_word_finds_the_article():
    published(title="室内机漏水的排查", body="检查排水管。")
    published(title="遥控器没有反应", body="更换电池。", keywords="遥控器")
    agent = writer()
    assert _titles(agent, "漏水") == {"室内机漏水的排查"}
    assert _titles(agent, "电池") == {"遥控器没有反应"}
    assert _titles(agent, "水管") == {"室内机漏水的排查"}
    assert _titles(agent, "冒烟") == set()


def test_english_search_ignores_case():
    published(language="en", title="Indoor unit leaks water", body="Clean the DRAIN pipe.", keywords="leak")
    assert _titles(writer(), "drain") == {"Indoor unit leaks water"}


def test_a_customer_sees_neither_internal_articles_nor_drafts_nor_articles_in_review():
    public = published(title="公开文章", customer_visible=True)
    internal = published(title="内部文章", customer_visible=False)
    a_draft = draft(title="草稿文章", customer_visible=True)
    in_review = draft(title="审核中文章", customer_visible=True)
    article_submit(article=in_review, actor=in_review.author, expected_version=in_review.version)
    customer = UserFactory(role=Role.CUSTOMER)

    assert _titles(customer) == {"公开文章"}
    for hidden in (internal, a_draft, in_review):
        with pytest.raises(NotFound):
            article_get_for_user(user=customer, article_id=hidden.pk)
    assert article_get_for_user(user=customer, article_id=public.pk) == public


def test_staff_who_do_not_write_see_published_articles_only_and_writers_see_drafts():
    published(title="内部文章")
    draft(title="草稿文章")
    assert _titles(UserFactory(role=Role.WAREHOUSE)) == {"内部文章"}
    assert _titles(writer()) == {"内部文章", "草稿文章"}
    assert _titles(writer(), status="draft") == {"草稿文章"}


def test_suggestions_say_why_and_feedback_feeds_the_ranking():
    model = ProductModelFactory(code="KFR-35GW/A1")
    leak = TicketCategory.objects.get(code="product_quality")
    by_model = published(title="KFR-35GW 常见问题", body="说明书。", keywords="", product_model_ids=[model.pk], kind="faq")
    by_words = published(title="室内机漏水的排查", keywords="漏水, 滴水")
    by_category = published(title="产品质量投诉处理", keywords="", fault_category_ids=[leak.pk], kind="solution")
    published(title="遥控器没有反应", keywords="遥控器")  # nothing in common with the ticket
    agent = writer()
    ticket = make_ticket(actor=agent, product_model_code=model.code, category_code="product_quality")

    with translation.override("en"):
        found = ticket_suggestions(user=agent, ticket=ticket)
        reasons = {s.article.pk: s.reasons for s in found}
    by_id = {s.article.pk: s for s in found}
    assert set(by_id) == {by_model.pk, by_words.pk, by_category.pk}
    assert by_id[by_model.pk].same_model and reasons[by_model.pk] == ["same model"]
    assert by_id[by_words.pk].words == sorted(["漏水", "滴水"])
    assert "matched words: 滴水, 漏水" in reasons[by_words.pk]  # the reader's separator
    with translation.override("zh-hans"):
        assert "匹配词：滴水、漏水" in next(s for s in found if s.article.pk == by_words.pk).reasons
    assert by_id[by_category.pk].same_fault

    # "This solved it" on another ticket with the category article, twice: it climbs.
    for _ in range(2):
        other = make_ticket(actor=agent)
        article_mark_solved(article=by_category, ticket=other, actor=agent)
    by_category.refresh_from_db()
    assert by_category.solved_count == 2
    before = [s.article.pk for s in found]
    after = [s.article.pk for s in ticket_suggestions(user=agent, ticket=ticket)]
    assert after.index(by_category.pk) < before.index(by_category.pk)


def test_this_solved_it_counts_once_per_ticket_and_writes_the_timeline():
    article = published()
    agent = writer()
    ticket = make_ticket(actor=agent)
    article_mark_solved(article=article, ticket=ticket, actor=agent)
    with pytest.raises(Conflict) as again:
        article_mark_solved(article=article, ticket=ticket, actor=reviewer())
    assert again.value.code == "feedback_exists"
    article.refresh_from_db()
    assert article.solved_count == 1
    assert ArticleFeedback.objects.filter(article=article, ticket=ticket).count() == 1
    entry = TicketEvent.objects.filter(ticket=ticket, data__knowledge_article=article.pk).get()
    assert "text" in entry.data


def test_a_customer_cannot_record_feedback_and_a_draft_cannot_be_the_solution():
    agent = writer()
    ticket = make_ticket(actor=agent)
    with pytest.raises(PermissionDenied):
        article_mark_solved(article=published(), ticket=ticket, actor=UserFactory(role=Role.CUSTOMER))
    with pytest.raises(Exception) as refused:
        article_mark_solved(article=draft(), ticket=ticket, actor=agent)
    assert getattr(refused.value, "code", "") == "article_not_published"


def test_an_article_and_its_translation_are_one_suggestion_in_the_readers_language():
    model = ProductModelFactory(code="XQG100/T1")
    chinese = published(title="滚筒洗衣机安装指南", keywords="安装", product_model_ids=[model.pk], kind="installation")
    english = published(
        title="Installing the washing machine",
        body="Remove the transit bolts first.",
        language="en",
        keywords="install",
        product_model_ids=[model.pk],
        kind="installation",
        translation_of_id=chinese.pk,
    )
    other = published(title="洗衣机噪音大", keywords="", product_model_ids=[model.pk])
    agent = writer()
    ticket = make_ticket(actor=agent, product_model_code=model.code)
    with translation.override("zh-hans"):
        assert {s.article.pk for s in ticket_suggestions(user=agent, ticket=ticket)} == {chinese.pk, other.pk}
    with translation.override("en"):
        assert {s.article.pk for s in ticket_suggestions(user=agent, ticket=ticket)} == {english.pk, other.pk}
