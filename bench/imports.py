"""Benchmark of the master-data import (issue 18): N serial units from one CSV (or .xlsx), the
preview pass (read + check every row + compare with the database) and the commit pass (the same
plus bulk inserts in chunks), then a re-import of the same file (every row unchanged).

    .venv/bin/python bench/imports.py --n 1000000 [--format csv|xlsx] [--db sqlite|postgres]

SQLite: a throw-away file under var/ (migrated on first use, emptied of units before each run);
PostgreSQL: ``BENCH_IMPORTS_DB`` (default aftersales_bench_imports) on the local server.
Prints one JSON object (seconds per pass, rows per second, peak RSS) on the last line and writes
it to bench/results/imports-<time>-<n>.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

MODELS = ("KFR-35GW/BP3DN8Y", "KFR-26GW/BP3DN1Y", "BCD-520WKPZM", "XQG100-B14596", "F6030-JA5")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_csv(path: Path, n: int) -> None:
    start = dt.date(2024, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["序列号", "型号", "批次", "工厂", "生产日期", "销售渠道", "门店/经销商", "购买日期"])
        for i in range(n):
            made = start + dt.timedelta(days=i % 700)
            w.writerow(
                [
                    f"BN{i:010d}",
                    MODELS[i % len(MODELS)],
                    f"B{made:%Y-%m}-{'ABCD'[i % 4]}",
                    "苏州工厂",
                    made.isoformat(),
                    "online",
                    "京东自营旗舰店",
                    (made + dt.timedelta(days=30)).isoformat(),
                ]
            )


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Serial number", "Model number", "Batch", "Factory", "Production date"])
    start = dt.date(2024, 1, 1)
    for i in range(n):
        made = start + dt.timedelta(days=i % 700)
        sheet.append([f"BX{i:010d}", MODELS[i % len(MODELS)], f"B{made:%Y-%m}-A", "苏州工厂", made])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--no-reimport", action="store_true")
    args = parser.parse_args()

    if args.db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{REPO / 'var' / 'bench_imports.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = (
            f"postgres://postgres@127.0.0.1:5432/{os.environ.get('BENCH_IMPORTS_DB', 'aftersales_bench_imports')}"
        )
    folder = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    os.environ["MEDIA_ROOT"] = str(folder / "media")  # the uploaded copy, removed with the folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from aftersales.accounts.models import DataScope, Role, User
    from aftersales.catalog.models import ProductCategory, ProductModel, ProductUnit
    from aftersales.imports import services
    from aftersales.imports.models import ImportJob

    actor, _ = User.objects.get_or_create(
        username="bench-importer", defaults={"role": Role.ADMINISTRATOR, "data_scope": DataScope.ALL}
    )
    category, _ = ProductCategory.objects.get_or_create(code="bench", defaults={"name": "基准"})
    for code in MODELS:
        ProductModel.objects.get_or_create(code=code, defaults={"category": category, "name": code})
    from django.db import connection

    with connection.cursor() as cursor:  # no ORM delete: it would load every unit (and the peak RSS with it)
        cursor.execute(f"DELETE FROM {ProductUnit._meta.db_table} WHERE serial_number LIKE 'BN%%' OR serial_number LIKE 'BX%%'")
    ImportJob.objects.all().delete()

    path = folder / f"units.{args.format}"
    started = time.monotonic()
    (write_csv if args.format == "csv" else write_xlsx)(path, args.n)
    generated = time.monotonic() - started
    rss_before = _rss_mb()

    result: dict[str, object] = {
        "n": args.n,
        "format": args.format,
        "db": args.db,
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }
    with path.open("rb") as fh:
        started = time.monotonic()
        job = services.import_upload(actor=actor, kind="units", fileobj=fh, name=path.name, run_inline=True)
        result["preview_s"] = round(time.monotonic() - started, 1)
    assert job.status == "previewed" and job.new_rows == args.n, (job.status, job.new_rows, job.file_error)
    started = time.monotonic()
    job = services.import_commit(job=job, actor=actor, run_inline=True)
    result["commit_s"] = round(time.monotonic() - started, 1)
    assert job.status == "done" and job.written_new == args.n, (job.status, job.written_new, job.last_failure)
    result["total_s"] = round(float(result["preview_s"]) + float(result["commit_s"]), 1)  # type: ignore[arg-type]
    result["rows_per_s_commit"] = round(args.n / max(float(result["commit_s"]), 0.001))  # type: ignore[arg-type]
    if not args.no_reimport:
        with path.open("rb") as fh:
            started = time.monotonic()
            again = services.import_upload(actor=actor, kind="units", fileobj=fh, name=path.name, run_inline=True)
            result["reimport_preview_s"] = round(time.monotonic() - started, 1)
        assert again.unchanged_rows == args.n, (again.new_rows, again.changed_rows)
    result["peak_rss_mb"] = round(_rss_mb(), 1)
    result["rss_before_import_mb"] = round(rss_before, 1)
    result["generate_s"] = round(generated, 1)
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()}
    shutil.rmtree(folder, ignore_errors=True)
    out = REPO / "bench" / "results" / f"imports-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{args.n}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
