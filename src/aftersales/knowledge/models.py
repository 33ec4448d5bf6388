"""Knowledge base articles: FAQ, troubleshooting, standard solutions, installation guides.

One article is written in ONE language (``language``, required); a translation is another
article that names its original in ``translation_of`` and goes through its own review. The
article row holds the working copy (what its author edits); every publication freezes a numbered
``ArticleRevision`` and points ``live_revision`` at it: readers (customers, suggestions, search
results for non-editors) always see the live revision, never an unreviewed edit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductCategory, ProductModel
from aftersales.core.uploads import upload_path
from aftersales.tickets.models import Ticket, TicketCategory


class ArticleKind(models.TextChoices):
    FAQ = "faq", _("FAQ")
    TROUBLESHOOTING = "troubleshooting", _("Troubleshooting")
    SOLUTION = "solution", _("Standard solution")
    INSTALLATION = "installation", _("Installation guide")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ArticleLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class Article(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=ArticleKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=ArticleLanguage.choices)
    translation_of = models.ForeignKey(
        "self", verbose_name=_("translation of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="translations"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    customer_visible = models.BooleanField(_("visible to customers"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    product_models = models.ManyToManyField(ProductModel, verbose_name=_("product models"), blank=True, related_name="+")
    product_categories = models.ManyToManyField(
        ProductCategory, verbose_name=_("product categories"), blank=True, related_name="+"
    )
    fault_categories = models.ManyToManyField(TicketCategory, verbose_name=_("fault categories"), blank=True, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="knowledge_articles"
    )
    source_ticket = models.ForeignKey(
        Ticket, verbose_name=_("from ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    live_revision = models.ForeignKey(
        "ArticleRevision", verbose_name=_("published version"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    solved_count = models.PositiveIntegerField(_("solved tickets"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Bigrams of the working copy and the live revision (tickets.search): the search column.
    search_grams = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "-updated_at"], name="knowledge_status_updated")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        return self.live_revision_id is not None and self.status != ArticleStatus.ARCHIVED


class ArticleRevision(models.Model):
    """One published version of an article, frozen when it was approved."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=24, choices=ArticleKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    customer_visible = models.BooleanField(_("visible to customers"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="knowledge_revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class ArticleKeyword(models.Model):
    """A normalised keyword of an article's live revision: what a ticket's text is matched on."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="keyword_rows")
    word = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["word", "article"], name="knowledge_keyword_unique")]

    def __str__(self) -> str:
        return self.word


def attachment_upload_to(instance: ArticleAttachment, filename: str) -> str:
    return upload_path(f"knowledge/{instance.article_id}", instance, filename)


class ArticleAttachment(models.Model):
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ArticleFeedback(models.Model):
    """ "This solved it": an article solved a ticket (once per article and ticket)."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="feedback")
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("“this solved it”")
        verbose_name_plural = _("“this solved it”")
        constraints = [models.UniqueConstraint(fields=["article", "ticket"], name="knowledge_feedback_once_per_ticket")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.ticket_id}"
