"""Analytics pages on the bench database (issue 17): the time of the periodic refresh (full and
incremental) and the in-process latency of the KPI page and the management dashboard.

    .venv/bin/python bench/load.py --n 100000            # once (the shared dataset)
    .venv/bin/python bench/analytics_pages.py --n 100000 [--requests 200]

Measured in-process with Django's test client as supervisor01 (data scope all: the widest
reads), so the figure is the application's time for the page (SQL + Python + template), without
the HTTP server; the JSON result goes to bench/results/analytics-n<N>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchenv


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--db", default=None)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--skip-refresh", action="store_true")
    a = ap.parse_args()
    db = a.db or benchenv.db_name(a.n)
    benchenv.django_setup(db)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from aftersales.accounts.models import User
    from aftersales.analytics.models import MonthCube, StaffDay, TicketFact
    from aftersales.analytics.services import analytics_refresh

    result: dict[str, object] = {"n": a.n, "db": db, "requests": a.requests}
    if not a.skip_refresh:
        started = time.perf_counter()
        full = analytics_refresh(full=True)
        result["refresh_full_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        analytics_refresh()
        result["refresh_incremental_s"] = round(time.perf_counter() - started, 2)
        result["refresh_full"] = full.__dict__
    from aftersales.tickets.models import Ticket

    result["tickets_in_database"] = Ticket.objects.count()
    result["rows"] = {
        "ticket_facts": TicketFact.objects.count(),
        "staff_days": StaffDay.objects.count(),
        "month_cube": MonthCube.objects.count(),
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=benchenv.SUPERVISOR_USERNAME))
    pages = {
        "kpis": "/dashboard/kpis/",
        "kpis-region-rows": "/dashboard/kpis/?group=region",
        "management": "/dashboard/management/",
    }
    timings: dict[str, dict[str, float]] = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        samples = []
        for _ in range(a.requests):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        timings[name] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p99_ms": round(percentile(samples, 0.99), 1),
            "max_ms": round(max(samples), 1),
            "queries": len(queries.captured_queries),
        }
    result["pages"] = timings
    out = benchenv.BENCH_DIR / "results" / f"analytics-n{a.n}-{time.strftime('%Y%m%d')}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
