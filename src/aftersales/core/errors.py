"""Domain errors with stable codes.

Services raise these; pages show ``message`` next to ``field``; the API maps them to RFC 9457
problem details. Messages are lazily translated so they render in the caller's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request. ``code`` is stable; ``message`` is for people."""

    code = "domain_error"
    status = 400

    def __init__(self, message: Any, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class ValidationFailed(DomainError):
    """Input is invalid; ``errors`` maps field names to lists of messages."""

    code = "validation_failed"
    status = 422

    def __init__(self, errors: dict[str, list[Any]], *, code: str | None = None) -> None:
        first_field, first_messages = next(iter(errors.items()))
        super().__init__(first_messages[0], code=code, field=first_field)
        self.errors = errors


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
