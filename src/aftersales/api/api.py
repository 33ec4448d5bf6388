"""API v1: ``/api/v1/`` with its OpenAPI 3 document and interactive docs (bundled assets, no CDN)."""

from __future__ import annotations

import copy
from typing import Any

from django.apps import apps as django_apps
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from . import problems
from .auth import AUTH
from .openapi_doc import polish
from .rendering import Utf8JSONRenderer
from .routers import (
    actions,
    analytics,
    appraisal,
    assignment,
    calendars,
    compensation,
    crisis,
    directory,
    exports,
    imports,
    knowledge,
    outlets,
    quality,
    remedies,
    reports,
    returns,
    revisits,
    templates,
    tickets,
    travel,
)
from .stock import documents as stock_documents
from .stock import router as stock
from .workorders import documents as workorder_documents
from .workorders import router as workorders

DESCRIPTION = """Integration API of Aftersales (售后服务管理系统) for apps, WeChat backends and CRMs.

Authenticate with `Authorization: Bearer <API key>` (or the signed-in session plus `X-CSRFToken`);
the company's app signs its customer in with an SMS code (`POST /auth/code`, `POST /auth/token`)
and sends the token it gets the same way.
Errors are RFC 9457 problem details (`application/problem+json`) in the language of
`Accept-Language` (`zh-Hans` by default, or `en`). Creates accept `Idempotency-Key`; process
actions and work order moves need `If-Match` with the ticket's or work order's ETag. Times are ISO 8601
to the second with the site's offset (`2026-11-24T09:30:00+08:00`). Every answer to a call with
credentials carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. See docs/api.md."""


BINARY_PATHS = ("/files/{file_id}", "/signature.png", "/receipt")
# The built OpenAPI documents: (api, language, arguments) → document (``AftersalesAPI``).
DOCUMENTS: dict[tuple[object, ...], Any] = {}


# The settings a document may read (the API's own, the languages, the URLs); the tests change
# others (media, tasks) around every test, which must not build it anew each time.
DOCUMENT_SETTINGS = ("API_", "LANGUAGE", "ROOT_URLCONF", "INSTALLED_APPS")


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith(DOCUMENT_SETTINGS):
        DOCUMENTS.clear()


class AftersalesAPI(NinjaAPI):
    """The API, whose OpenAPI document is built once per process and language: building it takes
    seconds of CPU (266 operations), and every request of ``/openapi.json`` or of the docs page
    would pay it again. A changed setting it may read (``DOCUMENT_SETTINGS``: tests'
    ``override_settings``) or a router added later builds it anew."""

    def add_router(self, *args: Any, **kwargs: Any) -> None:
        DOCUMENTS.clear()
        super().add_router(*args, **kwargs)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        key = (id(self), translation.get_language() or "", repr(args), repr(sorted(kwargs.items())))
        document = DOCUMENTS.get(key)
        if document is None:
            document = DOCUMENTS[key] = self._build_openapi_schema(*args, **kwargs)
        return copy.deepcopy(document)  # the caller may change its copy

    def _build_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        # One entry per status (keyed as text), errors only where possible, examples: openapi_doc.
        schema = polish(super().get_openapi_schema(*args, **kwargs))
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if str(code).isdigit() and int(code) >= 400 and content and "application/json" in content:
                        response["content"] = {problems.PROBLEM_CONTENT_TYPE: content["application/json"]}
                if path.endswith("/attachments/{attachment_id}") and "200" in operation.get("responses", {}):
                    operation["responses"]["200"] = {
                        "description": "The file, with its stored content type.",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    }
                if any(path.endswith(end) for end in BINARY_PATHS) and "200" in operation.get("responses", {}):
                    operation["responses"]["200"] = {
                        "description": "The file, with its stored content type.",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    }
                if path.endswith("/acceptance.pdf") and "200" in operation.get("responses", {}):
                    operation["responses"]["200"] = {
                        "description": "The completion acceptance form (PDF).",
                        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                    }
                if "304" in operation.get("responses", {}):
                    operation["responses"]["304"] = {"description": "Not modified (If-None-Match matched the ETag)."}
        return schema


api = AftersalesAPI(
    title="Aftersales API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    renderer=Utf8JSONRenderer(),
    auth=AUTH,
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)
# Before tickets: its POST /tickets/bulk-assign must not be taken for GET /tickets/{number}.
api.add_router("", assignment.router)
api.add_router("", tickets.router)
api.add_router("", actions.router)
api.add_router("", directory.router)
api.add_router("", workorders.router)
api.add_router("", stock.router)
api.add_router("", workorder_documents.router)
api.add_router("", stock_documents.router)
api.add_router("", appraisal.router)
api.add_router("", remedies.router)
api.add_router("", returns.router)
api.add_router("", compensation.router)
api.add_router("", crisis.router)
api.add_router("", knowledge.router)
api.add_router("", revisits.router)
api.add_router("", templates.router)
api.add_router("", quality.router)
api.add_router("", imports.router)
api.add_router("", analytics.router)
api.add_router("", "aftersales.api.routers.triage.router")
api.add_router("", reports.router)
api.add_router("", exports.router)
api.add_router("", outlets.router)
api.add_router("", travel.router)
api.add_router("", "aftersales.api.routers.trips.router")  # trip logs 出差日志 (travel)
api.add_router("", calendars.router)
api.add_router("", "aftersales.api.routers.staff.router")
api.add_router("", "aftersales.api.routers.signin.router")  # the customer's sign-in from the app
api.add_router("", "aftersales.api.routers.quotes.router")  # the customer confirms a repair quote
api.add_router("", "aftersales.api.routers.survey_settings.router")  # the survey's settings (administrators)
# The routers of apps above the API in the layer order (privacy), which it may not import: each
# names its own in its AppConfig's ``api_router`` (a dotted path), mounted here, after ours.
for _config in django_apps.get_app_configs():
    if _router := getattr(_config, "api_router", None):
        api.add_router("", _router)
