"""Benchmark of the Excel export (issue 17): the ticket list of N tickets written by
``exports.services.write_xlsx`` (xlsxwriter in constant-memory mode, the rows streamed from the
database in chunks of 2,000), its time, rows per second, the file's size and the peak RSS.

    nice .venv/bin/python bench/export_1m.py --n 1000000 [--followups 0] [--db NAME] [--masked]

The tickets are the shared benchmark dataset, loaded by ``bench/load.py`` into its own PostgreSQL
database (default ``aftersales_bench_export_n<N>``, created and loaded when missing, reused
afterwards; without follow-ups by default: the export reads the ticket rows alone). With
``--skip-load`` the database is used as it is: on a busy machine the 1,000,000 tickets of
docs/exports.md were the 100,000 of the loader copied nine times in SQL (each copy numbered
``<number>-<k>``; the statement is in docs/exports.md), an hour's load saved. The user is
``agent01`` (data scope "all", phones unmasked) or, with ``--masked``, a finance user (phones
masked). Prints one JSON object on the last line and writes it to
bench/results/export-<time>-<n>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description="Benchmark of the .xlsx export (see module docstring).")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--followups", type=int, default=0)
    ap.add_argument("--db", default=None)
    ap.add_argument("--masked", action="store_true", help="export as a finance user (phones masked)")
    ap.add_argument("--skip-load", action="store_true", help="use the database as it is (see the docstring)")
    a = ap.parse_args()
    db = a.db or f"aftersales_bench_export_n{a.n}"
    started = time.monotonic()
    load_info: dict[str, object] = {"reused": True}
    if not a.skip_load:
        loaded = subprocess.run(
            [sys.executable, str(benchenv.BENCH_DIR / "load.py"), "--n", str(a.n), "--followups", str(a.followups), "--db", db],
            check=True,
            capture_output=True,
            text=True,
        )
        load_info = json.loads(loaded.stdout.strip().splitlines()[-1])
    load_s = time.monotonic() - started

    benchenv.django_setup(db)
    from aftersales.accounts.models import DataScope, Role, User
    from aftersales.exports.services import write_xlsx
    from aftersales.tickets.models import Ticket

    if a.masked:
        user, _created = User.objects.get_or_create(
            username="bench-finance", defaults={"role": Role.FINANCE, "data_scope": DataScope.ALL, "language": "zh-hans"}
        )
    else:
        user = User.objects.get(username=benchenv.AGENT_USERNAME)
    tickets = Ticket.objects.count()
    rss_before = _rss_mb()
    progress: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        path = Path(folder) / "tickets.xlsx"
        with path.open("wb") as target:
            started = time.monotonic()
            rows = write_xlsx(
                kind="tickets",
                user=user,
                filters={"status": "all", "sort": "-created"},
                target=target,
                progress=lambda done: progress.append((done, time.monotonic() - started)),
            )
            seconds = time.monotonic() - started
        size_mb = path.stat().st_size / 2**20
    assert rows == min(tickets, 1_048_575), (rows, tickets)
    result = {
        "n": a.n,
        "tickets": tickets,
        "rows": rows,
        "user": user.username,
        "masked": not user.sees_personal_data,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / max(seconds, 0.001)),
        "file_mb": round(size_mb, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_before_export_mb": round(rss_before, 1),
        "first_progress_s": round(progress[0][1], 2) if progress else None,
        "load_s": round(load_s, 1),
        "load_reused": bool(load_info.get("reused")),
        "db": db,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
    }
    out = benchenv.BENCH_DIR / "results" / f"export-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{a.n}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
