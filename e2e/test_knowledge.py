"""Knowledge base in the browser: on the ticket page an agent sees a suggested article with why
it was suggested, opens it, comes back and marks "this solved it" (counted once)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory, make_ticket
from tests.knowledge.helpers import published

from aftersales.accounts.models import DataScope, Role
from aftersales.knowledge.models import ArticleFeedback

from .conftest import new_page
from .pages import LoginPage

pytestmark = pytest.mark.browser


def test_a_suggested_article_is_opened_and_solves_the_ticket(browser, live_server, transactional_db):
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="e2e-kb-agent")
    article = published(title="室内机漏水的排查", keywords="漏水, 滴水")
    ticket = make_ticket(actor=agent, phone="13700004444", customer_name="孙丽", description="空调漏水，室内机滴水到地板上。")

    page = new_page(browser, live_server)
    try:
        LoginPage(page).open().sign_in_home("e2e-kb-agent", PASSWORD)
        page.goto(f"/tickets/{ticket.number}/")
        panel = page.get_by_test_id("knowledge-panel")
        suggestion = panel.locator(f'[data-test-id="kb-suggestion"][data-article="{article.pk}"]')
        expect(suggestion).to_be_visible()
        expect(suggestion.get_by_test_id("kb-why")).to_contain_text("漏水")

        suggestion.get_by_test_id("kb-suggestion-link").click()
        expect(page.get_by_test_id("kb-title")).to_have_text("室内机漏水的排查")
        page.go_back()

        panel = page.get_by_test_id("knowledge-panel")
        panel.locator(f'[data-test-id="kb-suggestion"][data-article="{article.pk}"]').get_by_test_id("kb-this-solved-it").click()
        solved = page.get_by_test_id("knowledge-panel").locator(f'[data-test-id="kb-suggestion"][data-article="{article.pk}"]')
        expect(solved.get_by_test_id("kb-solved-here")).to_be_visible()
        expect(solved.get_by_test_id("kb-this-solved-it")).to_have_count(0)
    finally:
        page.context.close()
    assert ArticleFeedback.objects.filter(article=article, ticket=ticket).count() == 1
    article.refresh_from_db()
    assert article.solved_count == 1
