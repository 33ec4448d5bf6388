"""The holiday calendar's tables head their columns in sentence case, like every other table."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation


def _headers(html: str) -> list[str]:
    return [h for h in re.findall(r"<th[^>]*>([^<]*)</th>", html) if h]


def test_the_day_table_headers():
    with translation.override("en"):
        html = render_to_string("sla/_day_table.html", {"lines": [], "may_edit": False, "empty_text": "None."})
    assert _headers(html) == ["Date", "Name", "Source"]
    with translation.override("zh-hans"):
        html = render_to_string("sla/_day_table.html", {"lines": [], "may_edit": False, "empty_text": "无"})
    assert _headers(html) == ["日期", "名称", "来源"]


def test_the_notice_preview_headers():
    day = SimpleNamespace(date=dt.date(2026, 10, 1), name="国庆节", is_workday=False)
    notice = SimpleNamespace(ok=True, problems=[], days=[day], days_off=[day], workdays=[])
    with translation.override("en"):
        html = render_to_string("sla/_notice_preview.html", {"notice": notice, "missing": []})
    assert _headers(html)[:2] == ["Date", "Holiday"]
    with translation.override("zh-hans"):
        html = render_to_string("sla/_notice_preview.html", {"notice": notice, "missing": []})
    assert _headers(html)[:2] == ["日期", "节日"]
