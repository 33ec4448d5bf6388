# ruff: noqa: B008 - django-ninja declares parameters with Query()/Path()/Header() defaults
"""API v1: the knowledge base — search and read (a customer: published, customer-visible
articles only; staff by role) with their files (downloaded as the portal's article page shows
them), write drafts, submit, approve (publish), send back, archive, "this solved it", and the
suggestions for a ticket.

Creates take ``Idempotency-Key``; changes of an article take ``If-Match`` with its ETag
(``"v<version>"``). Handlers only parse, call one selector or service, and present the result.
"""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import File, Header, Path, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from aftersales.catalog.models import ProductCategory, ProductModel
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.knowledge import selectors, services
from aftersales.knowledge.models import Article, ArticleAttachment, ArticleKind, ArticleLanguage, ArticleStatus
from aftersales.knowledge.services import ArticleInput
from aftersales.tickets.models import TicketCategory

from ..auth import caller_of
from ..conditional import checked_version, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..selectors import api_ticket_get
from .common import MAX_ID, MAX_PAGE_SIZE, problems, staff_caller
from .common import idempotency_header as _idem

router = Router(tags=["knowledge"])

ArticleId = Annotated[int, Path(ge=1, le=MAX_ID)]
IF_MATCH_DOC = "The ETag of the article as read (GET /knowledge/articles/{article_id}); 412 when stale, 428 when missing."
Codes = Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=50)]


class ArticleIn(Schema):
    kind: str = Field("", max_length=24, description="faq, troubleshooting, solution or installation.")
    language: str = Field("", max_length=16, description="zh-hans or en (required).")
    title: str = Field("", max_length=400)
    body: str = Field("", max_length=60000)
    keywords: str = Field("", max_length=600, description="Words a ticket's text is matched on, comma-separated.")
    customer_visible: bool = False
    product_models: Codes = Field(default_factory=list, description="Product model numbers.")
    product_categories: Codes = Field(default_factory=list, description="Product category codes.")
    fault_categories: Codes = Field(default_factory=list, description="Ticket (fault) category codes.")
    translation_of: int | None = Field(None, ge=1, le=MAX_ID, description="The id of the article this translates.")


class ArticleFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    image: bool = Field(description="An image the article shows in its text (the others are downloads).")
    download_url: str


class ArticleOut(Schema):
    id: int
    kind: str
    language: str
    status: str
    title: str
    body: str
    keywords: str
    customer_visible: bool
    version: int = Field(description='The article\'s ETag is this number ("v7").')
    live_version: int | None = Field(None, description="The published version readers see, if any.")
    product_models: list[str]
    product_categories: list[str]
    fault_categories: list[str]
    translation_of: int | None = None
    solved_count: int
    author: str
    updated_at: datetime
    attachments: list[ArticleFileOut] = Field(description="The article's images and files, oldest first.")


class ArticlePage(Schema):
    items: list[ArticleOut]
    total: int
    next_offset: int | None = None


class RevisionOut(Schema):
    number: int
    title: str
    body: str
    customer_visible: bool
    author: str
    approved_by: str
    published_at: datetime


class SendBackIn(Schema):
    note: str = Field("", max_length=2000)


class FeedbackIn(Schema):
    ticket: str = Field(min_length=1, max_length=32, description="The ticket number the article solved.")


class FeedbackOut(Schema):
    article: int
    ticket: str
    solved_count: int


class ArticleAttachmentOut(Schema):
    id: int
    article: int
    name: str
    content_type: str = Field(description="Read from the file's bytes, not from the name or the claimed type.")
    size: int
    sha256: str
    version: int = Field(description="The article's version after the upload (its new ETag).")


class SuggestionOut(Schema):
    article: ArticleOut
    reasons: list[str]
    same_model: bool
    same_category: bool
    same_fault_category: bool
    matched_words: list[str]
    solved_this_ticket: bool


def _out(article: Article, *, working_copy: bool) -> ArticleOut:
    live = article.live_revision
    reader = not working_copy and live is not None
    return ArticleOut(
        id=article.pk,
        kind=live.kind if reader and live else article.kind,
        language=article.language,
        status=article.status if working_copy else ArticleStatus.PUBLISHED,
        title=live.title if reader and live else article.title,
        body=live.body if reader and live else article.body,
        keywords=live.keywords if reader and live else article.keywords,
        customer_visible=live.customer_visible if reader and live else article.customer_visible,
        version=article.version,
        live_version=live.number if live else None,
        product_models=[m.code for m in article.product_models.all()],
        product_categories=[c.code for c in article.product_categories.all()],
        fault_categories=[c.code for c in article.fault_categories.all()],
        translation_of=article.translation_of_id,
        solved_count=article.solved_count,
        author=str(article.author),
        updated_at=article.updated_at,
        attachments=[
            ArticleFileOut(
                id=f.pk,
                name=f.original_name,
                content_type=f.content_type,
                size=f.size,
                image=f.is_image,
                download_url=reverse("api-v1:knowledge_attachment_download", kwargs={"attachment_id": f.pk}),
            )
            for f in article.attachments.all()
        ],
    )


def _ids(model: Any, field: str, codes: list[str]) -> list[int]:
    wanted = sorted(set(codes))
    found = dict(model.objects.filter(code__in=wanted).values_list("code", "pk")) if wanted else {}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationFailed({field: [_("Unknown code: %(codes)s.") % {"codes": ", ".join(missing)}]}, code="article_invalid")
    return [found[c] for c in wanted]


def _input(payload: ArticleIn) -> ArticleInput:
    return ArticleInput(
        kind=payload.kind,
        language=payload.language,
        title=payload.title,
        body=payload.body,
        keywords=payload.keywords,
        customer_visible=payload.customer_visible,
        product_model_ids=_ids(ProductModel, "product_models", payload.product_models),
        product_category_ids=_ids(ProductCategory, "product_categories", payload.product_categories),
        fault_category_ids=_ids(TicketCategory, "fault_categories", payload.fault_categories),
        translation_of_id=payload.translation_of,
    )


def _version_from_if_match(request: HttpRequest, article: Article) -> int:
    return checked_version(
        request,
        article,
        missing=_("Send the article's ETag in If-Match (read the article first)."),
        stale=_("The article was changed since you read it; read it again and retry."),
    )


def _fresh(caller: Any, article_id: int) -> Article:
    return selectors.article_get_for_user(user=caller.user, article_id=article_id)


@router.get(
    "/knowledge/articles",
    response={200: ArticlePage, **problems(403)},
    summary="Search and list knowledge articles (a customer: published, customer-visible ones)",
)
def list_articles(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="Words of the title, text or keywords (two-character Chinese words work)."),
    kind: ArticleKind | None = None,
    language: ArticleLanguage | None = None,
    status: ArticleStatus | None = Query(None, description="Staff who write articles only; others see published ones."),
    model: str = Query("", max_length=64, description="A product model number."),
    offset: int = Query(0, ge=0, le=100000),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = caller_of(request, Scope.KNOWLEDGE_READ)
    model_id = ProductModel.objects.filter(code=model).values_list("pk", flat=True).first() if model else None
    if model and model_id is None:
        return ArticlePage(items=[], total=0)
    filters = selectors.ArticleFilters(
        query=q,
        kind=kind.value if kind else "",
        language=language.value if language else "",
        status=status.value if status and selectors.reads_working_copy(caller.user) else "",
        product_model_id=model_id,
    )
    qs = selectors.article_search(user=caller.user, filters=filters).prefetch_related(
        "product_models", "product_categories", "fault_categories", "attachments"
    )
    total = qs.count()
    rows = list(qs[offset : offset + limit])
    working = selectors.reads_working_copy(caller.user)
    next_offset = offset + limit if offset + limit < total else None
    return ArticlePage(items=[_out(a, working_copy=working) for a in rows], total=total, next_offset=next_offset)


@router.get(
    "/knowledge/articles/{article_id}",
    response={200: ArticleOut, **problems(403, 404)},
    summary="Read a knowledge article (ETag)",
)
def get_article(request: HttpRequest, article_id: ArticleId, response: HttpResponse) -> Any:
    caller = caller_of(request, Scope.KNOWLEDGE_READ)
    article = _fresh(caller, article_id)
    response["ETag"] = version_etag(article)
    return _out(article, working_copy=selectors.reads_working_copy(caller.user))


@router.get(
    "/knowledge/attachments/{attachment_id}",
    response={200: None, **problems(403, 404)},
    summary="Download an article's image or file (whoever may read the article)",
    url_name="knowledge_attachment_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with its type read from its bytes.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, attachment_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Any:
    caller = caller_of(request, Scope.KNOWLEDGE_READ)
    # The same answer whether the file is hidden from the caller or gone.
    missing = NotFound(_("No attachment with this id is visible to you."), code="attachment_not_found")
    item = ArticleAttachment.objects.filter(pk=attachment_id).first()
    if item is None:
        raise missing
    try:
        selectors.article_get_for_user(user=caller.user, article_id=item.article_id)
        fileobj = item.file.open("rb")
    except (NotFound, FileNotFoundError):  # an article the caller may not read, or a row without its file
        raise missing from None
    response = FileResponse(fileobj, as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.get(
    "/knowledge/articles/{article_id}/versions",
    response={200: list[RevisionOut], **problems(403, 404)},
    summary="The published versions of an article, newest first (staff)",
)
def list_versions(request: HttpRequest, article_id: ArticleId) -> Any:
    caller = staff_caller(request, Scope.KNOWLEDGE_READ)
    article = _fresh(caller, article_id)
    return [
        RevisionOut(
            number=r.number,
            title=r.title,
            body=r.body,
            customer_visible=r.customer_visible,
            author=str(r.author),
            approved_by=str(r.approved_by),
            published_at=r.published_at,
        )
        for r in selectors.article_revisions(user=caller.user, article=article)
    ]


@router.post(
    "/knowledge/articles",
    response={201: ArticleOut, **problems(403, 409, 422)},
    summary="Write a new draft article",
)
@idempotent
def create_article(request: HttpRequest, payload: ArticleIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.KNOWLEDGE_WRITE)
    article = services.article_create(actor=caller.user, data=_input(payload))
    fresh = _fresh(caller, article.pk)
    headers = {"Location": f"{request.path.rstrip('/')}/{article.pk}", "ETag": version_etag(fresh)}
    return 201, _out(fresh, working_copy=True), headers


@router.put(
    "/knowledge/articles/{article_id}",
    response={200: ArticleOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Edit an article's draft (a published one becomes a draft again; its published version stays live)",
)
def update_article(
    request: HttpRequest,
    article_id: ArticleId,
    payload: ArticleIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.KNOWLEDGE_WRITE)
    article = _fresh(caller, article_id)
    version = _version_from_if_match(request, article)
    services.article_update(article=article, actor=caller.user, data=_input(payload), expected_version=version)
    fresh = _fresh(caller, article_id)
    response["ETag"] = version_etag(fresh)
    return _out(fresh, working_copy=True)


def _step(request: HttpRequest, article_id: int, response: HttpResponse, run: Any, **extra: Any) -> Any:
    caller = staff_caller(request, Scope.KNOWLEDGE_WRITE)
    article = _fresh(caller, article_id)
    version = _version_from_if_match(request, article)
    run(article=article, actor=caller.user, expected_version=version, **extra)
    fresh = _fresh(caller, article_id)
    response["ETag"] = version_etag(fresh)
    return _out(fresh, working_copy=True)


STEP_RESPONSES = {200: ArticleOut, **problems(403, 404, 409, 412, 428)}


@router.post("/knowledge/articles/{article_id}/submit", response=STEP_RESPONSES, summary="Submit a draft for review")
def submit_article(
    request: HttpRequest,
    article_id: ArticleId,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _step(request, article_id, response, services.article_submit)


@router.post(
    "/knowledge/articles/{article_id}/approve",
    response=STEP_RESPONSES,
    summary="Approve and publish an article in review (a reviewer who is not its author)",
)
def approve_article(
    request: HttpRequest,
    article_id: ArticleId,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _step(request, article_id, response, services.article_approve)


@router.post(
    "/knowledge/articles/{article_id}/send-back",
    response=STEP_RESPONSES,
    summary="Send an article in review back to its author",
)
def send_back_article(
    request: HttpRequest,
    article_id: ArticleId,
    payload: SendBackIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _step(request, article_id, response, services.article_send_back, note=payload.note)


@router.post("/knowledge/articles/{article_id}/archive", response=STEP_RESPONSES, summary="Archive an article")
def archive_article(
    request: HttpRequest,
    article_id: ArticleId,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _step(request, article_id, response, services.article_archive)


@router.post(
    "/knowledge/articles/{article_id}/attachments",
    response={201: ArticleAttachmentOut, **problems(403, 404, 409, 413, 422)},
    summary="Attach a file or image to an article (multipart; its type is read from the bytes)",
)
@idempotent
def add_attachment(
    request: HttpRequest,
    article_id: ArticleId,
    file: UploadedFile = File(..., description="An image (JPEG, PNG, GIF, WebP, HEIC), a PDF, a video or audio."),
    idempotency_key: str = _idem(),
) -> Any:
    caller = staff_caller(request, Scope.KNOWLEDGE_WRITE)
    article = _fresh(caller, article_id)
    stored = services.article_add_attachment(
        article=article, actor=caller.user, upload=file, filename=file.name or "", claimed_type=file.content_type or ""
    )
    fresh = _fresh(caller, article_id)
    headers = {"ETag": version_etag(fresh)}
    return (
        201,
        ArticleAttachmentOut(
            id=stored.pk,
            article=fresh.pk,
            name=stored.original_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            version=fresh.version,
        ),
        headers,
    )


@router.post(
    "/knowledge/articles/{article_id}/feedback",
    response={201: FeedbackOut, **problems(403, 404, 409)},
    summary="“This solved it”: the article solved a ticket (counted once per ticket)",
)
@idempotent
def article_feedback(request: HttpRequest, article_id: ArticleId, payload: FeedbackIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.KNOWLEDGE_WRITE)
    caller.require(Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=payload.ticket)
    article = _fresh(caller, article_id)
    services.article_mark_solved(article=article, ticket=ticket, actor=caller.user)
    fresh = _fresh(caller, article_id)
    return 201, FeedbackOut(article=fresh.pk, ticket=ticket.number, solved_count=fresh.solved_count)


@router.get(
    "/tickets/{number}/knowledge-suggestions",
    response={200: list[SuggestionOut], **problems(403, 404)},
    summary="Suggested articles for a ticket, each with why (staff)",
)
def ticket_suggestions(request: HttpRequest, number: Annotated[str, Path(max_length=32)]) -> Any:
    caller = staff_caller(request, Scope.KNOWLEDGE_READ)
    caller.require(Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    suggestions = selectors.ticket_suggestions(user=caller.user, ticket=ticket)
    prefetch_related_objects([s.article for s in suggestions], "attachments")  # one query for their files
    return [
        SuggestionOut(
            article=_out(s.article, working_copy=False),
            reasons=s.reasons,
            same_model=s.same_model,
            same_category=s.same_category,
            same_fault_category=s.same_fault,
            matched_words=s.words,
            solved_this_ticket=s.solved_here,
        )
        for s in suggestions
    ]
