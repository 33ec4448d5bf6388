"""``linkify``: a message body as HTML with its links clickable (the inbox, the e-mail's HTML).

Django's ``urlize`` finds a URL only between spaces, while a Chinese message puts it straight
after a full-width colon ("查看并确认处理方案：https://…"); this finds every http(s) URL and
stops at whitespace and full-width punctuation.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

URL = re.compile(r"https?://[^\s<>\"'，。、；：！？（）《》「」【】]+")


@register.filter
def linkify(text: object) -> SafeString:
    """Escape ``text`` and make each URL a link (line breaks stay: ``linebreaksbr`` after it)."""
    value = str(text or "")
    parts: list[str] = []
    last = 0
    for match in URL.finditer(value):
        url = match.group(0).rstrip(".,;:!?)")
        parts.append(escape(value[last : match.start()]))
        parts.append(format_html('<a href="{0}" rel="noopener noreferrer">{0}</a>', url))
        last = match.start() + len(url)
    parts.append(escape(value[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above
