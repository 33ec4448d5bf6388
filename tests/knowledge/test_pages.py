"""The knowledge pages: list and search, editor errors naming the field, review steps, the
ticket panel (why each article, "this solved it", a draft from a resolved ticket), the work
order's panel, the customer's help pages — in both languages."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.knowledge.models import Article, ArticleFeedback, ArticleStatus
from tests.api.conftest import customer_user, png_bytes
from tests.clients import client_for_language
from tests.factories import ProductModelFactory, ProductUnitFactory, UserFactory, make_ticket
from tests.feedback.test_surveys import resolved_ticket  # noqa: F401 - the fixture

from .helpers import draft, published, reviewer, writer

pytestmark = pytest.mark.django_db


def test_the_list_searches_two_chinese_characters_and_serves_a_fragment_to_htmx():
    published(title="室内机漏水的排查")
    published(title="遥控器没有反应", keywords="遥控器")
    client = client_for_language(writer())
    page = client.get(reverse("knowledge:list"), {"q": "漏水"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "室内机漏水的排查" in html and "遥控器没有反应" not in html and "<html" in html
    fragment = client.get(reverse("knowledge:list"), {"q": "反应"}, HTTP_HX_REQUEST="true")
    assert "遥控器没有反应" in fragment.content.decode() and "<html" not in fragment.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_editor_names_the_missing_language_title_and_text(language):
    client = client_for_language(writer(), language)
    response = client.post(reverse("knowledge:new"), {"kind": "faq", "language": "", "title": "", "body": ""})
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("language", "title", "body"):
        assert f'data-test-id="error-{field}"' in html
    assert not Article.objects.exists()
    if language == "zh-hans":
        assert "语言" in html


def test_write_submit_and_another_reviewer_publishes_through_the_pages():
    author = writer()
    client = client_for_language(author)
    saved = client.post(
        reverse("knowledge:new"),
        {"kind": "faq", "language": "zh-hans", "title": "如何清洗滤网", "body": "每月清洗。", "keywords": "滤网"},
    )
    article = Article.objects.get()
    assert saved.status_code == 302
    client.post(reverse("knowledge:step", args=[article.pk, "submit"]), {"expected_version": article.version})
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW

    boss = reviewer()
    queue = client_for_language(boss).get(reverse("knowledge:review"))
    assert f'data-article="{article.pk}"' in queue.content.decode()
    client_for_language(boss).post(reverse("knowledge:step", args=[article.pk, "approve"]), {"expected_version": article.version})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    detail = client_for_language(boss).get(reverse("knowledge:detail", args=[article.pk])).content.decode()
    assert 'data-test-id="kb-history"' in detail


def test_an_upload_whose_bytes_are_not_an_image_is_refused_with_a_message(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = draft()
    client = client_for_language(article.author, "en")
    fake = io.BytesIO(b"not a picture at all")
    fake.name = "photo.png"
    response = client.post(reverse("knowledge:attach", args=[article.pk]), {"file": fake}, follow=True)
    assert "This file type is not accepted" in response.content.decode()
    good = io.BytesIO(png_bytes())
    good.name = "photo.png"
    client.post(reverse("knowledge:attach", args=[article.pk]), {"file": good})
    attachment = article.attachments.get()
    served = client.get(reverse("knowledge:attachment", args=[attachment.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_the_ticket_page_loads_the_panel_which_says_why_and_counts_this_solved_it():
    model = ProductModelFactory()
    article = published(title="室内机漏水的排查", keywords="漏水", product_model_ids=[model.pk])
    agent = writer()
    ticket = make_ticket(actor=agent, product_model_code=model.code)
    client = client_for_language(agent, "en")

    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert reverse("knowledge:ticket_panel", args=[ticket.number]) in page  # loaded by htmx, no query on the page

    panel = client.get(reverse("knowledge:ticket_panel", args=[ticket.number]), HTTP_HX_REQUEST="true").content.decode()
    assert "室内机漏水的排查" in panel
    assert "same model" in panel and "matched words: 漏水" in panel

    back = client.post(reverse("knowledge:solved", args=[article.pk, ticket.number]), {"next": "/tickets/x/"})
    assert back.status_code == 302
    client.post(reverse("knowledge:solved", args=[article.pk, ticket.number]), {"next": ""})
    assert ArticleFeedback.objects.filter(article=article, ticket=ticket).count() == 1
    again = client.get(reverse("knowledge:ticket_panel", args=[ticket.number]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-test-id="kb-solved-here"' in again


def test_the_panel_of_a_ticket_outside_ones_scope_is_not_found():
    ticket = make_ticket(actor=writer())
    from aftersales.accounts.models import DataScope

    outsider = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)
    assert client_for_language(outsider).get(reverse("knowledge:ticket_panel", args=[ticket.number])).status_code == 404


def test_a_resolved_ticket_offers_a_draft_solution(resolved_ticket):  # noqa: F811
    agent = writer()
    client = client_for_language(agent)
    panel = client.get(reverse("knowledge:ticket_panel", args=[resolved_ticket.number]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-test-id="kb-draft-from-ticket"' in panel
    response = client.post(reverse("knowledge:from_ticket", args=[resolved_ticket.number]))
    article = Article.objects.get(source_ticket=resolved_ticket)
    assert response.status_code == 302 and response["Location"] == reverse("knowledge:edit", args=[article.pk])


def test_the_customer_sees_help_for_their_products_only_published_and_visible():
    model = ProductModelFactory(code="KFR-72LW")
    other = ProductModelFactory(code="XQG-100")
    mine = published(title="柜机清洗", customer_visible=True, product_model_ids=[model.pk])
    published(title="洗衣机异响", customer_visible=True, product_model_ids=[other.pk])
    internal = published(title="内部维修手册", customer_visible=False, product_model_ids=[model.pk])
    draft(title="柜机草稿", customer_visible=True, product_model_ids=[model.pk])
    ticket = make_ticket()
    user = customer_user(ticket)
    ProductUnitFactory(model=model, customer_id=ticket.customer_id)
    client = client_for_language(user)

    html = client.get(reverse("portal:knowledge")).content.decode()
    assert "柜机清洗" in html
    assert "洗衣机异响" not in html and "内部维修手册" not in html and "柜机草稿" not in html
    assert client.get(reverse("portal:knowledge_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("portal:knowledge_detail", args=[internal.pk])).status_code == 404
    assert client.get(reverse("knowledge:detail", args=[mine.pk])).status_code == 403  # staff pages
