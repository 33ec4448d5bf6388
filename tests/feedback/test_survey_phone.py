"""The customer's survey page on a phone (375 px) in Chromium, in Chinese and in English: only
the configured questions, nothing sticks out sideways, the answer goes through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.feedback.services import survey_link

from .helpers import administrator, pending, resolved, save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
WIDTH = 375


@pytest.fixture
def chromium(monkeypatch) -> Iterator[object]:  # type: ignore[no-untyped-def]
    # Playwright's sync API runs an event loop in this thread; the ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        playwright.selectors.set_test_id_attribute("data-test-id")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"], headless=True)
        yield browser
        browser.close()


@pytest.mark.parametrize(
    ("locale", "language", "prompt"), [("zh-CN", "zh-hans", "还有什么建议？"), ("en-US", "en", "Any suggestions?")]
)
def test_the_survey_fits_a_phone_and_is_answered(chromium, live_server, locale, language, prompt):
    save(
        administrator(),
        aspects=["overall", "speed"],
        ask_solved=True,
        ask_nps=True,
        comment_prompt_zh="还有什么建议？",
        comment_prompt_en="Any suggestions?",
    )
    survey = pending(resolved())
    context = chromium.new_context(  # type: ignore[attr-defined]
        base_url=live_server.url, locale=locale, viewport={"width": WIDTH, "height": 812}
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])  # the language switch
    page = context.new_page()
    page.goto(survey_link(survey=survey))
    form = page.get_by_test_id("survey")
    for hidden in ("field-attitude", "field-professionalism", "field-result"):
        assert form.get_by_test_id(hidden).count() == 0
    assert prompt in form.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    form.get_by_test_id("field-solved").locator("input[value=yes]").check()
    form.get_by_test_id("field-overall").locator("input[value='4']").check()
    form.get_by_test_id("field-nps").locator("select").select_option("9")
    page.get_by_test_id("survey-submit").click()
    page.get_by_test_id("survey-done").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()

    answered = Survey.objects.get(pk=survey.pk)
    assert (answered.status, answered.overall, answered.solved, answered.nps) == (SurveyStatus.SUBMITTED, 4, True, 9)
