"""``manage.py backup [--to FOLDER]``: the database and the uploaded files in one folder (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aftersales.core import clock
from aftersales.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the stored files (MEDIA_ROOT or the bucket) into a new folder (default var/backups/<time>)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", dest="folder", help="The folder to create for the backup.")

    def handle(self, *args: Any, folder: str | None = None, **options: Any) -> None:
        target = Path(folder) if folder else Path(settings.VAR_DIR) / "backups" / clock.local_now().strftime("%Y%m%d-%H%M%S")
        try:
            done = backup(target)
        except (BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(done.manifest["tables"].values())
        self.stdout.write(f"backup written to {target} ({len(done.manifest['tables'])} tables, {rows} rows)")
