"""Excel exports: writing a kind's rows as .xlsx (``write_xlsx``, also used by the scheduled
reports) and the user's export jobs — requesting one, recording its download."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core.errors import ValidationFailed
from aftersales.core.jobs import enqueue_with_transaction

from .audit_actions import ExportAudit
from .models import Export
from .tasks import export_run
from .writing import usable_kind, user_language, write_xlsx

__all__ = ["clean_filters", "export_downloaded", "export_request", "user_language", "write_xlsx"]

# Query-string parameters that are the page's, not the list's filters.
_NOT_FILTERS = frozenset({"cursor", "page", "partial"})
MAX_FILTERS = 40
MAX_FILTER_LENGTH = 200


def clean_filters(params: Mapping[str, object]) -> dict[str, str]:
    """The list's filters from a query string (or JSON object): text keys and values, the first
    value of a repeated key, the pagination and form's own keys dropped."""
    getlist = getattr(params, "getlist", None)
    out: dict[str, str] = {}
    for key in params:
        if not isinstance(key, str) or key in _NOT_FILTERS:
            continue
        value = getlist(key)[0] if getlist is not None and getlist(key) else params[key]
        if value is None or isinstance(value, dict | list):
            continue
        text = str(value)
        if len(key) > 50 or len(text) > MAX_FILTER_LENGTH:
            raise ValidationFailed({"filters": [_("A filter value is too long.")]}, code="export_filter_too_long")
        out[key] = text
        if len(out) > MAX_FILTERS:
            raise ValidationFailed({"filters": [_("Too many filters.")]}, code="export_filters_too_many")
    return out


def export_request(*, user: User, kind: str, filters: Mapping[str, object], idempotency_key: str = "") -> Export:
    """Request an export of ``kind`` with the page's ``filters`` for ``user``: the export row,
    its audit event and its job, in one transaction. With an ``idempotency_key`` the user has
    used before, the export made then is returned and nothing is created."""
    spec = usable_kind(kind, user)  # NotFound for a kind the user may not use
    cleaned = clean_filters(filters)
    if spec.check is not None:
        spec.check(user, cleaned)
    key = (idempotency_key or "")[:200]
    if key:
        existing = Export.objects.filter(user=user, idempotency_key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            export = Export.objects.create(user=user, kind=kind, filters=cleaned, idempotency_key=key)
            audit_record(action=ExportAudit.REQUESTED, obj=export, actor=user, changes={"kind": kind, "filters": cleaned})
            enqueue_with_transaction(export_run, lambda: export_run.enqueue(export.pk))
    except IntegrityError:
        if not key:
            raise
        return Export.objects.get(user=user, idempotency_key=key)  # a concurrent request with the key won
    return export


def export_downloaded(*, export: Export, user: User) -> None:
    """Record that ``user`` downloaded ``export`` (its rows may hold personal data)."""
    audit_record(action=ExportAudit.DOWNLOADED, obj=export, actor=user, changes={"kind": export.kind, "rows": export.rows_done})
