"""One error format for the whole API: RFC 9457 problem details (``application/problem+json``).

``{"type", "title", "status", "detail", "code", "errors": [{"field", "message"}]}``; ``detail``
and the messages are in the caller's language (Accept-Language, default zh-Hans). A body with
both unknown fields and fields the caller may not set names each with its own ``code`` in
``errors`` (``field_unknown``, ``field_not_allowed``: ``inputs.FieldsRefused``). Domain errors,
request validation, authentication, rate limits and preconditions all end here; an unexpected
exception becomes a plain 500 problem without any trace.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.unavailable import RETRY_AFTER_SECONDS, database_is_down

from .inputs import FieldsRefused, refused_for_caller

logger = logging.getLogger("aftersales.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:aftersales:problem:"

TITLES: dict[int, Any] = {
    400: _("Bad request"),
    401: _("Authentication required"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    422: _("Invalid input"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    500: _("Server error"),
    503: _("Service unavailable"),
}


class ApiProblem(Exception):
    """An HTTP-level refusal that is not a domain rule (precondition, rate limit, auth …)."""

    def __init__(
        self,
        status: int,
        message: Any,
        *,
        code: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.code = code
        self.field = field
        self.headers = headers or {}


def problem_response(
    *,
    status: int,
    code: str,
    detail: Any,
    errors: Iterable[tuple[str, Any]] = (),
    headers: dict[str, str] | None = None,
    field_codes: dict[str, str] | None = None,
) -> HttpResponse:
    """The problem; ``field_codes`` gives a field's own code in ``errors`` (only the fields named)."""
    codes = field_codes or {}
    body = {
        "type": f"{TYPE_PREFIX}{code}",
        "title": str(TITLES.get(status, TITLES[400 if status < 500 else 500])),
        "status": status,
        "detail": str(detail),
        "code": code,
        "errors": [
            {"field": field, "message": str(message), **({"code": codes[field]} if field in codes else {})}
            for field, message in errors
        ],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# Stable codes that mean "the version you sent is stale" (process services raise Conflict with it).
STALE_CODES = frozenset({"stale_version"})


def domain_error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    errors: list[tuple[str, Any]] = []
    if isinstance(exc, ValidationFailed):
        for field, messages in exc.errors.items():
            errors.extend((field, message) for message in messages)
    elif exc.field:
        errors.append((exc.field, exc.message))
    status = exc.status
    if exc.code in STALE_CODES:
        status = 412
    elif type(exc) is DomainError:
        # A business rule refused the action in the resource's current state.
        status = 409
    field_codes = exc.field_codes if isinstance(exc, FieldsRefused) else None
    return problem_response(status=status, code=exc.code, detail=exc.message, errors=errors, field_codes=field_codes)


_PYDANTIC_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    # Not a field of this operation at all (a field that exists but is not the caller's to set
    # says "You may not set this field.": tickets.action_schemas.refuse_fields).
    "extra_forbidden": _("Unknown field: this operation has no field of this name."),
    "string_too_long": _("The text is too long."),
    "string_too_short": _("The text is too short."),
    "string_type": _("Enter text."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "bool_parsing": _("Enter true or false."),
    "bool_type": _("Enter true or false."),
    "date_parsing": _("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": _("Enter a date (YYYY-MM-DD)."),
    "date_type": _("Enter a date (YYYY-MM-DD)."),
    "datetime_parsing": _("Enter a date and time (ISO 8601)."),
    "datetime_from_date_parsing": _("Enter a date and time (ISO 8601)."),
    "datetime_type": _("Enter a date and time (ISO 8601)."),
    "literal_error": _("Choose one of the allowed values."),
    "enum": _("Choose one of the allowed values."),
    "greater_than_equal": _("The value is too small."),
    "greater_than": _("The value is too small."),
    "less_than_equal": _("The value is too large."),
    "less_than": _("The value is too large."),
    "too_long": _("Too many items."),
    "list_type": _("Enter a list."),
    "dict_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
    "json_invalid": _("The request body is not valid JSON."),
    "decimal_parsing": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "string_pattern_mismatch": _("The value has the wrong format."),
    "value_error": _("Enter a valid value."),
}
_SOURCES = {"body", "query", "path", "header", "form", "file", "cookie"}


def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        # A body's first element is the handler's parameter name ("payload"), not a field.
        if source in {"body", "form"} and len(parts) > 1 and parts[0] in {"payload", "data"}:
            parts.pop(0)
    return ".".join(parts) or "body"


def _body_fields(request: HttpRequest) -> set[str]:
    """The top-level fields of the request's JSON object or form (none if it is neither)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return set()
        return set(data) if isinstance(data, dict) else set()
    return set(request.POST) if request.method == "POST" else set()


def validation_error_response(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: list[tuple[str, Any]] = []
    forbidden = False
    for item in exc.errors:
        kind = str(item.get("type", ""))
        forbidden = forbidden or kind == "extra_forbidden"
        message = _PYDANTIC_MESSAGES.get(kind, _("Enter a valid value."))
        errors.append((_field_name(item.get("loc", ())), message))
    if forbidden:
        # The same stable code as a field the caller may not set; the words say which it is.
        unknown = [field for (field, _m), item in zip(errors, exc.errors, strict=True) if item.get("type") == "extra_forbidden"]
        refused = [name for name in refused_for_caller(request, _body_fields(request)) if name not in unknown]
        if refused:
            # Fields the caller may not set in the same body: each named with its own code.
            both = FieldsRefused(unknown=unknown, refused=refused)
            errors += [(name, messages[0]) for name, messages in both.errors.items() if name in refused]
            return problem_response(status=422, code=both.code, detail=both.message, errors=errors, field_codes=both.field_codes)
        detail = gettext("Unknown fields: %(fields)s. Check their names in the OpenAPI document.") % {
            "fields": ", ".join(unknown)
        }
        return problem_response(status=422, code="field_not_allowed", detail=detail, errors=errors)
    detail = gettext("Check the fields named in “errors”.")
    return problem_response(status=422, code="validation_failed", detail=detail, errors=errors)


def api_problem_response(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    errors = [(exc.field, exc.message)] if exc.field else []
    return problem_response(status=exc.status, code=exc.code, detail=exc.message, errors=errors, headers=exc.headers)


def authentication_error_response(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        status=401,
        code="not_authenticated",
        detail=_("Send a valid API key as “Authorization: Bearer <key>”, or sign in."),
        headers={"WWW-Authenticate": 'Bearer realm="aftersales"'},
    )


def http_error_response(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if status == 400:
        return problem_response(status=400, code="bad_request", detail=_("The request body could not be read."))
    code = {401: "not_authenticated", 403: "permission_denied", 404: "not_found", 429: "rate_limited"}.get(status, "http_error")
    return problem_response(status=status, code=code, detail=TITLES.get(status, _("Bad request")))


def not_found_response(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(status=404, code="not_found", detail=_("Nothing was found here."))


def unreadable_body_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return problem_response(status=413, code="request_too_large", detail=_("The request body is too large."))
    if isinstance(exc, TooManyFilesSent):  # normally refused earlier by core.hygiene's middleware
        return problem_response(status=400, code="too_many_files", detail=_("Too many files in one upload."))
    if isinstance(exc, TooManyFieldsSent):
        return problem_response(status=400, code="too_many_fields", detail=_("Too many fields in one request."))
    return problem_response(status=400, code="bad_request", detail=_("The request body could not be read."))


def server_error_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    if database_is_down(exc):
        # Not a bug: the database is restarting or unreachable. Nothing was changed; come back.
        logger.warning("API %s %s: the database is unavailable (%s)", request.method, request.path, exc)
        response = problem_response(
            status=503,
            code="database_unavailable",
            detail=_("The service is briefly unavailable; nothing was changed. Try again in a moment."),
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem_response(status=500, code="server_error", detail=_("Something went wrong on our side; try again later."))


def install(api: Any) -> None:
    """Register the handlers on a NinjaAPI (the most specific class wins)."""
    api.add_exception_handler(DomainError, domain_error_response)
    api.add_exception_handler(NinjaValidationError, validation_error_response)
    api.add_exception_handler(ApiProblem, api_problem_response)
    api.add_exception_handler(AuthenticationError, authentication_error_response)
    api.add_exception_handler(HttpError, http_error_response)
    api.add_exception_handler(Http404, not_found_response)
    api.add_exception_handler(MultiPartParserError, unreadable_body_response)
    api.add_exception_handler(RequestDataTooBig, unreadable_body_response)
    api.add_exception_handler(UnreadablePostError, unreadable_body_response)
    api.add_exception_handler(TooManyFilesSent, unreadable_body_response)
    api.add_exception_handler(TooManyFieldsSent, unreadable_body_response)
    api.add_exception_handler(Exception, server_error_response)
