"""The customer's help articles: published, customer-visible knowledge articles for the
products they own (their registered units and the models named on their tickets), general
advice, and a search; an article's page shows its published text and images."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel, ProductUnit
from aftersales.core.view_errors import domain_errors
from aftersales.knowledge.selectors import article_get_for_user, articles_for_products, one_per_family
from aftersales.tickets.models import Ticket

from .selectors import portal_customer_for

SHOWN = 50


def _customer_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_customer:
        raise PermissionDenied
    return user


@login_required
@require_GET
def knowledge_list(request: HttpRequest) -> HttpResponse:
    user = _customer_user(request)
    customer = portal_customer_for(user=user)
    model_ids: set[int] = set()
    if customer is not None:
        model_ids |= set(ProductUnit.objects.filter(customer=customer).values_list("model_id", flat=True))
        model_ids |= set(
            Ticket.objects.filter(customer=customer, product_model__isnull=False).values_list("product_model_id", flat=True)[:200]
        )
    models = list(ProductModel.objects.filter(pk__in=model_ids).select_related("category").order_by("code"))
    category_ids = sorted({m.category_id for m in models})
    query = request.GET.get("q", "")[:100]
    found = articles_for_products(user=user, model_ids=sorted(model_ids), category_ids=category_ids, query=query)
    # An article and its translation are one entry, in the reader's language where there is one.
    articles = one_per_family(found[: SHOWN * 2], (get_language() or "zh-hans").lower())[:SHOWN]
    return render(request, "portal/knowledge_list.html", {"articles": articles, "models": models, "q": query})


@login_required
@require_GET
@domain_errors
def knowledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _customer_user(request)
    article = article_get_for_user(user=user, article_id=pk)
    return render(request, "portal/knowledge_detail.html", {"article": article, "revision": article.live_revision})
