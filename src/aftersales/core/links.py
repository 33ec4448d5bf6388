"""Absolute links for messages that leave the site (SMS, e-mail, WeChat, in-app bodies).

A page builds links relative to the request it answers; a message is read on a phone or in a
mail program, far from any request, and is often built in a background job. Every link a
message carries goes through :func:`absolute_url`, which puts it under ``AFTERSALES_SITE_URL``
(settings.py): the one place that says where customers and staff reach the site.

``manage.py check --deploy`` refuses an unset or malformed site URL and warns about one that is
not https (the links carry signed tokens).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.urls import get_script_prefix

logger = logging.getLogger("aftersales.core.links")

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """The configured site URL without a trailing slash ("" when unset)."""
    return str(getattr(settings, "AFTERSALES_SITE_URL", "") or "").strip().rstrip("/")


_missing_logged: set[str] = set()


def _log_missing_site_url(path: str) -> None:
    """Once per process: every message would say the same."""
    if not _missing_logged:
        _missing_logged.add(path)
        logger.error("AFTERSALES_SITE_URL is not set: messages carry relative links such as %s", path)


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse()``, in a request or a job) as a link under the site URL.

    The script prefix that ``reverse()`` put in front of the path (when the site is mounted
    under a sub-path, set during a request only) is replaced by the site URL, which names that
    sub-path itself: the same link comes out of a page request and of a background job. An
    already absolute URL is returned unchanged. Without a configured site URL (a production
    that ``check --deploy`` refused) the path is returned as it is and the gap is logged.
    """
    if urlsplit(path).scheme:
        return path
    base = site_url()
    prefix = get_script_prefix()
    relative = path[len(prefix) :] if prefix and path.startswith(prefix) else path.lstrip("/")
    if not base:
        _log_missing_site_url(path)
        return "/" + relative
    return f"{base}/{relative}"


def _site_url_problems(value: str) -> list[checks.CheckMessage]:
    hint = "Set AFTERSALES_SITE_URL to the address customers and staff open, e.g. https://service.example.com"
    if not value:
        return [
            checks.Error(
                "AFTERSALES_SITE_URL is not set: links in SMS and e-mail (plan, quote, survey) would have no host.",
                hint=hint,
                id="aftersales.E001",
            )
        ]
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        return [
            checks.Error(
                f"AFTERSALES_SITE_URL={value!r} is not a site address (scheme, host and optional path only).",
                hint=hint,
                id="aftersales.E002",
            )
        ]
    if parts.scheme != "https":
        return [
            checks.Warning(
                f"AFTERSALES_SITE_URL={value!r} is not https: the signed links in messages would travel in clear text.",
                hint=hint,
                id="aftersales.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``check --deploy``: the site URL is set, well formed and https."""
    return _site_url_problems(site_url())
