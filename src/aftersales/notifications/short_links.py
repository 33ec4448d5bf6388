"""Short links for messages: ``/s/<code>`` stands for a page of this site.

An SMS goes out only with a template approved in advance, and its variables are short (about
35 characters at Aliyun, fewer at Tencent; neither accepts a whole link in a variable): a
portal page's signed link (70 characters and more) cannot be sent. A message whose values hold a
link therefore also gets a short link to it (``short_link``, ``short_path``, ``short_code``:
docs/notifications.md "Short links"), which a template writes as ``https://<site>/s/${code}``.

* **The code** is drawn with ``secrets`` from an alphabet without look-alikes (no 0/o, 1/l/i),
  ``CODE_LENGTH`` characters: 31⁹ ≈ 2.6·10¹³ codes. Whoever has the code has the link, as with
  the signed link itself.
* **The target** is a path of this site that resolves to one of its pages (a signed link's page;
  never the short link page itself); an absolute URL is taken only under
  ``AFTERSALES_SITE_URL``. Anything else is refused (no open redirect), and the target is
  checked again before each redirect.
* **One row per target**, made once: the same target asked for again gets its live code (its
  expiry moved later when the new message needs it longer); once expired, the target gets a new
  code and the old one stays dead. The row is written with one ``INSERT … ON CONFLICT DO
  NOTHING`` and no read (intake queues its message while the day's ticket counter is locked).
* **Expiry**: the target's own lifetime when known (a portal, quote or appraisal link:
  ``PORTAL_LINK_MAX_AGE_DAYS``), else ``SHORT_LINK_DAYS`` (30). Rows expired for
  ``PURGE_GRACE`` are deleted by ``tasks.purge_expired_short_links`` (until then the expired page
  is shown in the recipient's language).
* **Opening** a code reads its row and counts the visit with one UPDATE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from aftersales.core import clock
from aftersales.core.links import absolute_url, site_url

from .models import ShortLink

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 9
PATH_PREFIX = "/s/"
DEFAULT_DAYS = 30
PURGE_GRACE = dt.timedelta(days=30)
MAX_TARGET_LENGTH = 2000
NAMESPACE = "short_links"
# A code as it may come back (a later CODE_LENGTH keeps the older codes working).
_CODE = re.compile(rf"[{ALPHABET}]{{6,16}}")
# The pages whose signed link expires after PORTAL_LINK_MAX_AGE_DAYS: a short link to one lasts as long.
PORTAL_LINK_VIEWS = frozenset(
    {
        "portal:ticket_by_link",
        "portal:answer_plan_by_link",
        "portal:appraisal_by_link",
        "portal:appraisal_pdf_by_link",
        "fieldservice:quote_by_link",
    }
)
_ATTEMPTS = 5


class UnsafeTarget(ValueError):
    """The target is not a page of this site (another site, a malformed or unknown path)."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def short_url(code: str) -> str:
    return absolute_url(PATH_PREFIX + code)


def _safe(path: str) -> bool:
    """A path of this site, nothing else: ``/…`` without a scheme, a host (``//host``), a
    backslash, whitespace or a control character, and not too long."""
    if not path or len(path) > MAX_TARGET_LENGTH or any(c.isspace() or c == "\\" or ord(c) < 32 or ord(c) == 127 for c in path):
        return False
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return False
    return url_has_allowed_host_and_scheme(path, allowed_hosts=None)


def _site_path(link: str) -> str | None:
    """``link`` as a path of this site (``/portal/t/…/?x=1``), or None. An absolute URL counts
    only under ``AFTERSALES_SITE_URL``; the script prefix of a path reverse()d in a request under
    a sub-path is dropped (``absolute_url`` puts the site's own back)."""
    text = (link or "").strip()
    base = site_url()
    if base and text.startswith(base + "/"):
        text = text[len(base) :]
    if not _safe(text):
        return None
    prefix = get_script_prefix()
    if prefix != "/" and text.startswith(prefix):
        text = "/" + text[len(prefix) :]
    return text if _safe(text) else None


def site_target(link: str) -> tuple[str, str] | None:
    """The target a short link may stand for: (the path, its page's view name), or None when
    ``link`` is not one of this site's pages (or is a short link itself)."""
    path = _site_path(link)
    if path is None:
        return None
    try:
        match = resolve(unquote(urlsplit(path).path))
    except Resolver404:
        return None
    if NAMESPACE in match.namespaces:
        return None
    return path, match.view_name


def _days(name: str, default: int) -> int:
    try:
        return max(1, int(getattr(settings, name, default)))
    except (TypeError, ValueError):
        return default


def lifetime(view_name: str) -> dt.timedelta:
    """How long a short link to the page lasts by default: the page's signed link's lifetime
    when it has one, else ``SHORT_LINK_DAYS``."""
    if view_name in PORTAL_LINK_VIEWS:
        return dt.timedelta(days=_days("PORTAL_LINK_MAX_AGE_DAYS", 60))
    return dt.timedelta(days=_days("SHORT_LINK_DAYS", DEFAULT_DAYS))


def _inserted(values: dict[str, Any]) -> bool:
    """Insert the row unless its code or target is taken: one statement, no read."""
    meta = ShortLink._meta
    quote = connection.ops.quote_name
    concrete = {field.name: field for field in meta.concrete_fields}
    fields = [concrete[name] for name in values]
    columns = ", ".join(quote(field.column) for field in fields)
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values(), strict=True)]
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - names from the model
        f"ON CONFLICT DO NOTHING RETURNING {quote(concrete['id'].column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _code_for(target: str, *, until: dt.datetime, language: str, now: dt.datetime) -> str:
    digest = hashlib.sha256(target.encode()).hexdigest()
    for _attempt in range(_ATTEMPTS):
        code = new_code()
        row = {
            "code": code,
            "target": target,
            "target_digest": digest,
            "language": language,
            "created_at": now,
            "expires_at": until,
            "hits": 0,
        }
        if _inserted(row):
            return code
        existing = ShortLink.objects.filter(target_digest=digest).values_list("pk", "code", "expires_at").first()
        if existing is None:
            continue  # the code was taken (or the row just purged): draw again
        pk, stored_code, expires_at = existing
        if expires_at > now:
            if until > expires_at:  # this message needs it longer
                ShortLink.objects.filter(pk=pk, expires_at__lt=until).update(expires_at=until)
            return str(stored_code)
        try:  # expired: the target gets a new code, the old one stays dead
            with transaction.atomic():
                renewed = ShortLink.objects.filter(pk=pk, expires_at__lte=now).update(
                    code=code, created_at=now, expires_at=until, language=language, hits=0, last_used_at=None
                )
        except IntegrityError:
            continue
        if renewed:
            return code
    raise RuntimeError("no short link code could be stored")


def short_link_for(path: str, *, expires_at: dt.datetime | None = None, language: str = "") -> str:
    """The absolute short link (``absolute_url("/s/<code>")``) to ``path``, a page of this site
    (a path, or an absolute URL under ``AFTERSALES_SITE_URL``); ``UnsafeTarget`` for anything
    else. The same target gets the same live code. ``expires_at`` defaults to the target's own
    lifetime (``lifetime``); ``language`` is the recipient's (the expired page's language)."""
    checked = site_target(path)
    if checked is None:
        raise UnsafeTarget("a short link points to a page of this site only")
    target, view_name = checked
    now = clock.now()
    until = expires_at or now + lifetime(view_name)
    if until <= now:
        raise ValueError("a short link must expire in the future")
    return short_url(_code_for(target, until=until, language=language, now=now))


def short_link_values(link: str, *, language: str = "", expires_at: dt.datetime | None = None) -> dict[str, str]:
    """A message's short link values for ``link`` (its absolute link): ``short_link`` (the whole
    short URL), ``short_path`` (``s/<code>``, without the site address, as ``link_path``) and
    ``short_code``; none for a link to another site or to no page."""
    if not link or site_target(link) is None:
        return {}
    url = short_link_for(link, expires_at=expires_at, language=language)
    code = url.rsplit("/", 1)[-1]
    return {"short_link": url, "short_path": PATH_PREFIX.lstrip("/") + code, "short_code": code}


@dataclass(frozen=True)
class Opened:
    """A code opened: its target (None: unknown, expired or unsafe) and the recipient's
    language ("" when unknown)."""

    target: str | None
    language: str = ""


def short_link_open(*, code: str) -> Opened:
    """The target of a live code, its visit counted (one UPDATE); a malformed code is not looked up."""
    normal = (code or "").strip().lower()
    if not _CODE.fullmatch(normal):
        return Opened(None)
    row = ShortLink.objects.filter(code=normal).values_list("pk", "target", "expires_at", "language").first()
    if row is None:
        return Opened(None)
    pk, target, expires_at, language = row
    now = clock.now()
    if expires_at <= now or not _safe(target):
        return Opened(None, language)
    ShortLink.objects.filter(pk=pk).update(hits=F("hits") + 1, last_used_at=now)
    return Opened(target, language)


def short_links_purge(*, now: dt.datetime | None = None, batch: int = 5000) -> int:
    """Delete the short links expired for longer than ``PURGE_GRACE``; how many."""
    cutoff = (now or clock.now()) - PURGE_GRACE
    deleted = 0
    while True:
        ids = list(ShortLink.objects.filter(expires_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += ShortLink.objects.filter(pk__in=ids).delete()[0]
