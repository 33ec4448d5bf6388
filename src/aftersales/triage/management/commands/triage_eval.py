"""``manage.py triage_eval FILE.csv [--folds 5] [--model shipped|PATH] [--check FILE]``.

Prints per-label precision, recall and F1, macro-F1, accuracy, the confusion matrices, the safety
recall and precision, the latency per ticket and the process memory. Without ``--folds`` it
evaluates a trained model (the shipped one by default) on the file; with ``--folds N`` it trains
one model per fold and answers each row with a model that never saw it (plus the baselines).
``--seed`` picks another split of the folds (42 by default). ``--check`` exits non-zero when a figure falls below the recorded minimums (a JSON file, or the
``triage-minimums`` block of docs/triage.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.triage.classifier import SHIPPED_MODEL, load_shipped
from aftersales.triage.reporting import minimums, render, shortfalls
from aftersales.triage.training import SEED, cross_validate, evaluate, read_csv


class Command(BaseCommand):
    help = "Evaluate the triage model on a labelled CSV (dev.csv's columns)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV with the columns of shared/triage/dev.csv")
        parser.add_argument("--folds", type=int, default=0, help="cross-validate with N folds (trains per fold)")
        parser.add_argument("--model", default="shipped", help="'shipped' or the path of a model file")
        parser.add_argument("--check", default="", help="JSON or Markdown file with the recorded minimums")
        parser.add_argument("--no-baselines", action="store_true", help="with --folds: skip the baselines")
        parser.add_argument(
            "--seed", type=int, default=SEED, help="with --folds: the seed of the outer folds (robustness over splits)"
        )
        parser.add_argument("--brief", action="store_true", help="figures only, no per-label tables")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        rows = read_csv(path)
        write = self.stdout.write
        write(f"{len(rows)} labelled texts from {path}")
        if options["folds"]:
            results = cross_validate(rows, folds=options["folds"], baselines=not options["no_baselines"], seed=options["seed"])
        else:
            model_path = SHIPPED_MODEL if options["model"] == "shipped" else Path(options["model"])
            if not model_path.exists():
                raise CommandError(f"{model_path}: no model file (manage.py triage_train --from FILE.csv)")
            model = load_shipped(model_path)
            results = [evaluate(model, rows, name=f"model {model.version} (texts it may have been trained on)")]
        for i, ev in enumerate(results):
            render(ev, write, full=(i == 0 and not options["brief"]))
        if options["check"]:
            floors = minimums(Path(options["check"]))
            missing = shortfalls(results[0], floors)
            if missing:
                raise CommandError("below the recorded figures: " + "; ".join(missing))
            write(self.style.SUCCESS(f"all figures at or above the minimums of {options['check']}"))
