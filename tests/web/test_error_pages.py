"""The server-error page says what is true in the reader's language: the error is recorded, and a
save that failed may not have been kept (a 500 rolls the request's transaction back)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation


@pytest.mark.parametrize(
    ("language", "text", "other"),
    [("zh-hans", "错误已记录", "The error has been recorded"), ("en", "The error has been recorded", "错误已记录")],
)
def test_the_500_page_is_in_the_readers_language_and_promises_nothing_false(language, text, other):
    with translation.override(language):
        html = render_to_string("500.html")
    assert f'<html lang="{language}">' in html
    assert text in html and other not in html
    assert "lost" not in html and "丢失" not in html
