"""Small builders for the knowledge tests: people in each role and published articles made
through the services, as real authors and reviewers would."""

from __future__ import annotations

from typing import Any

from aftersales.accounts.models import DataScope, Role, User
from aftersales.knowledge.models import Article
from aftersales.knowledge.services import ArticleInput, article_approve, article_create, article_submit
from tests.factories import UserFactory


def writer(**kwargs: Any) -> User:
    return UserFactory(role=Role.AGENT, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def reviewer(**kwargs: Any) -> User:
    return UserFactory(role=Role.QUALITY_MANAGER, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def article_input(**overrides: Any) -> ArticleInput:
    values: dict[str, Any] = {
        "kind": "troubleshooting",
        "language": "zh-hans",
        "title": "室内机漏水的排查",
        "body": "先检查排水管是否堵塞，再检查室内机是否水平安装。",
        "keywords": "漏水, 滴水",
    }
    values.update(overrides)
    return ArticleInput(**values)


def draft(*, author: User | None = None, **overrides: Any) -> Article:
    return article_create(actor=author or writer(), data=article_input(**overrides))


def published(*, author: User | None = None, approver: User | None = None, **overrides: Any) -> Article:
    article = draft(author=author, **overrides)
    article = article_submit(article=article, actor=article.author, expected_version=article.version)
    return article_approve(article=article, actor=approver or reviewer(), expected_version=article.version)
