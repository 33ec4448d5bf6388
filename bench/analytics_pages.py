"""Analytics pages on the bench database (issue 17): the time of the periodic refresh (full and
incremental) and the in-process latency of the KPI page and the management dashboard.

    .venv/bin/python bench/load.py --n 100000            # once (the shared dataset)
    .venv/bin/python bench/analytics_pages.py --n 100000 [--requests 200] [--legacy-sample 5000]

The full refresh is the batched, set-based one (``services/full.py``); ``--legacy-sample N``
also times, on the first N tickets and in a rolled-back transaction, the computation it replaced
(per-ticket facts and per-fact staff days, ``tests/analytics/reference.py``) against the new one
on the same tickets, so the per-ticket cost before/after is measured on the same data and load.
The management dashboard is timed warm (its figures and charts cached per refresh, as shipped)
and cold (cache cleared before every request), and its selector alone (the rollup queries).

Measured in-process with Django's test client as supervisor01 (data scope all: the widest
reads), so the figure is the application's time for the page (SQL + Python + template), without
the HTTP server; the JSON result goes to bench/results/analytics-n<N>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.analytics.reference

import benchenv


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "max_ms": round(max(samples), 1),
    }


def compare_with_legacy(sample: int) -> dict[str, float]:
    """ms per ticket of the old and the new fact + staff-day computation on the same tickets
    (each in a rolled-back transaction)."""
    from django.db import transaction
    from django.utils import timezone
    from tests.analytics.reference import compute_ticket_facts, reference_staff_days

    from aftersales.analytics.services.facts import Calendars, TicketSet, compute_job_facts
    from aftersales.analytics.services.full import write_facts
    from aftersales.analytics.services.rollups import staff_day_rows
    from aftersales.tickets.models import Ticket

    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True)[:sample])
    now = timezone.now()
    out: dict[str, float] = {"tickets": len(ids)}
    for name in ("legacy", "batched"):
        with transaction.atomic():
            started = time.perf_counter()
            days: set = set()
            for start in range(0, len(ids), 2000 if name == "batched" else 500):
                chunk = ids[start : start + (2000 if name == "batched" else 500)]
                if name == "legacy":
                    from aftersales.analytics.models import JobFact, TicketFact

                    facts = compute_ticket_facts(chunk, calendars=Calendars(), now=now)
                    jobs = compute_job_facts(TicketSet.of(chunk), now=now)
                    TicketFact.objects.filter(pk__in=chunk).delete()
                    JobFact.objects.filter(ticket_key__in=chunk).delete()
                    TicketFact.objects.bulk_create(facts, batch_size=500)
                    JobFact.objects.bulk_create(jobs, batch_size=500)
                    days |= {f.day for f in facts}
                else:
                    touched, _n = write_facts(TicketSet.span(chunk[0], chunk[-1]), calendars=Calendars(), now=now)
                    days |= touched
            facts_s = time.perf_counter() - started
            started = time.perf_counter()
            ordered = sorted(days)
            for start in range(0, len(ordered), 60):
                (reference_staff_days if name == "legacy" else staff_day_rows)(ordered[start : start + 60])
            rollup_s = time.perf_counter() - started
            transaction.set_rollback(True)
        out[f"{name}_facts_ms_per_ticket"] = round(1000 * facts_s / max(1, len(ids)), 3)
        out[f"{name}_staff_days_ms_per_ticket"] = round(1000 * rollup_s / max(1, len(ids)), 3)
    return out


def compare_staff_days(limit: int) -> dict[str, float]:
    """Seconds to compute the StaffDay rows of the latest ``limit`` days with facts (0: every
    day) from the facts, read only: the old per-fact Python loop against the grouped queries."""
    from tests.analytics.reference import reference_staff_days

    from aftersales.analytics.models import TicketFact
    from aftersales.analytics.services.rollups import staff_day_rows

    days = sorted(TicketFact.objects.order_by().values_list("day", flat=True).distinct())[-limit if limit else 0 :]
    out: dict[str, float] = {"days": len(days)}
    for name, compute in (("legacy", reference_staff_days), ("batched", staff_day_rows)):
        started = time.perf_counter()
        rows = 0
        for start in range(0, len(days), 31):
            rows += len(compute(days[start : start + 31]))
        out[f"{name}_s"] = round(time.perf_counter() - started, 2)
        out[f"{name}_rows"] = rows
    return out


def time_selectors(requests: int) -> dict[str, dict[str, float]]:
    """The rollup reads alone: the dashboard's selector (month rollups, BacklogCell) over its
    default twelve months and three years, and the KPI table of the last 30 and 365 days (through
    the staff months, as shipped, and from staff days alone)."""
    import datetime as dt

    from django.utils import timezone

    from aftersales.accounts.models import User
    from aftersales.analytics.selectors.common import Period
    from aftersales.analytics.selectors.kpis import kpi_table_for_user
    from aftersales.analytics.selectors.management import management_for_user

    user = User.objects.get(username=benchenv.SUPERVISOR_USERNAME)
    today = timezone.localdate()
    end = today.replace(day=1)
    cases = {
        "management_12_months": lambda: management_for_user(
            user=user, start=(end - dt.timedelta(days=335)).replace(day=1), end=end
        ),
        "management_36_months": lambda: management_for_user(user=user, start=end.replace(year=end.year - 2, month=1), end=end),
        "kpi_table_30_days": lambda: kpi_table_for_user(user=user, period=Period(start=today - dt.timedelta(days=29), end=today)),
        "kpi_table_365_days": lambda: kpi_table_for_user(
            user=user, period=Period(start=today - dt.timedelta(days=364), end=today)
        ),
    }
    for days in (30, 365):  # from staff days alone: the path before ``StaffMonth``, same run
        period = Period(start=today - dt.timedelta(days=days - 1), end=today)
        cases[f"kpi_table_{days}_days_days_only"] = lambda p=period: kpi_table_for_user(user=user, period=p, use_months=False)
    out = {}
    for name, call in cases.items():
        call()
        samples = []
        for _ in range(max(20, requests // 4)):
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
        out[name] = summary(samples)
    return out


LEGACY_COSTS = ("cost_parts", "cost_labour", "cost_travel", "cost_refund", "cost_compensation")


def _legacy_cube_model():
    """The dropped ``MonthCube`` (month × region × category × channel × model), for the "before"
    figures: created and filled only inside a rolled-back transaction."""
    from django.db import models

    money = {"max_digits": 14, "decimal_places": 2, "default": 0}

    class LegacyMonthCube(models.Model):
        month = models.DateField()
        region_key = models.PositiveBigIntegerField(default=0)
        category_key = models.PositiveBigIntegerField(default=0)
        channel = models.CharField(max_length=16, blank=True)
        model_key = models.PositiveBigIntegerField(default=0)
        intake = models.PositiveIntegerField(default=0)
        resolved = models.PositiveIntegerField(default=0)
        surveys = models.PositiveIntegerField(default=0)
        overall_sum = models.PositiveIntegerField(default=0)
        promoters = models.PositiveIntegerField(default=0)
        detractors = models.PositiveIntegerField(default=0)
        costed = models.PositiveIntegerField(default=0)
        cost_parts = models.DecimalField(**money)
        cost_labour = models.DecimalField(**money)
        cost_travel = models.DecimalField(**money)
        cost_refund = models.DecimalField(**money)
        cost_compensation = models.DecimalField(**money)

        class Meta:
            app_label = "analytics"
            db_table = "bench_legacy_month_cube"
            managed = False
            constraints = [
                models.UniqueConstraint(
                    fields=["month", "region_key", "category_key", "channel", "model_key"], name="bench_legacy_cube_key"
                )
            ]
            indexes = [models.Index(fields=["region_key", "month"], name="bench_legacy_cube_idx")]

        def __str__(self) -> str:
            return f"{self.month} {self.region_key}"

    return LegacyMonthCube


def legacy_management(cube_model, *, user, start, end, region=None, category=None):
    """The dashboard selector as it was before the split (its rollup queries verbatim, on the
    legacy cube): the backlog read, four grouped queries over month × region × category ×
    channel × model cells, and the label lookups."""
    from collections import defaultdict
    from decimal import Decimal

    from django.db.models import Q, Sum

    from aftersales.analytics.models import BacklogCell
    from aftersales.analytics.selectors.common import money, ticket_reach
    from aftersales.analytics.selectors.management import months_between
    from aftersales.catalog.models import ProductModel
    from aftersales.tickets.models import TicketCategory

    zero = Decimal("0")
    reach = ticket_reach(user)
    months = months_between(start, end)
    index = {m: i for i, m in enumerate(months)}
    narrow = Q()
    if region is not None:
        narrow &= Q(region_key=region)
    if category is not None:
        narrow &= Q(category_key=category)
    list(BacklogCell.objects.filter(reach, narrow).values_list("status", "age_band", "sla_state", "n"))
    cube = cube_model.objects.filter(reach, narrow, month__gte=months[0], month__lte=months[-1]).order_by()
    by_channel = defaultdict(lambda: [0] * len(months))
    for month, channel, n in cube.values_list("month", "channel").annotate(n=Sum("intake")).values_list("month", "channel", "n"):
        by_channel[channel][index[month]] += n
    by_category = defaultdict(lambda: [0] * len(months))
    for month, key, n in (
        cube.values_list("month", "category_key").annotate(n=Sum("intake")).values_list("month", "category_key", "n")
    ):
        by_category[key][index[month]] += n
    intake = [0] * len(months)
    costs = {name: [zero] * len(months) for name in LEGACY_COSTS}
    for row in cube.values("month").annotate(
        n=Sum("intake"),
        s=Sum("surveys"),
        o=Sum("overall_sum"),
        p=Sum("promoters"),
        d=Sum("detractors"),
        **{f"c_{name}": Sum(name) for name in LEGACY_COSTS},
    ):
        i = index[row["month"]]
        intake[i] = row["n"]
        for name in LEGACY_COSTS:
            costs[name][i] = money(row[f"c_{name}"])
    model_rows = list(
        cube.values("model_key")
        .annotate(n=Sum("intake"), **{f"c_{name}": Sum(name) for name in LEGACY_COSTS})
        .order_by("-n", "model_key")
    )
    dict(ProductModel.objects.filter(pk__in=[r["model_key"] for r in model_rows]).values_list("pk", "name"))
    dict(TicketCategory.objects.filter(pk__in=list(by_category)).values_list("pk", "name"))
    return {"intake": intake, "by_channel": dict(by_channel), "by_category": dict(by_category), "models": model_rows[:10]}


def synthetic_cells(models_per_cell: int, rnd):
    """One month's cells: 30 regions × 20 categories × 6 channels × ``models_per_cell`` models."""
    from decimal import Decimal

    cells = []
    for region in range(1, 31):
        for category in range(1, 21):
            for channel in ("hotline", "web", "wechat", "email", "app", "dealer"):
                for model in range(1, models_per_cell + 1):
                    intake = rnd.randint(1, 9)
                    surveys = rnd.randint(0, intake)
                    promoters = rnd.randint(0, surveys)
                    cells.append(
                        {
                            "region_key": region,
                            "category_key": category,
                            "channel": channel,
                            "model_key": model,
                            "intake": intake,
                            "resolved": rnd.randint(0, intake),
                            "surveys": surveys,
                            "overall_sum": surveys * 4,
                            "promoters": promoters,
                            "detractors": surveys - promoters,
                            "costed": rnd.randint(0, intake),
                            **{f"s_{name}": Decimal(rnd.randint(0, 50000)) / 100 for name in LEGACY_COSTS},
                        }
                    )
    return cells


def time_synthetic_cube(sizes: list[int], samples: int) -> dict[str, object]:
    """The dashboard selector over synthetic cells (issue 17's scaling check): for each size (cells
    a month: 3,600 = 30 regions × 20 categories × 6 channels × 1 model, 36,000 = × 10 models),
    twelve months of cells are written, in one transaction rolled back after, both into the old
    single cube (``legacy_management``) and, through the refresh's own ``cubes.roll_up``, into
    the split rollups read by ``management_for_user``; each is timed unfiltered (the page's
    default), filtered to a region, and to a region and a category."""
    import datetime as dt
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from aftersales.accounts.models import DataScope, Role, User
    from aftersales.analytics.models import MonthChannel, MonthModel, MonthTotal
    from aftersales.analytics.selectors.management import management_for_user, months_between
    from aftersales.analytics.services.cubes import ROLLUPS, roll_up

    legacy = _legacy_cube_model()
    end = timezone.localdate().replace(day=1)
    start = (end - dt.timedelta(days=335)).replace(day=1)
    months = months_between(start, end)
    cases = {"all": {}, "region": {"region": 7}, "region_category": {"region": 7, "category": 3}}
    out: dict[str, object] = {}
    for size in sizes:
        with transaction.atomic():
            user = User.objects.filter(username="bench-cube-supervisor").first() or User.objects.create(
                username="bench-cube-supervisor", role=Role.SUPERVISOR, data_scope=DataScope.ALL
            )
            with connection.schema_editor() as editor:
                editor.create_model(legacy)
            for model in ROLLUPS:
                model.objects.filter(month__gte=start, month__lte=end).delete()
            rnd = random.Random(size)
            rows = {"legacy": 0, "split": 0}
            started = time.perf_counter()
            for month in months:
                cells = synthetic_cells(size // 3600, rnd)
                legacy.objects.bulk_create(
                    [
                        legacy(
                            month=month,
                            **{k: v for k, v in c.items() if not k.startswith("s_")},
                            **{name: c[f"s_{name}"] for name in LEGACY_COSTS},
                        )
                        for c in cells
                    ],
                    batch_size=5000,
                )
                rows["legacy"] += len(cells)
                for model, built in zip(ROLLUPS, roll_up(month, cells), strict=True):
                    model.objects.bulk_create(built, batch_size=5000)
                    rows["split"] += len(built)
            fill_s = round(time.perf_counter() - started, 1)
            with connection.cursor() as cursor:
                for table in ("bench_legacy_month_cube", *(m._meta.db_table for m in (MonthTotal, MonthChannel, MonthModel))):
                    if connection.vendor == "postgresql":
                        cursor.execute(f"ANALYZE {table}")
            result: dict[str, object] = {"cells_per_month": size, "months": len(months), "rows": rows, "fill_s": fill_s}
            for case, filters in cases.items():
                for name, call in (
                    ("before", lambda f=filters, u=user: legacy_management(legacy, user=u, start=start, end=end, **f)),
                    ("after", lambda f=filters, u=user: management_for_user(user=u, start=start, end=end, **f)),
                ):
                    call()
                    timings = []
                    for _ in range(samples):
                        t0 = time.perf_counter()
                        call()
                        timings.append((time.perf_counter() - t0) * 1000)
                    result[f"{case}_{name}"] = summary(timings)
            # Same figures from both paths (the page's default view).
            old = legacy_management(legacy, user=user, start=start, end=end)
            new = management_for_user(user=user, start=start, end=end)
            assert old["intake"] == new.intake and old["by_channel"] == new.intake_by_channel, "split != cube"
            assert old["by_category"] == new.intake_by_category, "split != cube (categories)"
            out[str(size)] = result
            transaction.set_rollback(True)
    return out


PAGES = {
    "kpis": ("/dashboard/kpis/", False),
    "kpis-region-rows": ("/dashboard/kpis/?group=region", False),
    "kpis-365-days": ("/dashboard/kpis/?from={year_ago}&to={today}", False),
    "management": ("/dashboard/management/", False),
    "management-cold": ("/dashboard/management/", True),
    "kpis-cold": ("/dashboard/kpis/", True),
    "kpis-365-days-cold": ("/dashboard/kpis/?from={year_ago}&to={today}", True),
}


def tables_read(sql: str) -> set[str]:
    """The tables a statement names (FROM / JOIN), for the record of what a page reads."""
    import re

    return set(re.findall(r'(?:FROM|JOIN)\s+"?([a-z_0-9]+)"?', sql))


def time_pages(requests: int, only: tuple[str, ...] | None = None) -> dict[str, dict[str, object]]:
    """Each page as supervisor01 (data scope all): one request first, then one with its
    statements captured (counted, and the tables they read listed), then ``requests`` timed
    (cold pages: the cache cleared before each, a fifth as many)."""
    import datetime as dt

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from aftersales.accounts.models import User

    today = timezone.localdate()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=benchenv.SUPERVISOR_USERNAME))
    timings: dict[str, dict[str, object]] = {}
    for name, (template, cold) in PAGES.items():
        if only is not None and name not in only:
            continue
        url = template.format(today=today.isoformat(), year_ago=(today - dt.timedelta(days=364)).isoformat())
        if cold:
            cache.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Read now: the next request's request_started signal empties the connection's log.
        statements = [q["sql"] for q in queries.captured_queries]
        tables: set[str] = set()
        for sql in statements:
            tables |= tables_read(sql)
        samples = []
        for _ in range(requests if not cold else max(10, requests // 5)):
            if cold:
                cache.clear()
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        timings[name] = summary(samples) | {"queries": len(statements), "tables": sorted(tables)}
    return timings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--db", default=None)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--skip-refresh", action="store_true")
    ap.add_argument("--chunk", type=int, default=2000, help="tickets per transaction of the full refresh")
    ap.add_argument("--legacy-sample", type=int, default=0, help="tickets to time the old computation on (0: skip)")
    ap.add_argument("--legacy-days", type=int, default=62, help="latest days to time the old staff-day loop on (0: all)")
    ap.add_argument(
        "--synthetic-cells",
        default="",
        help="cells a month of the dashboard's scaling check, comma-separated multiples of 3600 (e.g. 3600,36000)",
    )
    ap.add_argument("--synthetic-only", action="store_true", help="run only the synthetic-cell check (any migrated db)")
    ap.add_argument("--synthetic-samples", type=int, default=30)
    a = ap.parse_args()
    db = a.db or benchenv.db_name(a.n)
    benchenv.django_setup(db)
    sizes = [int(v) for v in a.synthetic_cells.split(",") if v.strip()]
    if a.synthetic_only:
        synthetic = {"db": db, "load_before": os.getloadavg()} | time_synthetic_cube(sizes, a.synthetic_samples)
        synthetic["load_after"] = os.getloadavg()
        out = benchenv.BENCH_DIR / "results" / f"analytics-cube-{time.strftime('%Y%m%dT%H%M%S')}.json"
        out.write_text(json.dumps(synthetic, indent=2, ensure_ascii=False, default=str))
        print(json.dumps(synthetic, indent=2, ensure_ascii=False, default=str))
        return

    from aftersales.analytics.models import MonthChannel, MonthModel, MonthTotal, StaffDay, TicketFact
    from aftersales.analytics.services import analytics_refresh

    result: dict[str, object] = {"n": a.n, "db": db, "requests": a.requests, "load_before": os.getloadavg()}
    if a.legacy_sample:
        result["per_ticket_ms"] = compare_with_legacy(a.legacy_sample)
    if not a.skip_refresh:
        started = time.perf_counter()
        full = analytics_refresh(full=True, chunk=a.chunk)
        elapsed = time.perf_counter() - started
        result["refresh_full_s"] = round(elapsed, 1)
        result["refresh_full_ms_per_ticket"] = round(1000 * elapsed / max(1, full.tickets), 3)
        started = time.perf_counter()
        analytics_refresh()
        result["refresh_incremental_s"] = round(time.perf_counter() - started, 2)
        result["refresh_full"] = full.__dict__
    if a.legacy_sample:
        result["staff_days_all"] = compare_staff_days(a.legacy_days)
    from aftersales.tickets.models import Ticket

    result["tickets_in_database"] = Ticket.objects.count()
    result["rows"] = {
        "ticket_facts": TicketFact.objects.count(),
        "staff_days": StaffDay.objects.count(),
        "month_totals": MonthTotal.objects.count(),
        "month_channels": MonthChannel.objects.count(),
        "month_models": MonthModel.objects.count(),
    }
    result["pages"] = time_pages(a.requests)
    result["selectors"] = time_selectors(a.requests)
    if sizes:
        result["synthetic_cube"] = time_synthetic_cube(sizes, a.synthetic_samples)
    result["load_after"] = os.getloadavg()
    out = benchenv.BENCH_DIR / "results" / f"analytics-n{a.n}-{time.strftime('%Y%m%d')}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
