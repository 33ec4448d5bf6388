"""The import demo (issue 18): the company's shipment figures — units of every demo product
model and batch shipped per region and month, the fault rate's denominator — written as the CSV
a sales department would export (Chinese headers) and imported through the import service, so
/imports/ shows a finished import and the quality pages have their denominators.

Batches are the ones the demo's units carry (``generate.batch_code``: one per month and
production line A–D, from the model's launch to this month); each batch is shipped the month
after it was made, split over the seven regions. Idempotent: the same file (same content) is
imported once."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
from typing import Any

from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.catalog.models import ProductModel
from aftersales.core import clock
from aftersales.imports.models import ImportJob, ImportKind, ImportStatus
from aftersales.imports.services import import_commit, import_upload

from . import data, generate

HEADER = ["型号", "批次", "月份", "区域", "出货数量"]
# Share of a batch shipped to each region (the demo's customers are weighted the same way).
REGION_SHARES = {"east": 30, "south": 18, "north": 16, "central": 13, "southwest": 10, "northwest": 6, "northeast": 7}
FILE_NAME = "出货量-演示.csv"


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def shipments_csv(today: dt.date | None = None) -> bytes:
    """The demo's shipment file (UTF-8 with BOM, as Excel writes "CSV UTF-8")."""
    today = today or clock.local_today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    last_made = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # shipped by this month
    for _category, code, _name, _policy, (year, month) in data.PRODUCT_MODELS:
        for made in _months(dt.date(year, month, 1), last_made):
            shipped = (made + dt.timedelta(days=32)).replace(day=1)
            for line in range(4):
                batch = generate.batch_code(made, line)
                rng = random.Random(f"{code}/{batch}")  # noqa: S311 - demo figures, the same on every run
                total = rng.randint(1500, 6000)
                for region, share in REGION_SHARES.items():
                    writer.writerow([code, batch, f"{shipped:%Y-%m}", region, round(total * share / 100)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def load_imports_demo(out: Any) -> None:
    """Import the demo's shipment file as the administrator. A second run changes nothing."""
    actor = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if actor is None or not ProductModel.objects.exists():
        out.write(_("No staff yet: load the demo data first."))
        return
    content = shipments_csv()
    digest = hashlib.sha256(content).hexdigest()
    if ImportJob.objects.filter(kind=ImportKind.SHIPMENTS, sha256=digest, status=ImportStatus.DONE).exists():
        out.write(_("The import demo is already loaded; nothing was changed."))
        return
    job = import_upload(actor=actor, kind=ImportKind.SHIPMENTS, fileobj=io.BytesIO(content), name=FILE_NAME, run_inline=True)
    if job.status == ImportStatus.PREVIEWED:
        job = import_commit(job=job, actor=actor, run_inline=True)
    out.write(
        _("Shipment volumes imported: %(rows)s rows, %(created)s created, %(errors)s with errors.")
        % {"rows": job.total_rows or 0, "created": job.written_new, "errors": job.error_rows}
    )
