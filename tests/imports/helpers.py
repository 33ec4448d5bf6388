"""Files and people for the import tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from aftersales.accounts.models import DataScope, Role, User
from aftersales.imports import services
from aftersales.imports.models import ImportJob
from tests.factories import UserFactory


def admin() -> User:
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)


def quality_manager() -> User:
    return UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL)


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(actor: User, kind: str, content: bytes, name: str = "data.csv", **kwargs: Any) -> ImportJob:
    return services.import_upload(actor=actor, kind=kind, fileobj=io.BytesIO(content), name=name, **kwargs)


def errors_of(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["code"]) for e in job.errors]
