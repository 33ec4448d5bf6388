"""``manage.py triage_train --from FILE.csv [--with-confirmed] [--output PATH] [--force]``.

Cross-validates first and prints the figures; switches to the new model (writes the model file)
only when they are at or above the recorded minimums (``model_data/figures.json``), or with
``--force``. The training texts are not stored: the model file holds weights only.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.triage import engine
from aftersales.triage.classifier import SHIPPED_MODEL
from aftersales.triage.reporting import FIGURES_FILE, minimums, render, shortfalls
from aftersales.triage.training import Labelled, cross_validate, fit, read_csv


def confirmed_rows() -> Iterable[Labelled]:
    """The company's confirmed tickets (accepted or corrected suggestions), where the product
    provides them (``aftersales.triage.selectors.confirmed_labelled``)."""
    try:
        from aftersales.triage import selectors  # type: ignore[attr-defined]
    except ImportError as exc:  # the product integration is not there yet
        raise CommandError("confirmed tickets are not available in this installation") from exc
    return selectors.confirmed_labelled()  # type: ignore[no-any-return]


class Command(BaseCommand):
    help = "Train the triage model, print its cross-validated figures, then switch to it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", default="", help="labelled CSV (dev.csv's columns)")
        parser.add_argument("--with-confirmed", action="store_true", help="add the confirmed tickets")
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--output", default=str(SHIPPED_MODEL))
        parser.add_argument("--force", action="store_true", help="switch even below the recorded minimums")
        parser.add_argument("--dry-run", action="store_true", help="cross-validate only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        rows: list[Labelled] = []
        if options["source"]:
            rows.extend(read_csv(options["source"]))
        if options["with_confirmed"]:
            rows.extend(confirmed_rows())
        if not rows:
            raise CommandError("nothing to train on: give --from FILE.csv and/or --with-confirmed")
        write = self.stdout.write
        write(f"training on {len(rows)} labelled texts")
        results = cross_validate(rows, folds=options["folds"], baselines=False)
        render(results[0], write, full=False)
        missing = shortfalls(results[0], minimums(FIGURES_FILE)) if FIGURES_FILE.exists() else []
        if missing and not options["force"]:
            raise CommandError("not switched, below the recorded figures: " + "; ".join(missing))
        if options["dry_run"]:
            write("dry run: the model was not written")
            return
        model = fit(rows)
        model.figures = {k: round(v, 4) for k, v in results[0].figures.items()}
        model.save(Path(options["output"]))
        engine.reset()
        write(self.style.SUCCESS(f"switched to {model.version} ({options['output']})"))
