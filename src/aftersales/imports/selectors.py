"""Reads of imports, scoped to the caller: the kinds they may import."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.core.i18n import rendered

from .kinds import KINDS
from .messages import message
from .models import ImportJob
from .permissions import importable_kinds


def imports_visible_to(user: User) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(kind__in=importable_kinds(user)).select_related("created_by", "committed_by")


def import_get_for_user(*, user: User, job_id: int) -> ImportJob:
    job = imports_visible_to(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such import."), code="import_not_found")
    return job


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the key
    column_label: str  # the header in the reader's language
    code: str
    text: str


def column_label(kind: str, key: str) -> str:
    column = KINDS[kind]().by_key.get(key)
    return column.header() if column is not None else key


def import_errors(job: ImportJob) -> list[RowError]:
    """The stored errors of ``job`` (at most ``IMPORT_MAX_STORED_ERRORS``) in the reader's language."""
    spec = KINDS[job.kind]()
    out = []
    for e in job.errors:
        column = spec.by_key.get(e.get("column", ""))
        out.append(
            RowError(
                row=int(e.get("row", 0)),
                column=e.get("column", ""),
                column_label=column.header() if column else e.get("column", ""),
                code=e.get("code", ""),
                text=rendered(e.get("text")),
            )
        )
    return out


def import_file_error(job: ImportJob) -> str:
    """Why the file could not be read, in the reader's language ("" when it could)."""
    if not job.file_error:
        return ""
    return rendered(job.file_error.get("text")) or rendered(message(job.file_error.get("code", "wrong_type")))
