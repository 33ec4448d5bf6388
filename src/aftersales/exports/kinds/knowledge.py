"""Knowledge: the article list (search, kind, language, status) and the review queue, read as
their pages read them (a writer sees the working copy's title, others the live version's)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.knowledge import selectors
from aftersales.knowledge.forms import SearchForm
from aftersales.knowledge.models import Article
from aftersales.knowledge.permissions import is_reviewer

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def article_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``knowledge.views.article_list`` reads them."""
    form = SearchForm(params or None)
    filters = selectors.ArticleFilters()
    if form.is_valid():
        c = form.cleaned_data
        filters = selectors.ArticleFilters(query=c["q"], kind=c["kind"], language=c["language"], status=c["status"])
    working = selectors.reads_working_copy(user)
    qs = selectors.article_search(user=user, filters=filters).select_related("live_revision")
    return queryset_rows(qs, wrap=lambda a: (a, working))


def _title(a: Article, working: bool) -> str:
    return a.title if working or a.live_revision is None else a.live_revision.title


def review_rows(user: User, params: Mapping[str, str]) -> Rows:
    return queryset_rows(selectors.review_queue(user=user)[:200], count=False)


ARTICLES = register(
    ExportKind(
        key="knowledge_articles",
        title=_("Knowledge base"),
        columns=(
            Column(_("Title"), lambda r, u: _title(*r), width=40),
            Column(_("Kind"), lambda r, u: r[0].get_kind_display(), width=14),
            Column(_("Language"), lambda r, u: r[0].get_language_display(), width=10),
            Column(_("Status"), lambda r, u: r[0].get_status_display(), width=12),
            Column(_("Visible to customers"), lambda r, u: _("Yes") if r[0].customer_visible else _("Internal"), width=10),
            Column(_("Solved tickets"), lambda r, u: r[0].solved_count, CellType.NUMBER, width=10),
            Column(_("Created"), lambda r, u: r[0].created_at, CellType.DATETIME, width=17),
        ),
        may_use=lambda user: not user.is_customer,
        rows=article_rows,
        page="knowledge:list",
    )
)

REVIEW = register(
    ExportKind(
        key="knowledge_review",
        title=_("Articles to review"),
        columns=(
            Column(_("Title"), lambda a, u: a.title, width=40),
            Column(_("Kind"), lambda a, u: a.get_kind_display(), width=14),
            Column(_("Language"), lambda a, u: a.get_language_display(), width=10),
            Column(_("Author"), lambda a, u: str(a.author) if a.author_id else "", width=14),
            Column(_("Submitted by"), lambda a, u: str(a.submitted_by) if a.submitted_by_id else "", width=14),
            Column(_("Submitted at"), lambda a, u: a.submitted_at, CellType.DATETIME, width=17),
        ),
        may_use=is_reviewer,
        rows=review_rows,
        page="knowledge:review",
    )
)
