"""The knowledge base's staff pages: list and search, an article (its live or working text,
versions, attachments, the review steps), the editor, the review queue; and the ticket panel's
endpoints ("this solved it", a draft standard solution from a resolved ticket).

Thin: parse, call a selector or a service, render. A refusal is shown on the form or as a message.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, posted_version, query_without_page, render_htmx, request_user
from aftersales.tickets.selectors import ticket_get_for_user

from . import selectors, services
from .forms import ArticleForm, AttachmentForm, SearchForm, SendBackForm
from .models import ArticleAttachment, ArticleLanguage, ArticleStatus
from .permissions import is_reviewer, is_writer

PAGE_SIZE = 25
STEPS = {
    "submit": services.article_submit,
    "approve": services.article_approve,
    "archive": services.article_archive,
    "restore": services.article_restore,
}


@staff_required
def article_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = SearchForm(request.GET or None)
    filters = selectors.ArticleFilters()
    if form.is_valid():
        c = form.cleaned_data
        filters = selectors.ArticleFilters(query=c["q"], kind=c["kind"], language=c["language"], status=c["status"])
    page = Paginator(selectors.article_search(user=user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "writer": is_writer(user),
        "working_copy": selectors.reads_working_copy(user),
        "in_review": selectors.review_queue(user=user).count() if is_reviewer(user) else 0,
        "query": query_without_page(request),
    }
    template = "knowledge/partials/results.html" if is_fragment_request(request) else "knowledge/list.html"
    return render_htmx(request, template, context)


@staff_required
def article_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not is_writer(user):
        raise Http404
    language = "en" if (get_language() or "").startswith("en") else ArticleLanguage.ZH_HANS
    form = ArticleForm(request.POST or None, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            article = services.article_create(actor=user, data=form.article_input())
        if not refused:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge:detail", article.pk)
    return render(request, "knowledge/edit.html", {"form": form, "article": None})


@staff_required
@domain_errors
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    article = selectors.article_get_for_user(user=user, article_id=pk)
    working = selectors.reads_working_copy(user)
    may_edit = is_writer(user) and (article.author_id == user.pk or is_reviewer(user))
    has_steps = (
        article.status == ArticleStatus.IN_REVIEW or is_reviewer(user) or (may_edit and article.status != ArticleStatus.ARCHIVED)
    )
    context = {
        "article": article,
        "working_copy": working,
        "shown_title": article.title if working or not article.live_revision else article.live_revision.title,
        "shown_body": article.body if working or not article.live_revision else article.live_revision.body,
        "revisions": selectors.article_revisions(user=user, article=article),
        "writer": is_writer(user),
        "reviewer": is_reviewer(user),
        "may_edit": may_edit,
        "has_steps": has_steps,
        "own": user.pk in {article.author_id, article.submitted_by_id},
        "send_back_form": SendBackForm(initial={"expected_version": article.version}),
        "attachment_form": AttachmentForm(),
        "S": ArticleStatus,
    }
    return render(request, "knowledge/detail.html", context)


@staff_required
@domain_errors
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    article = selectors.article_get_for_user(user=user, article_id=pk)
    if not is_writer(user):
        raise Http404
    form = ArticleForm(request.POST) if request.method == "POST" else ArticleForm.for_article(article)
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            services.article_update(
                article=article, actor=user, data=form.article_input(), expected_version=form.cleaned_data["expected_version"]
            )
        if not refused:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge:detail", article.pk)
        status = refused.status
    return render(request, "knowledge/edit.html", {"form": form, "article": article}, status=status)


@staff_required
@require_POST
@domain_errors
def article_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = request_user(request)
    article = selectors.article_get_for_user(user=user, article_id=pk)
    with refusals(request=request) as refused:
        if step == "send-back":
            form = SendBackForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            services.article_send_back(article=article, actor=user, note=note, expected_version=posted_version(request))
        elif step in STEPS:
            STEPS[step](article=article, actor=user, expected_version=posted_version(request))
        else:
            raise Http404
    if not refused:
        messages.success(request, _("Done."))
    return redirect("knowledge:detail", article.pk)


@staff_required
@domain_errors
def article_revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = request_user(request)
    article = selectors.article_get_for_user(user=user, article_id=pk)
    revision = next((r for r in selectors.article_revisions(user=user, article=article) if r.number == number), None)
    if revision is None:
        raise Http404
    return render(request, "knowledge/revision.html", {"article": article, "revision": revision})


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not is_reviewer(user):
        raise Http404
    return render(request, "knowledge/review.html", {"articles": selectors.review_queue(user=user)[:200]})


@staff_required
@require_POST
@domain_errors
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    article = selectors.article_get_for_user(user=user, article_id=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect("knowledge:detail", article.pk)
    upload = form.cleaned_data["file"]
    with refusals(request=request) as refused:
        services.article_add_attachment(
            article=article, actor=user, upload=upload, filename=upload.name, claimed_type=upload.content_type or ""
        )
    if not refused:
        messages.success(request, _("File attached."))
    return redirect("knowledge:detail", article.pk)


@domain_errors
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An article's file, for whoever may read the article (customers too, through the portal)."""
    user = request_user(request)
    if not user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    attachment = ArticleAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    selectors.article_get_for_user(user=user, article_id=attachment.article_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:  # the row outlived its file: gone, not a 500
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    disposition = "inline" if attachment.is_image or attachment.content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(attachment.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required
@domain_errors
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The knowledge panel of a ticket (the ticket page and the work order load it): suggested
    articles with why, "this solved it", and a draft solution from a resolved ticket."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    compact = request.GET.get("compact") == "1"
    back = request.headers.get("HX-Current-URL", "") if is_fragment_request(request) else ""
    context = {
        "ticket": ticket,
        "compact": compact,
        "suggestions": selectors.ticket_suggestions(user=user, ticket=ticket, limit=3 if compact else selectors.SUGGESTIONS),
        "may_draft": (not compact) and is_writer(user) and ticket.status in services.SOLVED_FROM,
        "next": _local_path(back) or reverse("tickets:detail", args=[ticket.number]),
    }
    if is_fragment_request(request):
        return render(request, "knowledge/_suggestions.html", context)
    return render(request, "knowledge/ticket_panel.html", context)


def _local_path(url: str) -> str:
    """The path (and query) of a URL of this site, or ``""``: where to come back to."""
    parts = urlsplit(url)
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


@staff_required
@require_POST
@domain_errors
def mark_solved(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    article = selectors.article_get_for_user(user=user, article_id=pk)
    with refusals(request=request) as refused:
        services.article_mark_solved(article=article, ticket=ticket, actor=user)
    if not refused:
        messages.success(request, _("Thank you: the article is counted as solving this ticket."))
    back = _local_path(request.POST.get("next", ""))
    if back:
        return redirect(back)
    return redirect("tickets:detail", ticket.number)


@staff_required
@require_POST
@domain_errors
def draft_from_ticket(request: HttpRequest, number: str) -> HttpResponse:
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    language = "en" if (get_language() or "").startswith("en") else ArticleLanguage.ZH_HANS
    with refusals(request=request) as refused:
        article = services.article_draft_from_ticket(ticket=ticket, actor=user, language=language)
    if refused:
        return redirect("tickets:detail", ticket.number)
    messages.success(
        request, _("A draft standard solution was written from the ticket's plan; check it and submit it for review.")
    )
    return redirect("knowledge:edit", article.pk)
