"""The OpenAPI document as an integrator reads it: one entry per status code, errors listed only
where they can happen, and examples for the operations an app or a CRM calls most.

``polish(schema)`` runs on the generated document (``api.AftersalesAPI.get_openapi_schema``).
"""

from __future__ import annotations

from typing import Any

from .openapi_examples import EXAMPLES

RATE_LIMIT_NOTE = (
    "Too many requests. Retry-After says in how many seconds to try again; every answer to a call with "
    "credentials carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds until the window ends)."
)


def _merged_responses(responses: dict[Any, Any]) -> dict[str, Any]:
    """The responses keyed by the status as text, one entry per status: a router's
    ``openapi_extra`` entry under ``"200"`` next to django-ninja's ``200`` would otherwise be
    written twice, a JSON object with a duplicate key (strict parsers and Swagger UI refuse it)."""
    merged: dict[str, Any] = {}
    for code, answer in responses.items():
        key = str(code)
        if key in merged and isinstance(merged[key], dict) and isinstance(answer, dict):
            merged[key] = {**merged[key], **answer}
        else:
            merged[key] = answer
    return dict(sorted(merged.items()))


def _takes_input(operation: dict[str, Any]) -> bool:
    return bool(operation.get("parameters")) or "requestBody" in operation


def polish(schema: dict[str, Any]) -> dict[str, Any]:
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = _merged_responses(operation["responses"])
            # Nothing to validate, nothing refused as invalid input (GET /me, DELETE /auth/token).
            if not _takes_input(operation):
                responses.pop("422", None)
            if "429" in responses:
                responses["429"] = {**responses["429"], "description": RATE_LIMIT_NOTE}
            operation["responses"] = responses
            _add_examples(operation, EXAMPLES.get((method.upper(), path.removeprefix("/api/v1")), {}))
    return schema


def _add_examples(operation: dict[str, Any], examples: dict[str, Any]) -> None:
    """``examples``: ``"request"`` (the body) and a status code per answer shown."""
    for name, value in examples.items():
        if name == "request":
            for media in operation.get("requestBody", {}).get("content", {}).values():
                media["example"] = value
            continue
        answer = operation["responses"].get(name)
        if answer is None:
            continue
        for media in answer.get("content", {}).values():
            media["example"] = value
