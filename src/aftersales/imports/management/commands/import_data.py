"""``manage.py import_data KIND FILE [--commit] [--user NAME]``: check a file as the import
page does, print the figures and the first errors, and with ``--commit`` import it (in this
process, with its progress)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.accounts.models import Role, User
from aftersales.core.errors import DomainError
from aftersales.imports import selectors, services
from aftersales.imports.models import ImportKind


class Command(BaseCommand):
    help = (
        "Import customers, product models, warranty policies, serial units, shipment volumes or spare parts "
        "from an .xlsx or .csv file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="Import the valid rows after the check.")
        parser.add_argument("--user", default="", help="The administrator the import is recorded for (default: the first).")
        parser.add_argument("--errors", type=int, default=20, help="How many errors to print.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = self._actor(options["user"])
        started = time.monotonic()
        try:
            with path.open("rb") as fh:
                job = services.import_upload(actor=actor, kind=options["kind"], fileobj=fh, name=path.name, run_inline=True)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        checked = time.monotonic() - started
        self._print(job, options["errors"])
        self.stdout.write(f"checked in {checked:.1f} s")
        if job.status != "previewed" or not options["commit"]:
            return
        started = time.monotonic()
        job = services.import_commit(job=job, actor=actor, run_inline=True)
        took = time.monotonic() - started
        self.stdout.write(
            f"import {job.pk}: {job.status}; created {job.written_new}, updated {job.written_changed}, skipped {job.error_rows} rows with errors, in {took:.1f} s"
        )

    def _actor(self, username: str) -> User:
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(username=username).first() if username else users.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
        )
        if user is None:
            raise CommandError("No such administrator; pass --user.")
        return user

    def _print(self, job: Any, shown: int) -> None:
        self.stdout.write(f"import {job.pk} ({job.kind}, {job.original_name}): {job.status}")
        file_error = selectors.import_file_error(job)
        if file_error:
            self.stdout.write(f"file refused: {file_error}")
            return
        if job.ignored_columns:
            self.stdout.write("ignored columns (not imported): " + ", ".join(job.ignored_columns))
        self.stdout.write(
            f"rows {job.total_rows}: new {job.new_rows}, changed {job.changed_rows}, unchanged {job.unchanged_rows}, "
            f"with errors {job.error_rows} ({job.error_count} errors)"
        )
        for e in selectors.import_errors(job)[:shown]:
            self.stdout.write(f"  row {e.row}, {e.column_label}: {e.text}")
