"""Every change to the knowledge base: one function per business action.

Each one locks the article row (a ticket first where one is involved: the lock order of
docs/architecture.md), checks the version the caller read, the caller's role and the status
(``states.ARTICLE_STATES``), writes the change and its audit row in one transaction. Input is
checked field by field: a refusal names the field, nothing is half-written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductCategory, ProductModel
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.tickets.attachments import sniff_upload
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import MeasureStatus, Ticket, TicketCategory
from aftersales.tickets.process import ticket_current_plan
from aftersales.tickets.process.common import timeline
from aftersales.tickets.search import text_bigrams
from aftersales.tickets.states import FINAL_STATUSES, TicketStatus

from .audit_actions import KnowledgeAudit
from .models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleKeyword,
    ArticleKind,
    ArticleLanguage,
    ArticleRevision,
    ArticleStatus,
)
from .permissions import is_reviewer, is_writer
from .states import ARRIVAL_AUDIT, ARTICLE_STATES

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_KEYWORDS = 300
MIN_KEYWORD, MAX_KEYWORD = 2, 12  # what a ticket's text is matched on (selectors.KEYWORD_LENGTHS)
KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")
SOLVED_FROM = frozenset(
    {TicketStatus.RESOLVED, TicketStatus.AWAITING_ACCEPTANCE, TicketStatus.CLOSED}
)  # a ticket whose plan worked

A = ArticleStatus


@dataclass
class ArticleInput:
    """What an author writes: the same for the page's form and the API's body."""

    kind: str = ""
    language: str = ""
    title: str = ""
    body: str = ""
    keywords: str = ""
    customer_visible: bool = False
    product_model_ids: list[int] = field(default_factory=list)
    product_category_ids: list[int] = field(default_factory=list)
    fault_category_ids: list[int] = field(default_factory=list)
    translation_of_id: int | None = None


def split_keywords(text: str) -> list[str]:
    """``"漏水, E1；Drain"`` → ``["漏水", "e1", "drain"]``: lower-cased, distinct, in order."""
    seen: list[str] = []
    for part in KEYWORD_SPLIT.split((text or "").lower()):
        word = part.strip()
        if word and word not in seen:
            seen.append(word)
    return seen


def _grams(*texts: str) -> str:
    grams: set[str] = set()
    for text in texts:
        grams |= text_bigrams(text)
    return " ".join(sorted(grams))


def _search_grams(article: Article, revision: ArticleRevision | None) -> str:
    texts = [article.title, article.body, article.keywords]
    if revision is not None:
        texts += [revision.title, revision.body, revision.keywords]
    return _grams(*texts)


def _clean(data: ArticleInput) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The article's columns from ``data`` and the relations, or every field's refusal."""
    errors: dict[str, list[Any]] = {}
    if data.kind not in ArticleKind.values:
        errors["kind"] = [_("Choose what kind of article this is.")]
    if not data.language:
        errors["language"] = [_("Choose the article's language (Chinese or English).")]
    elif data.language not in ArticleLanguage.values:
        errors["language"] = [_("An article is written in Chinese or English.")]
    title = (data.title or "").strip()
    body = (data.body or "").strip()
    keywords = (data.keywords or "").strip()
    if not title:
        errors["title"] = [_("Enter a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("The title is longer than %(limit)d characters.") % {"limit": MAX_TITLE}]
    if not body:
        errors["body"] = [_("Enter the article's text.")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("The text is longer than %(limit)d characters.") % {"limit": MAX_BODY}]
    if len(keywords) > MAX_KEYWORDS:
        errors["keywords"] = [_("The keywords are longer than %(limit)d characters.") % {"limit": MAX_KEYWORDS}]
    elif any(not MIN_KEYWORD <= len(w) <= MAX_KEYWORD for w in split_keywords(keywords)):
        errors["keywords"] = [
            _("Each keyword is %(low)d to %(high)d characters long, separated by commas.")
            % {"low": MIN_KEYWORD, "high": MAX_KEYWORD}
        ]
    relations: dict[str, Any] = {}
    for name, model, ids in (
        ("product_models", ProductModel, data.product_model_ids),
        ("product_categories", ProductCategory, data.product_category_ids),
        ("fault_categories", TicketCategory, data.fault_category_ids),
    ):
        wanted = sorted({int(i) for i in ids or ()})
        found = list(model.objects.filter(pk__in=wanted).order_by("pk")) if wanted else []
        if len(found) != len(wanted):
            errors[name] = [_("One of the chosen entries does not exist.")]
        relations[name] = found
    original = None
    if data.translation_of_id is not None:
        original = Article.objects.filter(pk=data.translation_of_id).first()
        if original is None:
            errors["translation_of"] = [_("The original article does not exist.")]
        elif original.language == data.language:
            errors["translation_of"] = [_("A translation is written in another language than its original.")]
    if errors:
        raise ValidationFailed(errors, code="article_invalid")
    columns = {
        "kind": data.kind,
        "language": data.language,
        "title": title,
        "body": body,
        "keywords": keywords,
        "customer_visible": bool(data.customer_visible),
        "translation_of": original,
    }
    return columns, relations


def _lock(article: Article, *, expected_version: int | None) -> Article:
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This article was changed since you read it (now version %(version)d); reload it and try again.")
            % {"version": locked.version},
            code="stale_version",
            field="version",
        )
    return locked


def _require_writer(actor: User) -> None:
    if not is_writer(actor):
        raise PermissionDenied(_("Your role does not write knowledge articles."), code="knowledge_writer_only")


def _require_reviewer(actor: User) -> None:
    if not is_reviewer(actor):
        raise PermissionDenied(_("Only a reviewer may do this."), code="knowledge_reviewer_only")


def _move(article: Article, *, to: str, actor: User, fields: dict[str, Any] | None = None, note: str = "") -> Article:
    """The one door of an article's status: the table allows the move, the row and audit follow."""
    ARTICLE_STATES.check(article.status, to)
    before = article.status
    updates: dict[str, Any] = {"status": to, "version": article.version + 1, "updated_at": clock.now(), **(fields or {})}
    for name, value in updates.items():
        setattr(article, name, value)
    article.save(update_fields=list(updates))
    changes: dict[str, Any] = {"status": [before, to]}
    if note:
        changes["note"] = note
    audit_record(action=ARRIVAL_AUDIT[to], obj=article, actor=actor, changes=changes)
    return article


@transaction.atomic
def article_create(*, actor: User, data: ArticleInput, source_ticket: Ticket | None = None) -> Article:
    """A new draft written by ``actor``."""
    _require_writer(actor)
    columns, relations = _clean(data)
    now = clock.now()
    article = Article(**columns, author=actor, source_ticket=source_ticket, created_at=now, updated_at=now)
    article.search_grams = _search_grams(article, None)
    article.save()
    for name, rows in relations.items():
        getattr(article, name).set(rows)
    audit_record(
        action=KnowledgeAudit.ARTICLE_CREATED,
        obj=article,
        actor=actor,
        changes={"title": article.title, "language": article.language, "ticket": source_ticket.number if source_ticket else ""},
    )
    return article


@transaction.atomic
def article_update(*, article: Article, actor: User, data: ArticleInput, expected_version: int | None) -> Article:
    """Edit the working copy. A published article goes back to draft (its published version
    stays live until the edit is approved); an article in review or archived is not edited."""
    _require_writer(actor)
    locked = _lock(article, expected_version=expected_version)
    if locked.status == A.IN_REVIEW:
        raise DomainError(
            _("This article is in review; the reviewer sends it back before it can be edited."),
            code="article_in_review",
            field="status",
        )
    if locked.status == A.ARCHIVED:
        raise DomainError(_("An archived article is not edited; restore it first."), code="article_archived", field="status")
    if locked.author_id != actor.pk and not is_reviewer(actor):
        raise PermissionDenied(_("Only its author or a reviewer edits this article."), code="knowledge_not_author")
    columns, relations = _clean(data)
    if columns["translation_of"] is not None and columns["translation_of"].pk == locked.pk:
        raise ValidationFailed({"translation_of": [_("An article is not a translation of itself.")]}, code="article_invalid")
    changed = {k: [str(getattr(locked, k)), str(v)] for k, v in columns.items() if getattr(locked, k) != v}
    for name, value in columns.items():
        setattr(locked, name, value)
    locked.search_grams = _search_grams(locked, locked.live_revision)
    locked.save(update_fields=[*columns, "search_grams"])
    for name, rows in relations.items():
        getattr(locked, name).set(rows)
    if locked.status == A.PUBLISHED:
        _move(locked, to=A.DRAFT, actor=actor, note="revised")
    else:
        locked.version += 1
        locked.updated_at = clock.now()
        locked.save(update_fields=["version", "updated_at"])
    audit_record(action=KnowledgeAudit.ARTICLE_UPDATED, obj=locked, actor=actor, changes=changed)
    return locked


@transaction.atomic
def article_submit(*, article: Article, actor: User, expected_version: int | None) -> Article:
    """Send a draft to review."""
    _require_writer(actor)
    locked = _lock(article, expected_version=expected_version)
    if locked.author_id != actor.pk and not is_reviewer(actor):
        raise PermissionDenied(_("Only its author or a reviewer submits this article."), code="knowledge_not_author")
    return _move(locked, to=A.IN_REVIEW, actor=actor, fields={"submitted_at": clock.now(), "submitted_by": actor})


@transaction.atomic
def article_approve(*, article: Article, actor: User, expected_version: int | None) -> Article:
    """Publish an article in review as its next version; the reviewer is not its author nor
    who submitted it."""
    _require_reviewer(actor)
    locked = _lock(article, expected_version=expected_version)
    if actor.pk in {locked.author_id, locked.submitted_by_id}:
        raise PermissionDenied(
            _("You wrote or submitted this article; another reviewer approves it."),
            code="knowledge_own_article",
        )
    if locked.status != A.IN_REVIEW:
        ARTICLE_STATES.check(locked.status, A.PUBLISHED)
    number = (locked.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = ArticleRevision.objects.create(
        article=locked,
        number=number,
        kind=locked.kind,
        title=locked.title,
        body=locked.body,
        keywords=locked.keywords,
        customer_visible=locked.customer_visible,
        author=locked.submitted_by or locked.author,
        approved_by=actor,
        published_at=clock.now(),
    )
    locked.search_grams = _search_grams(locked, revision)
    _move(locked, to=A.PUBLISHED, actor=actor, fields={"live_revision": revision, "search_grams": locked.search_grams})
    ArticleKeyword.objects.filter(article=locked).delete()
    ArticleKeyword.objects.bulk_create(ArticleKeyword(article=locked, word=w) for w in split_keywords(revision.keywords))
    return locked


@transaction.atomic
def article_send_back(*, article: Article, actor: User, note: str = "", expected_version: int | None) -> Article:
    """A reviewer returns an article in review to its author, with what to change."""
    _require_reviewer(actor)
    locked = _lock(article, expected_version=expected_version)
    if locked.status != A.IN_REVIEW:
        raise DomainError(_("Only an article in review can be sent back."), code="article_not_in_review", field="status")
    return _move(locked, to=A.DRAFT, actor=actor, note=(note or "").strip()[:2000])


@transaction.atomic
def article_archive(*, article: Article, actor: User, expected_version: int | None) -> Article:
    """Take an article out of use: readers no longer see it."""
    _require_reviewer(actor)
    locked = _lock(article, expected_version=expected_version)
    return _move(locked, to=A.ARCHIVED, actor=actor)


@transaction.atomic
def article_restore(*, article: Article, actor: User, expected_version: int | None) -> Article:
    """Bring an archived article back as a draft (it is published again only after review)."""
    _require_reviewer(actor)
    locked = _lock(article, expected_version=expected_version)
    return _move(locked, to=A.DRAFT, actor=actor, fields={"live_revision": None})


@transaction.atomic
def article_add_attachment(
    *, article: Article, actor: User, upload: IO[bytes], filename: str, claimed_type: str = ""
) -> ArticleAttachment:
    """Attach a file or image; its type is read from its bytes and must be one accepted for
    tickets, and the type the uploader claimed (when one was sent) must be that type."""
    _require_writer(actor)
    locked = _lock(article, expected_version=None)
    if locked.author_id != actor.pk and not is_reviewer(actor):
        raise PermissionDenied(_("Only its author or a reviewer edits this article."), code="knowledge_not_author")
    if locked.status == A.ARCHIVED:
        raise DomainError(_("An archived article is not edited; restore it first."), code="article_archived", field="status")
    sniffed = sniff_upload(upload, field="file")
    claimed = (claimed_type or "").split(";")[0].strip().lower()
    if claimed and claimed not in {"application/octet-stream", sniffed.content_type}:
        raise ValidationFailed(
            {
                "file": [
                    _("The file's contents are %(real)s, not %(claimed)s as it claims.")
                    % {"real": sniffed.content_type, "claimed": claimed}
                ]
            },
            code="attachment_type_mismatch",
        )
    name = (filename or "file").replace("/", "_").replace("\\", "_")[:200]
    attachment = ArticleAttachment(
        article=locked,
        original_name=name,
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        uploaded_by=actor,
        created_at=clock.now(),
    )
    attachment.file.save(f"upload{sniffed.extension}", File(upload), save=False)
    attachment.save()
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        action=KnowledgeAudit.ATTACHMENT_ADDED,
        obj=locked,
        actor=actor,
        changes={"file": name, "content_type": sniffed.content_type, "size": sniffed.size},
    )
    return attachment


@transaction.atomic
def article_mark_solved(*, article: Article, ticket: Ticket, actor: User) -> ArticleFeedback:
    """ "This solved it": count once per article and ticket (``ticket``: one the actor may see,
    fetched through the ticket selectors). The count feeds the suggestions' ranking."""
    if actor.is_customer or not actor.is_authenticated:
        raise PermissionDenied(_("Only staff record what solved a ticket."), code="staff_only")
    locked_ticket = lock_ticket(ticket.pk)
    locked = _lock(article, expected_version=None)
    if not locked.is_live:
        raise DomainError(
            _("Only a published article can be marked as the solution."), code="article_not_published", field="article"
        )
    if ArticleFeedback.objects.filter(article=locked, ticket=locked_ticket).exists():
        raise Conflict(
            _("This article is already counted as solving ticket %(number)s.") % {"number": locked_ticket.number},
            code="feedback_exists",
            field="ticket",
        )
    try:
        with transaction.atomic():
            feedback = ArticleFeedback.objects.create(article=locked, ticket=locked_ticket, user=actor, created_at=clock.now())
    except IntegrityError:  # pragma: no cover - the locks above make this a race that cannot happen
        raise Conflict(_("This article is already counted for this ticket."), code="feedback_exists", field="ticket") from None
    Article.objects.filter(pk=locked.pk).update(solved_count=F("solved_count") + 1)
    audit_record(action=KnowledgeAudit.SOLVED_TICKET, obj=locked, actor=actor, changes={"ticket": locked_ticket.number})
    if locked_ticket.status not in FINAL_STATUSES:  # an archived ticket's timeline is read-only
        timeline(
            ticket=locked_ticket,
            actor=actor,
            text=deferred(_("Knowledge article “%(title)s” solved this problem."), title=locked.title),
            data={"knowledge_article": locked.pk},
        )
    return feedback


def _plan_text(ticket: Ticket) -> str:
    plan = ticket_current_plan(ticket=ticket)
    if plan is None or not plan.diagnosis.strip():
        raise DomainError(_("This ticket has no plan to learn from."), code="ticket_without_plan", field="ticket")
    lines = [plan.diagnosis.strip(), ""]
    for measure in plan.measures.all():
        if measure.status == MeasureStatus.CANCELLED:
            continue
        text = measure.description.strip() or str(measure.get_kind_display())
        lines.append(f"- {measure.get_kind_display()}: {text}" if measure.description.strip() else f"- {text}")
    return "\n".join(lines).strip()


@transaction.atomic
def article_draft_from_ticket(*, ticket: Ticket, actor: User, language: str = ArticleLanguage.ZH_HANS) -> Article:
    """A draft standard solution from a resolved ticket's plan (diagnosis and measures),
    linked to the ticket's product model and fault category; internal until a reviewer decides."""
    _require_writer(actor)
    locked_ticket = lock_ticket(ticket.pk)
    if locked_ticket.status not in SOLVED_FROM:
        raise DomainError(
            _("Only a resolved or closed ticket's plan becomes a standard solution."), code="ticket_not_resolved", field="ticket"
        )
    data = ArticleInput(
        kind=ArticleKind.SOLUTION,
        language=language,
        title=locked_ticket.title[:MAX_TITLE],
        body=_plan_text(locked_ticket),
        product_model_ids=[locked_ticket.product_model_id] if locked_ticket.product_model_id else [],
        fault_category_ids=[locked_ticket.category_id] if locked_ticket.category_id else [],
    )
    article = article_create(actor=actor, data=data, source_ticket=locked_ticket)
    if locked_ticket.status not in FINAL_STATUSES:
        timeline(
            ticket=locked_ticket,
            actor=actor,
            text=deferred(_("Draft standard solution written from this ticket's plan: “%(title)s”."), title=article.title),
            data={"knowledge_article": article.pk},
        )
    return article
