"""Writing, reviewing and publishing articles: bad input names its field, the review table,
reviewer ≠ author, every publication a new version, the live version kept while revising."""

from __future__ import annotations

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.knowledge.models import Article, ArticleRevision, ArticleStatus
from aftersales.knowledge.services import (
    article_approve,
    article_archive,
    article_create,
    article_restore,
    article_send_back,
    article_submit,
    article_update,
)
from aftersales.knowledge.states import ARTICLE_TRANSITIONS
from tests.factories import UserFactory

from .helpers import article_input, draft, published, reviewer, writer

pytestmark = pytest.mark.django_db
S = ArticleStatus


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"language": ""}, "language", "article_invalid"),
        ({"language": "fr"}, "language", "article_invalid"),
        ({"title": "   "}, "title", "article_invalid"),
        ({"body": ""}, "body", "article_invalid"),
        ({"kind": "poem"}, "kind", "article_invalid"),
        ({"title": "x" * 201}, "title", "article_invalid"),
        ({"product_model_ids": [999999]}, "product_models", "article_invalid"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(overrides, field, code):
    with pytest.raises(ValidationFailed) as refused:
        article_create(actor=writer(), data=article_input(**overrides))
    assert field in refused.value.errors
    assert refused.value.code == code
    assert not Article.objects.exists()


def test_an_article_without_a_language_says_so_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        article_create(actor=writer(), data=article_input(language=""))
    with translation.override("zh-hans"):
        message = str(refused.value.errors["language"][0])
    assert "语言" in message


def test_a_customer_or_a_warehouse_keeper_writes_no_article():
    from aftersales.accounts.models import Role

    for role in (Role.CUSTOMER, Role.WAREHOUSE):
        with pytest.raises(PermissionDenied):
            article_create(actor=UserFactory(role=role), data=article_input())


def test_draft_review_publish_makes_version_one_and_audits_each_step():
    author, boss = writer(), reviewer()
    article = draft(author=author)
    assert article.status == S.DRAFT and article.live_revision is None

    article = article_submit(article=article, actor=author, expected_version=article.version)
    assert article.status == S.IN_REVIEW
    article = article_approve(article=article, actor=boss, expected_version=article.version)

    assert article.status == S.PUBLISHED
    revision = article.live_revision
    assert (revision.number, revision.title, revision.approved_by, revision.author) == (1, article.title, boss, author)
    actions = list(
        AuditEvent.objects.filter(object_id=str(article.pk), object_type="knowledge.article")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["knowledge.article_created", "knowledge.article_in_review", "knowledge.article_published"]


def test_the_author_cannot_publish_their_own_article_even_as_a_reviewer():
    boss = reviewer()
    article = draft(author=boss)
    article = article_submit(article=article, actor=boss, expected_version=article.version)
    with pytest.raises(PermissionDenied) as refused:
        article_approve(article=article, actor=boss, expected_version=article.version)
    assert refused.value.code == "knowledge_own_article"
    article.refresh_from_db()
    assert article.status == S.IN_REVIEW and not ArticleRevision.objects.exists()


def test_an_agent_cannot_approve():
    article = draft()
    article = article_submit(article=article, actor=article.author, expected_version=article.version)
    with pytest.raises(PermissionDenied):
        article_approve(article=article, actor=writer(), expected_version=article.version)


def test_a_draft_cannot_be_published_without_review():
    article = draft()
    with pytest.raises(DomainError) as refused:
        article_approve(article=article, actor=reviewer(), expected_version=article.version)
    assert refused.value.code == "illegal_transition"


def test_every_published_edit_is_a_new_version_and_readers_keep_the_old_one_meanwhile():
    author, boss = writer(), reviewer()
    article = published(author=author, approver=boss)
    first = article.live_revision

    article = article_update(
        article=article, actor=author, data=article_input(title="室内机漏水的排查（第二版）"), expected_version=article.version
    )
    assert article.status == S.DRAFT
    assert article.live_revision == first  # still live while the edit waits
    assert first.title == "室内机漏水的排查"

    article = article_submit(article=article, actor=author, expected_version=article.version)
    article = article_approve(article=article, actor=boss, expected_version=article.version)
    assert article.live_revision.number == 2
    assert article.live_revision.title == "室内机漏水的排查（第二版）"
    assert list(article.revisions.order_by("number").values_list("number", "title")) == [
        (1, "室内机漏水的排查"),
        (2, "室内机漏水的排查（第二版）"),
    ]


def test_a_stale_version_is_a_conflict():
    article = draft()
    stale = article.version
    article = article_update(article=article, actor=article.author, data=article_input(body="新的内容"), expected_version=stale)
    with pytest.raises(Conflict):
        article_update(article=article, actor=article.author, data=article_input(body="另一个"), expected_version=stale)


def test_an_article_in_review_is_not_edited_and_a_reviewer_sends_it_back():
    article = draft()
    article = article_submit(article=article, actor=article.author, expected_version=article.version)
    with pytest.raises(DomainError) as refused:
        article_update(article=article, actor=article.author, data=article_input(), expected_version=article.version)
    assert refused.value.code == "article_in_review"
    article = article_send_back(article=article, actor=reviewer(), note="补充图片", expected_version=article.version)
    assert article.status == S.DRAFT


def test_archive_and_restore():
    boss = reviewer()
    article = published(approver=boss)
    article = article_archive(article=article, actor=boss, expected_version=article.version)
    assert article.status == S.ARCHIVED and not article.is_live
    article = article_restore(article=article, actor=boss, expected_version=article.version)
    assert article.status == S.DRAFT and article.live_revision is None


def test_the_transition_table_has_every_status_and_no_way_around_review():
    assert set(ARTICLE_TRANSITIONS) == set(S.values)
    assert S.PUBLISHED not in ARTICLE_TRANSITIONS[S.DRAFT]
    assert S.PUBLISHED not in ARTICLE_TRANSITIONS[S.ARCHIVED]


def test_a_translation_is_another_language_of_an_existing_article():
    original = draft()
    with pytest.raises(ValidationFailed) as refused:
        article_create(actor=writer(), data=article_input(translation_of_id=original.pk))
    assert "translation_of" in refused.value.errors
    english = article_create(
        actor=writer(),
        data=article_input(language="en", title="Indoor unit leaks", body="Check the drain pipe.", translation_of_id=original.pk),
    )
    assert english.translation_of == original
