"""``manage.py import_data KIND FILE [--commit] [--user NAME]``: check a file as the import
page does, print the figures and the first errors, and with ``--commit`` import it (in this
process, with its progress). ``--language`` (default ``settings.LANGUAGE_CODE``): what it prints,
the errors of the file included, is in the operator's language (``core.operator_command``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Role, User
from aftersales.core.errors import DomainError
from aftersales.core.operator_command import OperatorCommand, lazy_help
from aftersales.imports import selectors, services
from aftersales.imports.models import ImportKind


class Command(OperatorCommand):
    help_text = gettext_lazy(
        "Import customers, product models, warranty policies, serial units, shipment volumes or spare parts "
        "from an .xlsx or .csv file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values, help=lazy_help(gettext_lazy("What the file holds.")))
        parser.add_argument("file", help=lazy_help(gettext_lazy("The .xlsx or .csv file.")))
        parser.add_argument(
            "--commit", action="store_true", help=lazy_help(gettext_lazy("Import the valid rows after the check."))
        )
        parser.add_argument(
            "--user",
            default="",
            help=lazy_help(gettext_lazy("The administrator the import is recorded for (default: the first).")),
        )
        parser.add_argument("--errors", type=int, default=20, help=lazy_help(gettext_lazy("How many errors to print.")))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = self._actor(options["user"])
        started = time.monotonic()
        try:
            with path.open("rb") as fh:
                job = services.import_upload(actor=actor, kind=options["kind"], fileobj=fh, name=path.name, run_inline=True)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        checked = time.monotonic() - started
        self._print(job, options["errors"])
        self.stdout.write(_("checked in %(seconds).1f s") % {"seconds": checked})
        if job.status != "previewed" or not options["commit"] or services.nothing_to_import(job):
            return  # a file with nothing to import: the reason is printed above
        started = time.monotonic()
        try:
            job = services.import_commit(job=job, actor=actor, run_inline=True)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        took = time.monotonic() - started
        self.stdout.write(
            _(
                "import %(id)s: %(status)s; created %(created)s, updated %(updated)s, "
                "skipped %(skipped)s rows with errors, in %(seconds).1f s"
            )
            % {
                "id": job.pk,
                "status": job.get_status_display(),
                "created": job.written_new,
                "updated": job.written_changed,
                "skipped": job.error_rows,
                "seconds": took,
            }
        )

    def _actor(self, username: str) -> User:
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(username=username).first() if username else users.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
        )
        if user is None:
            raise CommandError(_("No such administrator; pass --user."))
        return user

    def _print(self, job: Any, shown: int) -> None:
        self.stdout.write(
            _("import %(id)s (%(kind)s, %(name)s): %(status)s")
            % {"id": job.pk, "kind": job.get_kind_display(), "name": job.original_name, "status": job.get_status_display()}
        )
        file_error = selectors.import_file_error(job)
        if file_error:
            self.stdout.write(_("file refused: %(reason)s") % {"reason": file_error})
            return
        if job.ignored_columns:
            self.stdout.write(_("ignored columns (not imported): %(columns)s") % {"columns": ", ".join(job.ignored_columns)})
        self.stdout.write(
            _(
                "rows %(rows)s: new %(new)s, changed %(changed)s, unchanged %(unchanged)s, "
                "with errors %(error_rows)s (%(errors)s errors)"
            )
            % {
                "rows": job.total_rows,
                "new": job.new_rows,
                "changed": job.changed_rows,
                "unchanged": job.unchanged_rows,
                "error_rows": job.error_rows,
                "errors": job.error_count,
            }
        )
        nothing = services.nothing_to_import(job)
        if nothing:
            self.stdout.write(str(nothing))
        for e in selectors.import_errors(job)[:shown]:
            self.stdout.write(
                _("  row %(row)s, %(column)s: %(reason)s") % {"row": e.row, "column": e.column_label, "reason": e.text}
            )
