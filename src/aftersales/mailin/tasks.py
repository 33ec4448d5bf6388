"""Background jobs for email intake (django-tasks). Jobs take ids and call services; all idempotent."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from .imap import mailin_fetch_imap
from .retention import mailin_purge_old_messages
from .services import mailin_process, mailin_stale_new


@task(queue_name="default")
def process_inbound_message(message_id: int) -> str:
    message = mailin_process(message_id=message_id)
    return message.status if message is not None else "missing"


@task(queue_name="default")
def fetch_mailbox() -> int:
    """Poll the IMAP mailbox (when configured); returns how many new messages were stored."""
    return mailin_fetch_imap().stored


@task(queue_name="default")
def retry_new_messages() -> int:
    """Safety net: process stored messages whose processing job was lost."""
    ids = mailin_stale_new()
    for message_id in ids:
        process_inbound_message.enqueue(message_id)
    return len(ids)


@task(queue_name="default")
def purge_old_messages() -> dict[str, Any]:
    """Daily: empty received mail older than ``MAILIN_KEEP_DAYS`` (``retention``)."""
    return mailin_purge_old_messages()
