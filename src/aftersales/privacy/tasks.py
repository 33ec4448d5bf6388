"""The retention job (daily): erase what the retention periods no longer allow us to keep."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from .services import privacy_apply_retention


@task()
def apply_retention_periods() -> dict[str, Any]:
    return privacy_apply_retention()
