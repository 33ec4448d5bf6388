"""API v1 of the knowledge base: who reads what, drafts through review with If-Match and
Idempotency-Key, bad input as problems naming the field, "this solved it" once per ticket."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.knowledge.models import Article
from tests.api.conftest import api_client, customer_user
from tests.factories import ProductModelFactory, UserFactory, make_ticket

from .helpers import draft, published, reviewer, writer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/knowledge/articles"
CUSTOMER_SCOPES = ("tickets:read", "knowledge:read")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()


def _body(**overrides):  # type: ignore[no-untyped-def]
    body = {"kind": "faq", "language": "zh-hans", "title": "如何清洗滤网", "body": "每月清洗一次滤网。", "keywords": "滤网"}
    body.update(overrides)
    return body


def test_a_customer_reads_only_published_customer_visible_articles():
    public = published(title="公开文章", customer_visible=True)
    internal = published(title="内部文章", customer_visible=False)
    a_draft = draft(title="草稿", customer_visible=True)
    customer = customer_user(make_ticket())
    client = api_client(customer, scopes=CUSTOMER_SCOPES)

    listed = client.get(BASE)
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["items"]] == [public.pk]
    assert client.get(f"{BASE}/{public.pk}").status_code == 200
    assert client.get(f"{BASE}/{internal.pk}").status_code == 404
    assert client.get(f"{BASE}/{a_draft.pk}").status_code == 404
    # Asking for drafts changes nothing for a customer.
    assert [a["id"] for a in client.get(BASE, {"status": "draft"}).json()["items"]] == [public.pk]


def test_a_customer_cannot_write_or_give_feedback():
    customer = customer_user(make_ticket())
    client = api_client(customer, scopes=(*CUSTOMER_SCOPES, "knowledge:write"))
    created = client.post(BASE, _body(), headers={"Idempotency-Key": "c-1"})
    assert created.status_code == 403
    assert not Article.objects.exists()


def test_staff_write_submit_and_another_reviewer_publishes_with_if_match():
    author = writer()
    client = api_client(author)
    created = client.post(BASE, _body(), headers={"Idempotency-Key": "k-1"})
    assert created.status_code == 201, created.content
    article_id = created.json()["id"]
    etag = created["ETag"]
    again = client.post(BASE, _body(), headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json()["id"] == article_id
    assert Article.objects.count() == 1

    assert client.post(f"{BASE}/{article_id}/submit").status_code == 428
    assert client.post(f"{BASE}/{article_id}/submit", headers={"If-Match": '"v999"'}).status_code == 412
    submitted = client.post(f"{BASE}/{article_id}/submit", headers={"If-Match": etag})
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"

    # The author is made a reviewer: still not allowed to approve their own article.
    author.role = Role.QUALITY_MANAGER
    author.save(update_fields=["role"])
    own = client.post(f"{BASE}/{article_id}/approve", headers={"If-Match": submitted["ETag"]})
    assert own.status_code == 403 and own.json()["code"] == "knowledge_own_article"

    boss = api_client(reviewer())
    approved = boss.post(f"{BASE}/{article_id}/approve", headers={"If-Match": submitted["ETag"]})
    assert approved.status_code == 200
    assert approved.json()["status"] == "published" and approved.json()["live_version"] == 1
    versions = boss.get(f"{BASE}/{article_id}/versions")
    assert [v["number"] for v in versions.json()] == [1]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"language": ""}, "language"),
        ({"title": ""}, "title"),
        ({"body": " "}, "body"),
        ({"product_models": ["NOPE"]}, "product_models"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(overrides, field):
    response = api_client(writer()).post(BASE, _body(**overrides), headers={"Idempotency-Key": f"bad-{field}"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "article_invalid"
    assert field in str(problem)


def test_search_by_two_chinese_characters_and_model():
    model = ProductModelFactory(code="KFR-50LW")
    published(title="柜机漏水", product_model_ids=[model.pk])
    published(title="挂机异响", body="风扇异响。", keywords="异响")
    client = api_client(writer())
    assert [a["title"] for a in client.get(BASE, {"q": "漏水"}).json()["items"]] == ["柜机漏水"]
    assert [a["title"] for a in client.get(BASE, {"model": "KFR-50LW"}).json()["items"]] == ["柜机漏水"]


def test_feedback_once_per_ticket_and_only_on_a_ticket_the_caller_sees():
    article = published()
    agent = writer()
    ticket = make_ticket(actor=agent)
    client = api_client(agent)
    first = client.post(f"{BASE}/{article.pk}/feedback", {"ticket": ticket.number}, headers={"Idempotency-Key": "f-1"})
    assert first.status_code == 201 and first.json()["solved_count"] == 1
    second = client.post(f"{BASE}/{article.pk}/feedback", {"ticket": ticket.number}, headers={"Idempotency-Key": "f-2"})
    assert second.status_code == 409 and second.json()["code"] == "feedback_exists"

    # A technician of another region sees neither the ticket nor may count on it.
    north = Region.objects.create(code="north", name="华北")
    outsider = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=north)
    refused = api_client(outsider).post(
        f"{BASE}/{article.pk}/feedback", {"ticket": ticket.number}, headers={"Idempotency-Key": "f-3"}
    )
    assert refused.status_code == 404


def test_suggestions_for_a_ticket_say_why():
    published(title="室内机漏水的排查", keywords="漏水")
    agent = writer()
    ticket = make_ticket(actor=agent)
    rows = api_client(agent).get(f"/api/v1/tickets/{ticket.number}/knowledge-suggestions").json()
    assert rows[0]["article"]["title"] == "室内机漏水的排查"
    assert rows[0]["matched_words"] == ["漏水"]
