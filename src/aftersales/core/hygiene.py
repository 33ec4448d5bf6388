"""Input hygiene at one place for the pages and the API (issue 21).

``InputHygieneMiddleware`` runs before any view reads the request and refuses, with a 400 that
names the field, what the database cannot store or what would otherwise end in a 500:

* a NUL character (PostgreSQL text cannot hold it) or a lone UTF-16 surrogate (not encodable as
  UTF-8; JSON can carry one as ``"\\ud800"``) in a query parameter, a form field, a file's name,
  or any string (key or value) of a JSON body;
* bytes that are not UTF-8 in a query parameter or a url-encoded form field (``%FF``, an encoded
  surrogate ``%ED%A0%80``): Django would silently turn them into U+FFFD and store that;
* too many fields (``DATA_UPLOAD_MAX_NUMBER_FIELDS``, 400), too many files in one multipart
  upload (``DATA_UPLOAD_MAX_NUMBER_FILES``, 400), a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
  (413) or a broken multipart body (400).

Pages get a translated error page (``core/bad_request.html``), the API (``/api/``) an RFC 9457
problem (``application/problem+json``) whose ``errors[0].field`` names the field. Paths listed in
``INPUT_HYGIENE_EXEMPT_PATHS`` (the raw mail intake reads its body itself) are left alone.

Text that arrives without a person to answer (an e-mail) is not refused but made storable with
``storable_text`` (the same characters, each replaced by U+FFFD).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# What PostgreSQL text cannot store: NUL, and lone surrogates (no UTF-8 encoding).
BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
API_PREFIX = "/api/"


@dataclass(frozen=True)
class InputRefusal:
    status: int
    code: str
    message: Any
    field: str = ""


def has_bad_characters(value: str) -> bool:
    return BAD_CHARACTERS.search(value) is not None


def storable_text(value: str) -> str:
    """``value`` with every character the database cannot store replaced by U+FFFD (for text
    nobody can be asked to correct, such as an e-mail's subject and body)."""
    return BAD_CHARACTERS.sub("\ufffd", value) if value else value


def _undecodable_field(raw: bytes) -> str | None:
    """The first field of url-encoded ``raw`` whose name or value is not UTF-8 once its
    percent-escapes are undone (Django would decode it with replacement characters)."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        key, _sep, value = pair.partition(b"=")
        key_bytes = unquote_to_bytes(key.replace(b"+", b" "))
        try:
            key_bytes.decode("utf-8")
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            name = key_bytes.decode("utf-8", "replace")
            return BAD_CHARACTERS.sub("?", name)[:100] or "body"
    return None


def _json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON document with its field path (``items.0.name``); keys too."""
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _json_strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}.{index}" if path else str(index))


def _bad_field(pairs: Iterator[tuple[str, str]]) -> str | None:
    for field, value in pairs:
        if has_bad_characters(value):
            return BAD_CHARACTERS.sub("?", field)[:100] or "body"
    return None


def _query_pairs(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for key, values in request.GET.lists():
        yield key, key
        for value in values:
            yield key, value


def _form_pairs(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for key, values in request.POST.lists():
        yield key, key
        for value in values:
            yield key, value
    for key, files in request.FILES.lists():
        for upload in files:
            yield key, upload.name or ""


def _bad_characters_refusal(field: str) -> InputRefusal:
    return InputRefusal(
        400,
        "invalid_characters",
        _("“%(field)s” contains a character that cannot be stored (a NUL or a broken character). Remove it and try again.")
        % {"field": field},
        field,
    )


def inspect_request(request: HttpRequest) -> InputRefusal | None:
    """The first reason to refuse ``request``'s input, or ``None``. Reads (and so parses) the
    query string, and for POST/PUT/PATCH a form or JSON body."""
    try:
        query = str(request.META.get("QUERY_STRING", "")).encode("iso-8859-1", "replace")
        bad = _undecodable_field(query) or _bad_field(_query_pairs(request))
        if bad is not None:
            return _bad_characters_refusal(bad)
        if request.method not in {"POST", "PUT", "PATCH"}:
            return None
        content_type = (request.content_type or "").lower()
        if request.method == "POST" and content_type == FORM_TYPES[0]:
            bad = _undecodable_field(request.body) or _bad_field(_form_pairs(request))
        elif request.method == "POST" and content_type in FORM_TYPES:
            bad = _bad_field(_form_pairs(request))
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                document = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                return None  # not JSON: the handler answers that itself (422 json_invalid)
            bad = _bad_field(_json_strings(document))
        if bad is not None:
            return _bad_characters_refusal(bad)
    except TooManyFilesSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return InputRefusal(
            400, "too_many_files", _("Too many files in one upload: at most %(limit)d at a time.") % {"limit": limit}
        )
    except TooManyFieldsSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return InputRefusal(400, "too_many_fields", _("Too many fields in one request: at most %(limit)d.") % {"limit": limit})
    except RequestDataTooBig:
        return InputRefusal(413, "request_too_large", _("The request is too large."))
    except (MultiPartParserError, UnreadablePostError):
        return InputRefusal(400, "bad_request", _("The request body could not be read."))
    return None


def refusal_response(request: HttpRequest, refusal: InputRefusal) -> HttpResponse:
    """The refusal as an RFC 9457 problem (the API) or a translated error page."""
    if request.path.startswith(API_PREFIX):
        body = {
            "type": f"urn:aftersales:problem:{refusal.code}",
            "title": gettext("Request too large") if refusal.status == 413 else gettext("Bad request"),
            "status": refusal.status,
            "detail": str(refusal.message),
            "code": refusal.code,
            "errors": [{"field": refusal.field, "message": str(refusal.message)}] if refusal.field else [],
        }
        return HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=refusal.status,
            content_type="application/problem+json; charset=utf-8",
        )
    return render(
        request,
        "core/bad_request.html",
        {"message": refusal.message, "field": refusal.field, "code": refusal.code},
        status=refusal.status,
    )


class InputHygieneMiddleware:
    """Refuses bad input before any view (see the module's docstring). Place it after the
    session, locale and authentication middleware (the error page is translated and shows the
    site's header) and before CsrfViewMiddleware (which reads the form)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        exempt = getattr(settings, "INPUT_HYGIENE_EXEMPT_PATHS", ())
        if not any(request.path.startswith(prefix) for prefix in exempt):
            refusal = inspect_request(request)
            if refusal is not None:
                return refusal_response(request, refusal)
        return self.get_response(request)
