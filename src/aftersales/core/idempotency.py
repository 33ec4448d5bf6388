"""Idempotency keys: one mechanism and one store (``core.models.IdempotencyRecord``) for every
door that accepts a retry — the API's ``Idempotency-Key`` header (``api/idempotency.py`` replays
the stored response) and ticket intake from forms, e-mail and the demo (``tickets`` replays the
ticket).

The rules, the same everywhere:

- A key is 1 to 128 printable ASCII characters after trimming; an empty key means "no key".
- The first request with a key stores its fingerprint (a SHA-256 of what it asked for) in the
  transaction that creates the object; a later request with the same key and fingerprint gets
  the first answer and creates nothing; with another fingerprint it is a ``Conflict``
  (``idempotency_key_reused``, naming the field the key came in).
- Two requests racing with the same key: the second blocks on the unique (owner, key) index
  until the first commits, fails to insert (``IntegrityError``) and is answered as the first was
  (the caller catches it and calls ``find`` again).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from . import clock
from .errors import Conflict, ValidationFailed
from .models import IdempotencyRecord

MAX_KEY_LENGTH = 128
# The owner of intake keys (forms, e-mail, demo): one namespace, as the ticket's key always was.
INTAKE = "intake"


def clean_key(raw: str | None, *, field: str) -> str | None:
    """The key as stored, or None when there is none; a malformed key is refused naming ``field``."""
    if raw is None:
        return None
    key = raw.strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            {field: [_("The idempotency key must be 1 to 128 printable ASCII characters.")]}, code="idempotency_key_invalid"
        )
    return key


def find(*, owner: str, key: str, fingerprint: str, field: str) -> IdempotencyRecord | None:
    """The record of an earlier request with this key, or None; another request's key: Conflict."""
    record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if record is not None and record.request_hash != fingerprint:
        raise Conflict(
            _("This idempotency key was already used for a different request."), code="idempotency_key_reused", field=field
        )
    return record


def remember(
    *,
    owner: str,
    key: str,
    fingerprint: str,
    object_id: int | None = None,
    method: str = "",
    path: str = "",
    status: int = 0,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> IdempotencyRecord:
    """Store the first request with this key (inside the creating transaction). A concurrent
    request with the same key makes this raise ``IntegrityError`` once the other commits."""
    return IdempotencyRecord.objects.create(
        owner=owner,
        key=key,
        method=method[:8],
        path=path[:255],
        request_hash=fingerprint,
        response_status=status,
        response_body={} if body is None else body,
        response_headers=headers or {},
        object_id=object_id,
        created_at=clock.now(),
    )
