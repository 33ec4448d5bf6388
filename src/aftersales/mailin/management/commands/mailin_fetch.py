"""``manage.py mailin_fetch [--process]``: poll the IMAP mailbox once (as the scheduler's job
does); with ``--process`` also process what was stored, here and now, without a worker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.mailin.imap import mailin_fetch_imap
from aftersales.mailin.models import InboundMessage, InboundStatus
from aftersales.mailin.services import mailin_process


class Command(BaseCommand):
    help = "Fetch new mail from the intake mailbox (MAILIN_IMAP_*) and store it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--process", action="store_true", help="Also process stored new messages now.")

    def handle(self, *args: Any, process: bool, **options: Any) -> None:
        if not settings.MAILIN_IMAP_HOST:
            raise CommandError("MAILIN_IMAP_HOST is not set: no mailbox to poll.")
        report = mailin_fetch_imap()
        self.stdout.write(f"mailin_fetch: fetched {report.fetched}, stored {report.stored}, duplicates {report.duplicates}")
        if process:
            ids = list(InboundMessage.objects.filter(status=InboundStatus.NEW).values_list("pk", flat=True))
            for message_id in ids:
                message = mailin_process(message_id=message_id)
                if message is not None:
                    self.stdout.write(f"  {message.message_id}: {message.status} {message.reason}".rstrip())
