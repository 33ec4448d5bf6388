"""Background jobs of the API (django-tasks). Jobs call services and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .services import idempotency_records_purge
from .signin import sign_in_tokens_purge


@task()
def purge_idempotency_records() -> int:
    """Periodic: forget ``Idempotency-Key`` responses older than API_IDEMPOTENCY_KEEP_DAYS."""
    return idempotency_records_purge()


@task()
def purge_sign_in_tokens() -> int:
    """Periodic: delete the app's sign-in tokens expired or revoked more than
    API_SIGNIN_TOKEN_KEEP_DAYS ago."""
    return sign_in_tokens_purge()
