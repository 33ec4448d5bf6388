"""Reads of the knowledge base, always scoped to the reader (``permissions``):

* a customer: published (live), customer-visible articles only — never a draft, an article in
  review, an archived one or an internal one;
* writers (agents, technicians, quality, supervisors, administrators): every article;
* other staff: what is live, internal articles included.

Search works like the ticket search (``tickets.search``): on PostgreSQL the articles' bigram
column narrows the candidates (every article containing the query contains all its bigrams), and
a case-insensitive ``LIKE`` on the texts decides, so a two-character Chinese word (漏水) is found
exactly; on SQLite the ``LIKE`` alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.core.i18n import join_list
from aftersales.tickets.models import Ticket
from aftersales.tickets.search import text_bigrams

from .models import Article, ArticleFeedback, ArticleKeyword, ArticleRevision, ArticleStatus
from .permissions import is_reviewer, is_writer

A = ArticleStatus
SUGGESTIONS = 5
MAX_QUERY = 100
TEXT_SCAN = 600  # the first characters of a ticket's text matched against the keywords
KEYWORD_LENGTHS = range(2, 13)  # a keyword is 2–12 characters long ("e1", "漏水", "drain")


def _live() -> Q:
    return Q(live_revision__isnull=False) & ~Q(status=A.ARCHIVED)


def articles_visible_to(user: User) -> QuerySet[Article]:
    """Every article ``user`` may read (see the module's doc)."""
    qs = Article.objects.select_related("live_revision", "author")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_customer:
        return qs.filter(_live(), live_revision__customer_visible=True)
    if is_writer(user):
        return qs
    return qs.filter(_live())


def reads_working_copy(user: User) -> bool:
    """Whether ``user`` reads an article's working copy (writers) or only its live version."""
    return is_writer(user)


def article_get_for_user(*, user: User, article_id: int) -> Article:
    """The article if ``user`` may read it; ``NotFound`` otherwise (no existence leak)."""
    article = (
        articles_visible_to(user)
        .prefetch_related("product_models", "product_categories", "fault_categories", "attachments")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound(_("No such article."), code="article_not_found")
    return article


def search_q(text: str) -> Q:
    """Articles whose title, text or keywords (working copy or live version) contain ``text``."""
    text = text.strip()[:MAX_QUERY]
    substring = (
        Q(title__icontains=text)
        | Q(body__icontains=text)
        | Q(keywords__icontains=text)
        | Q(live_revision__title__icontains=text)
        | Q(live_revision__body__icontains=text)
    )
    grams = text_bigrams(text)
    if grams and connection.vendor == "postgresql":
        substring = Q(search_grams__grams_contain=sorted(grams)) & substring
    return substring


@dataclass(frozen=True)
class ArticleFilters:
    query: str = ""
    kind: str = ""
    language: str = ""
    status: str = ""
    product_model_id: int | None = None


def article_search(*, user: User, filters: ArticleFilters) -> QuerySet[Article]:
    """The articles ``user`` may read that match ``filters``, most useful first (how many
    tickets each solved), then the newest."""
    qs = articles_visible_to(user)
    if filters.query.strip():
        qs = qs.filter(search_q(filters.query))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.status:
        qs = qs.filter(_live()) if filters.status == A.PUBLISHED else qs.filter(status=filters.status)
    if filters.product_model_id:
        qs = qs.filter(product_models__id=filters.product_model_id)
    return qs.order_by("-solved_count", "-updated_at", "-id").distinct()


def review_queue(*, user: User) -> QuerySet[Article]:
    """Articles waiting for a reviewer, oldest submission first (empty for non-reviewers)."""
    if not is_reviewer(user):
        return Article.objects.none()
    return Article.objects.select_related("author", "submitted_by").filter(status=A.IN_REVIEW).order_by("submitted_at", "id")


def article_revisions(*, user: User, article: Article) -> list[ArticleRevision]:
    """The published versions, newest first (staff only; a customer sees the live one)."""
    if user.is_customer:
        return []
    return list(article.revisions.select_related("author", "approved_by").order_by("-number"))


def articles_for_products(*, user: User, model_ids: list[int], category_ids: list[int], query: str = "") -> QuerySet[Article]:
    """What a customer's products have: live articles linked to their models or categories, or
    to no product at all (general advice), in the reader's scope."""
    qs = articles_visible_to(user).filter(_live())
    linked = Q(product_models__id__in=model_ids) | Q(product_categories__id__in=category_ids)
    general = Q(product_models__isnull=True) & Q(product_categories__isnull=True)
    qs = qs.filter(linked | general)
    if query.strip():
        qs = qs.filter(search_q(query))
    return qs.order_by("-solved_count", "-updated_at", "-id").distinct()


def one_per_family(articles: Iterable[Article], language: str) -> list[Article]:
    """Of an article and its translations, the one in the reader's ``language`` (else the first
    listed); then the reader's language first, the order otherwise kept. A customer reads help
    in their own language; an article that exists only in the other language is still shown
    (after), since some help beats none."""
    chosen: dict[int, Article] = {}
    for article in articles:
        key = article.translation_of_id or article.pk
        held = chosen.get(key)
        if held is None or (article.language == language and held.language != language):
            chosen[key] = article
    return sorted(chosen.values(), key=lambda article: article.language != language)


# --- Suggestions for a ticket ----------------------------------------------------------------


@dataclass
class Suggestion:
    article: Article
    score: float = 0.0
    same_model: bool = False
    same_category: bool = False
    same_fault: bool = False
    words: list[str] = field(default_factory=list)
    solved_here: bool = False

    @property
    def reasons(self) -> list[str]:
        """Why it was suggested, in the reader's language."""
        found: list[str] = []
        if self.same_model:
            found.append(str(_("same model")))
        if self.same_fault:
            found.append(str(_("same fault category")))
        if self.same_category:
            found.append(str(_("same product category")))
        if self.words:
            found.append(str(_("matched words: %(words)s") % {"words": join_list(self.words)}))
        return found


def _text_candidates(text: str) -> list[str]:
    """Every lower-cased substring of 2–12 characters without whitespace: what a keyword of an
    article must equal to be "in" the ticket's text (an index lookup instead of a scan)."""
    low = (text or "").lower()[:TEXT_SCAN]
    found: set[str] = set()
    for start in range(len(low)):
        for size in KEYWORD_LENGTHS:
            piece = low[start : start + size]
            if len(piece) < size or any(ch.isspace() for ch in piece):
                break
            found.add(piece)
    return sorted(found)


def ticket_suggestions(*, user: User, ticket: Ticket, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Live articles for the ticket's product model, its product category, its fault category
    and the words of its title and description, best first, each with why it was suggested.

    Score: same model 3, same fault category 2, same product category 1, 2 per matched keyword,
    plus the log of the tickets it solved (the "this solved it" feedback), a little more in the
    reader's language; of an article and its translations only one is suggested (the reader's
    language first)."""
    visible = articles_visible_to(user).filter(_live())
    model_id = ticket.product_model_id
    fault_id = ticket.category_id
    candidates = _text_candidates(f"{ticket.title}\n{ticket.description}")
    links = Article.product_models.through.objects.filter(article_id=OuterRef("pk"))
    category_links = Article.product_categories.through.objects.filter(article_id=OuterRef("pk"))
    fault_links = Article.fault_categories.through.objects.filter(article_id=OuterRef("pk"))
    # One statement: each reason is an EXISTS on the article (no join that repeats rows).
    rows = list(
        visible.annotate(
            same_model=Exists(links.filter(productmodel_id=model_id)) if model_id else Value(False),
            same_category=Exists(category_links.filter(productcategory__models__id=model_id)) if model_id else Value(False),
            same_fault=Exists(fault_links.filter(ticketcategory_id=fault_id)) if fault_id else Value(False),
            has_words=Exists(ArticleKeyword.objects.filter(article_id=OuterRef("pk"), word__in=candidates))
            if candidates
            else Value(False),
            solved_here=Exists(ArticleFeedback.objects.filter(article_id=OuterRef("pk"), ticket_id=ticket.pk)),
        )
        .filter(Q(same_model=True) | Q(same_category=True) | Q(same_fault=True) | Q(has_words=True))
        .order_by("-solved_count", "-id")[:200]
    )
    words: dict[int, list[str]] = {}
    with_words = [a.pk for a in rows if a.has_words]
    if with_words:
        for article_id, word in ArticleKeyword.objects.filter(article_id__in=with_words, word__in=candidates).values_list(
            "article_id", "word"
        ):
            words.setdefault(article_id, []).append(word)
    language = (get_language() or "zh-hans").lower()
    found: list[Suggestion] = []
    for article in rows:
        s = Suggestion(
            article=article,
            same_model=bool(article.same_model),
            same_category=bool(article.same_category),
            same_fault=bool(article.same_fault),
            words=sorted(words.get(article.pk, [])),
            solved_here=bool(article.solved_here),
        )
        s.score = (
            3 * s.same_model
            + 2 * s.same_fault
            + 1 * s.same_category
            + 2 * len(s.words)
            + math.log1p(article.solved_count)
            + (0.5 if language.startswith(article.language[:2]) else 0)
        )
        found.append(s)
    # An article and its translations are one suggestion: the one in the reader's language when
    # there is one, else the best scored; the family ranks by its best score.
    families: dict[int, list[Suggestion]] = {}
    for s in found:
        families.setdefault(s.article.translation_of_id or s.article.pk, []).append(s)
    chosen: list[Suggestion] = []
    for members in families.values():
        best = max(
            members,
            key=lambda s: (language.startswith(s.article.language[:2]), s.score, s.article.solved_count, s.article.pk),
        )
        best.score = max(m.score for m in members)
        chosen.append(best)
    chosen.sort(key=lambda s: (-s.score, -s.article.solved_count, -s.article.pk))
    return chosen[:limit]
