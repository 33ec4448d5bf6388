"""The knowledge base's forms: the article editor, the search filters, the upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductCategory, ProductModel
from aftersales.tickets.models import TicketCategory

from .models import Article, ArticleKind, ArticleLanguage, ArticleStatus
from .services import ArticleInput


class ArticleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *ArticleKind.choices], required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("", "—"), *ArticleLanguage.choices], required=False)
    title = forms.CharField(label=_("Title"), max_length=400, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}), required=False)
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=600,
        required=False,
        help_text=_("Words a ticket's text is matched on, separated by commas (e.g. leak, E1)."),
    )
    customer_visible = forms.BooleanField(label=_("Visible to customers"), required=False)
    product_models = forms.ModelMultipleChoiceField(
        label=_("Product models"), queryset=ProductModel.objects.order_by("code"), required=False
    )
    product_categories = forms.ModelMultipleChoiceField(
        label=_("Product categories"), queryset=ProductCategory.objects.order_by("code"), required=False
    )
    fault_categories = forms.ModelMultipleChoiceField(
        label=_("Fault categories"), queryset=TicketCategory.objects.order_by("position", "code"), required=False
    )
    translation_of = forms.ModelChoiceField(label=_("Translation of"), queryset=Article.objects.order_by("-id"), required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def article_input(self) -> ArticleInput:
        c: dict[str, Any] = self.cleaned_data
        return ArticleInput(
            kind=c["kind"],
            language=c["language"],
            title=c["title"],
            body=c["body"],
            keywords=c["keywords"],
            customer_visible=c["customer_visible"],
            product_model_ids=[m.pk for m in c["product_models"]],
            product_category_ids=[m.pk for m in c["product_categories"]],
            fault_category_ids=[m.pk for m in c["fault_categories"]],
            translation_of_id=c["translation_of"].pk if c["translation_of"] else None,
        )

    @classmethod
    def for_article(cls, article: Article) -> ArticleForm:
        return cls(
            initial={
                "kind": article.kind,
                "language": article.language,
                "title": article.title,
                "body": article.body,
                "keywords": article.keywords,
                "customer_visible": article.customer_visible,
                "product_models": list(article.product_models.all()),
                "product_categories": list(article.product_categories.all()),
                "fault_categories": list(article.fault_categories.all()),
                "translation_of": article.translation_of_id,
                "expected_version": article.version,
            }
        )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *ArticleKind.choices], required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All languages")), *ArticleLanguage.choices], required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses")), *ArticleStatus.choices], required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File or image"))


class SendBackForm(forms.Form):
    note = forms.CharField(label=_("What to change"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
