"""Quality pages benchmark: the overview (/quality/) and the statistics API read only the rollups
(``quality.FaultSummary``, ``FaultCount`` at a period's edges) and the shipment volumes, so their
cost depends on the summaries' rows, not on the tickets. This script fills ``FaultCount`` as the job
would for N fault tickets spread over realistic dimensions (models, batches, regions, causes,
components, suppliers, weeks, months in service), builds the summaries from it, then times the page
and each statistic. ``make bench`` runs it (``--n $(N)``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench_quality \\
      .venv/bin/python bench/quality.py --n 100000 --requests 40

Writes a JSON line with the rollup's row count, p50/p95/p99 of the page (warm: the page's figures
fragment in the cache, as after the job's refresh; cold: computed from the rollup) and of each
selector (all time, a period that cuts months at both edges, one region). The same run times the
reads as they were before the week rows and the fragment ("before": a period's edge weeks read
from ``FaultCount``; the warm page rendering its figures from the cached context every time).

``--reuse`` keeps the ``FaultCount`` rows of a previous run (a 10 M fill takes an hour);
``--rebuild-summaries`` then builds every summary again from them (after a change of the
summaries), without refilling ``FaultCount``:

    DATABASE_URL=... .venv/bin/python bench/quality.py --n 10000000 --reuse --rebuild-summaries \\
      --requests 30 --wide-requests 3

It deletes and rewrites ``FaultCount`` and ``ShipmentVolume`` rows of its own models (codes
starting with ``QBENCH-``) only; run it on a benchmark database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics as stats
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# The page as the web process serves it, without the collected static manifest of a deployment.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

from django.core.cache import cache  # noqa: E402
from django.core.cache.utils import make_template_fragment_key  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.test import Client  # noqa: E402

from aftersales.accounts.models import DataScope, Region, Role, User  # noqa: E402
from aftersales.catalog.models import ProductCategory, ProductModel, ShipmentVolume  # noqa: E402
from aftersales.quality import periods, statistics  # noqa: E402
from aftersales.quality.models import FaultCount, FaultSummary, SummaryGrain  # noqa: E402
from aftersales.quality.overview import FRAGMENT, fragment_key  # noqa: E402
from aftersales.quality.rollup import fault_summaries_rebuild  # noqa: E402

FILL_SLICE = 500_000
CAUSES = ["manufacturing", "materials", "design", "misuse", "environment", "logistics", "installation", "unknown", ""]


def fill(n: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    category, _ = ProductCategory.objects.get_or_create(code="qbench", defaults={"name": "基准品类"})
    models = [
        ProductModel.objects.get_or_create(code=f"QBENCH-{i:02d}", defaults={"category": category, "name": f"基准型号{i}"})[0]
        for i in range(20)
    ]
    regions = [Region.objects.get_or_create(code=f"qbench-{i}", defaults={"name": f"基准区域{i}"})[0] for i in range(5)]
    FaultCount.objects.filter(model__in=models).delete()
    ShipmentVolume.objects.filter(model__in=models).delete()
    today = dt.date.today()
    start = today - dt.timedelta(weeks=104)
    shipments = []
    for m in models:
        for b in range(24):
            month = (start + dt.timedelta(days=30 * b)).replace(day=1)
            shipments.append(ShipmentVolume(model=m, batch=f"B{b:02d}", month=month, units=rng.randint(5_000, 50_000)))
    ShipmentVolume.objects.bulk_create(shipments, batch_size=1000)
    fields = ("week", "model_id", "product_category_id", "region_id", "batch", "factory", "production_month",
              "months_in_service", "cause", "component", "supplier")  # fmt: skip
    rows = 0
    # In slices of FILL_SLICE tickets, so that memory stays bounded at 10 M (a key repeated in two
    # slices is two rows: the figures sum them the same; almost every key is unique anyway).
    for first in range(0, n, FILL_SLICE):
        cube: Counter[tuple] = Counter()
        units: Counter[tuple] = Counter()
        for _ in range(min(FILL_SLICE, n - first)):
            m = rng.choice(models)
            b = rng.randrange(24)
            week = start + dt.timedelta(weeks=rng.randrange(104))
            week -= dt.timedelta(days=week.weekday())
            key = (
                week,
                m.pk,
                category.pk,
                rng.choice(regions).pk,
                f"B{b:02d}",
                rng.choice(["佛山工厂", "合肥工厂", "武汉工厂"]),
                (start + dt.timedelta(days=30 * b)).replace(day=1),
                min(24, int(rng.expovariate(1 / 6))),
                rng.choice(CAUSES),
                rng.choice([""] + [f"P{i:03d} 部件{i}" for i in range(15)]),
                rng.choice(["", "宁波电容厂", "苏州电机", "广州电控", "无锡压缩机", "佛山钣金"]),
            )
            cube[key] += 1
            if rng.random() < 0.9:
                units[key] += 1
        FaultCount.objects.bulk_create(
            (FaultCount(**dict(zip(fields, key, strict=True)), tickets=count, units=units[key]) for key, count in cube.items()),
            batch_size=5000,
        )
        rows += len(cube)
    return rows


def timed(fn, repeat: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "p50": round(stats.median(samples), 1),
        "p95": round(samples[int(0.95 * (len(samples) - 1))], 1),
        "p99": round(samples[int(0.99 * (len(samples) - 1))], 1),
    }


def wide(filters: statistics.StatFilters, *keys: str) -> list[dict]:  # type: ignore[type-arg]
    """The read every figure made before the summaries: ``FaultCount`` grouped per figure (the same
    filters; the shipments and the Python after it are the same in both and left out)."""
    qs = statistics._counts(filters)
    if not keys:
        return [qs.aggregate(t=Sum("tickets"), u=Sum("units"), nu=Sum("unitless"))]
    return list(qs.values(*keys).annotate(t=Sum("tickets"), u=Sum("units"), nu=Sum("unitless")))


def period_rates_before(filters: statistics.StatFilters) -> list[dict]:  # type: ignore[type-arg]
    """The date-range read of the fault rates before the week rows: the whole months from the
    month rows, the edge weeks from ``FaultCount`` (the Python after it is the same and left out)."""
    months, edges = periods.period_plan(filters.since, filters.until)
    out: list[dict] = []  # type: ignore[type-arg]
    if months is not None:
        rows = FaultSummary.objects.filter(statistics._place_q(filters), dimension="batch", grain=SummaryGrain.MONTH)
        rows = rows.filter(periods.between(*months))
        out += rows.order_by().values("model_id", "value").annotate(t=Sum("tickets"), u=Sum("units"), nu=Sum("unitless"))
    for start, end in edges:  # start: a Monday or the first of a month
        edge = statistics._counts(replace(filters, since=None, until=None)).filter(week__gte=start, week__lte=end)
        out += edge.values("model_id", "batch").annotate(t=Sum("tickets"), u=Sum("units"), nu=Sum("unitless"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000, help="fault tickets the rollup stands for")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="keep the rollup filled by a previous run")
    parser.add_argument(
        "--wide-requests",
        type=int,
        default=None,
        help="requests of each read of the wide rollup, the way before the summaries (default --requests; 0 skips them)",
    )
    parser.add_argument(
        "--rebuild-summaries",
        action="store_true",
        help="with --reuse: build every summary again from the FaultCount rows kept (no refill)",
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    rows = FaultCount.objects.count() if args.reuse else fill(args.n)
    fill_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    # The narrow summaries the figures read, as the job keeps them (here from the filled FaultCount).
    rebuild = not args.reuse or args.rebuild_summaries
    summary_rows = fault_summaries_rebuild() if rebuild else FaultSummary.objects.count()
    summarise_s = time.perf_counter() - t0
    cache.clear()  # figures of an earlier build
    user, _ = User.objects.get_or_create(username="qbench", defaults={"role": Role.QUALITY_ENGINEER, "data_scope": DataScope.ALL})
    client = Client()
    client.force_login(user)
    language = client.get("/quality/").headers["Content-Language"]  # warm
    f = statistics.StatFilters()
    fragment = make_template_fragment_key(FRAGMENT, [fragment_key(user, f, language)])
    if cache.get(fragment) is None:
        raise SystemExit(f"the page's fragment is not under {fragment}: the 'before' page timing would be wrong")
    today = dt.date.today()
    period = statistics.StatFilters(since=today - dt.timedelta(days=200), until=today - dt.timedelta(days=20))
    regional = statistics.StatFilters(region_id=Region.objects.get(code="qbench-0").pk, since=today - dt.timedelta(days=365))
    result: dict[str, object] = {
        "n_fault_tickets": args.n,
        "load_before": os.getloadavg(),
        "rollup_rows": rows,
        "fill_s": round(fill_s, 1),
        "summary_rows": summary_rows,
        "summarise_s": round(summarise_s, 1),
        # False on a database summarised before the week rows (--reuse without --rebuild-summaries):
        # a period's edge weeks are then read from FaultCount, as before.
        "week_rows_built": statistics._week_rows_built(),
        "summary_rows_by_grain": dict(FaultSummary.objects.order_by().values_list("grain").annotate(n=Count("id"))),
        "page_overview_warm_ms": timed(lambda: client.get("/quality/"), args.requests),
        # Before the fragment: the figures' context from the cache, the tables and charts rendered.
        "page_overview_warm_before_ms": timed(lambda: (cache.delete(fragment), client.get("/quality/")), args.requests),
        "page_overview_cold_ms": timed(lambda: (cache.clear(), client.get("/quality/")), max(5, args.requests // 4)),
        "fault_rates_ms": timed(lambda: statistics.batch_fault_rates(f), args.requests),
        "pareto_ms": timed(lambda: statistics.pareto_of("cause", f), args.requests),
        "p_chart_ms": timed(lambda: statistics.weekly_p_chart(f), args.requests),
        "ttf_ms": timed(lambda: statistics.time_to_failure(f), args.requests),
        "totals_ms": timed(lambda: statistics.period_totals(f), args.requests),
        "period_rates_ms": timed(lambda: statistics.batch_fault_rates(period), args.requests),
        "period_rates_read_ms": timed(lambda: statistics._grouped(period, "batch", ("model", "value")), args.requests),
        "period_rates_read_before_ms": timed(lambda: period_rates_before(period), args.requests),
        "region_pareto_ms": timed(lambda: statistics.pareto_of("component", regional), args.requests),
    }
    # The same reads from the wide rollup (the way before the summaries), in the same run: seconds
    # each at 10 M rows, so they can be given fewer requests (p99 of few requests is their max).
    wide_requests = args.requests if args.wide_requests is None else args.wide_requests
    if wide_requests:
        result |= {
            "wide_requests": wide_requests,
            "wide_fault_rates_ms": timed(lambda: wide(f, "model_id", "batch"), wide_requests),
            "wide_pareto_ms": timed(lambda: wide(f, "cause"), wide_requests),
            "wide_ttf_ms": timed(lambda: wide(f, "months_in_service"), wide_requests),
            "wide_totals_ms": timed(lambda: wide(f), wide_requests),
            "wide_period_rates_ms": timed(lambda: wide(period, "model_id", "batch"), wide_requests),
            "wide_region_pareto_ms": timed(lambda: wide(regional, "component"), wide_requests),
        }
    result["load_after"] = os.getloadavg()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
