"""``manage.py backup [--to FOLDER] [--language LANG]``: the database and the uploaded files in one folder
(docs/operations.md); it reports in the operator's language (``core.operator_command``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core import clock
from aftersales.core.backup import BackupError, backup
from aftersales.core.operator_command import OperatorCommand, lazy_help


class Command(OperatorCommand):
    help_text = gettext_lazy(
        "Back up the database and the stored files (MEDIA_ROOT or the bucket) into a new folder (default var/backups/<time>)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", dest="folder", help=lazy_help(gettext_lazy("The folder to create for the backup.")))

    def handle(self, *args: Any, folder: str | None = None, **options: Any) -> None:
        target = Path(folder) if folder else Path(settings.VAR_DIR) / "backups" / clock.local_now().strftime("%Y%m%d-%H%M%S")
        try:
            done = backup(target)
        except (BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(done.manifest["tables"].values())
        self.stdout.write(
            _("backup written to %(folder)s (%(tables)s tables, %(rows)s rows)")
            % {"folder": target, "tables": len(done.manifest["tables"]), "rows": rows}
        )
