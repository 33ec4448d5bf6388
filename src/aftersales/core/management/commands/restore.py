"""``manage.py restore FOLDER --database NAME [--media FOLDER | --media-to-storage]``: load a
backup into a fresh, empty database (a PostgreSQL database on the same server, or a new SQLite
file) and check every table's row count against the backup's manifest; the files are unpacked
into a folder or put into the configured file storage (a bucket: docs/operations.md). Point
DATABASE_URL at the restored database afterwards. The restore drill in the test suite does
exactly this. ``--language``: it reports in the operator's language (``core.operator_command``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.backup import BackupError, restore, restored_counts
from aftersales.core.operator_command import OperatorCommand, lazy_help


class Command(OperatorCommand):
    help_text = gettext_lazy("Restore a backup folder into a fresh database and check the row counts.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", help=lazy_help(gettext_lazy("The backup folder.")))
        parser.add_argument(
            "--database",
            required=True,
            help=lazy_help(gettext_lazy("The empty database: a PostgreSQL name or an SQLite file.")),
        )
        files = parser.add_mutually_exclusive_group()
        files.add_argument("--media", help=lazy_help(gettext_lazy("Where to unpack the uploaded files (default: not unpacked).")))
        files.add_argument(
            "--media-to-storage",
            action="store_true",
            help=lazy_help(
                gettext_lazy(
                    "Put the files into the configured file storage (STORAGE_BACKEND: MEDIA_ROOT or the S3 bucket); "
                    "files already there are kept."
                )
            ),
        )

    def handle(
        self, *args: Any, folder: str, database: str, media: str | None = None, media_to_storage: bool = False, **options: Any
    ) -> None:
        try:
            manifest = restore(
                Path(folder),
                database=database,
                media_root=Path(media) if media else None,
                media_storage=default_storage if media_to_storage else None,
            )
        except (BackupError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        counts = restored_counts(vendor=manifest["vendor"], database=database, tables=list(manifest["tables"]))
        wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
        if wrong:
            raise CommandError(_("restored row counts differ from the backup: %(tables)s") % {"tables": wrong})
        self.stdout.write(
            _("restored %(tables)s tables into %(database)s; every row count matches the backup")
            % {"tables": len(counts), "database": database}
        )
