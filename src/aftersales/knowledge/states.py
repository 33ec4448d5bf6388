"""An article's statuses and the moves between them — the only place they are defined.

draft → in review (submitted) → published (approved by a reviewer who is not its author) →
archived. A reviewer sends an article in review back to draft; editing a published article
reopens it as a draft while its last published version stays live; an archived article can be
taken back into draft. ``services._move`` is the one function that changes the status.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .audit_actions import KnowledgeAudit
from .models import ArticleStatus

A = ArticleStatus

ARTICLE_TRANSITIONS: dict[str, frozenset[str]] = {
    A.DRAFT: frozenset({A.IN_REVIEW, A.ARCHIVED}),
    A.IN_REVIEW: frozenset({A.PUBLISHED, A.DRAFT}),
    A.PUBLISHED: frozenset({A.DRAFT, A.ARCHIVED}),
    A.ARCHIVED: frozenset({A.DRAFT}),
}

ARTICLE_STATES = TransitionTable(_("knowledge article"), ARTICLE_TRANSITIONS, labels=dict(ArticleStatus.choices))

# The audit action of arriving in each status.
ARRIVAL_AUDIT: dict[str, KnowledgeAudit] = {
    A.DRAFT: KnowledgeAudit.ARTICLE_DRAFT,
    A.IN_REVIEW: KnowledgeAudit.ARTICLE_IN_REVIEW,
    A.PUBLISHED: KnowledgeAudit.ARTICLE_PUBLISHED,
    A.ARCHIVED: KnowledgeAudit.ARTICLE_ARCHIVED,
}
