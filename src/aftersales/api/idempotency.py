"""``Idempotency-Key`` on creates: the same key and body replay the first response; the same
key with another body is a 409. The mechanism and the store are core's (``core/idempotency.py``,
shared with ticket intake); this module adds the HTTP side: the header, the request's
fingerprint, and the response kept and replayed.

The record is inserted in the transaction that creates the object, before the handler runs. A
parallel request with the same key blocks on the unique index (PostgreSQL) or on the write lock
(SQLite) until the first commits, then fails to insert and replays the stored response. A request
that fails (4xx) rolls back with its record, so the key may be used again once the input is fixed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from aftersales.core import idempotency
from aftersales.core.errors import DomainError
from aftersales.core.models import IdempotencyRecord

from .problems import ApiProblem
from .rendering import ApiJSONEncoder

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = idempotency.MAX_KEY_LENGTH


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what the request asks for: method, path, and the body's content (parsed, so a
    multipart body with another boundary or a JSON body with other spacing is the same request)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        fields = sorted((k, v) for k in request.POST for v in request.POST.getlist(k))
        files = []
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                files.append((name, upload.name, upload.size, file_digest.hexdigest()))
        digest.update(json.dumps([fields, files], ensure_ascii=False).encode())
    else:
        body = request.body
        try:
            canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False).encode()
        except (ValueError, UnicodeDecodeError):
            canonical = body
        digest.update(canonical)
    return digest.hexdigest()


def _json_response(status: int, body: Any, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )
    for name, value in headers.items():
        response[name] = value
    return response


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = _json_response(record.response_status, record.response_body, record.response_headers)
    response["Idempotent-Replayed"] = "true"
    return response


def _find(owner: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    try:
        return idempotency.find(owner=owner, key=key, fingerprint=fingerprint, field=HEADER)
    except DomainError as exc:
        raise ApiProblem(
            409, _("This Idempotency-Key was already used for a different request."), code=exc.code, field=HEADER
        ) from exc


def _key_from(request: HttpRequest) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    try:
        key = idempotency.clean_key(raw, field=HEADER)
    except DomainError as exc:
        raise ApiProblem(
            422, _("The Idempotency-Key must be 1 to 128 printable ASCII characters."), code=exc.code, field=HEADER
        ) from exc
    if key is None:  # a blank header is malformed here (a form's blank key means "none")
        raise ApiProblem(
            422,
            _("The Idempotency-Key must be 1 to 128 printable ASCII characters."),
            code="idempotency_key_invalid",
            field=HEADER,
        )
    return key


def _to_body(data: Any) -> Any:
    """The answer as JSON values, written as every answer of the API is (``rendering``: times to
    the second with the site's offset), so that a create and a later read say the same."""
    if isinstance(data, BaseModel):
        data = data.model_dump(by_alias=True)
    if isinstance(data, (list, tuple)):
        return [_to_body(item) for item in data]
    return json.loads(json.dumps(data, cls=ApiJSONEncoder))


def idempotent(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a create handler that returns ``(status, schema)`` or ``(status, schema, headers)``."""

    @functools.wraps(handler)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key_from(request)
        if key is None:
            return _run(handler, request, args, kwargs)
        owner = request.auth.idempotency_owner  # type: ignore[attr-defined]
        fingerprint = request_fingerprint(request)
        existing = _find(owner, key, fingerprint)
        if existing is not None:
            return _replay(existing)
        try:
            with transaction.atomic():
                record = idempotency.remember(
                    owner=owner, key=key, fingerprint=fingerprint, method=request.method or "", path=request.path
                )
                status, body, headers = _call(handler, request, args, kwargs)
                record.response_status = status
                record.response_body = body
                record.response_headers = headers
                record.save(update_fields=["response_status", "response_body", "response_headers"])
        except IntegrityError:
            # A parallel request with this key committed first: answer as it did.
            existing = _find(owner, key, fingerprint)
            if existing is None:
                raise
            return _replay(existing)
        return _json_response(status, body, headers)

    return wrapper


def _call(handler: Callable[..., Any], request: HttpRequest, args: Any, kwargs: Any) -> tuple[int, Any, dict[str, str]]:
    result = handler(request, *args, **kwargs)
    headers: dict[str, str] = {}
    if len(result) == 3:
        status, data, headers = result
    else:
        status, data = result
    return int(status), _to_body(data), dict(headers)


def _run(handler: Callable[..., Any], request: HttpRequest, args: Any, kwargs: Any) -> HttpResponse:
    status, body, headers = _call(handler, request, args, kwargs)
    return _json_response(status, body, headers)
