"""``manage.py demo_data [--tickets N] [--seed S]``: demo data, or bulk tickets for benchmarks.

Without ``--tickets`` it loads the demo data set once: regions, teams, staff in every role,
customers, products, serial units and about 300 tickets of the last 90 days in every status, each
registered and processed through the real services. It is idempotent: when the demo tickets are
already there it says so and changes nothing; a failure leaves nothing half-loaded (one
transaction).

With ``--tickets N`` it makes sure the demo base exists (without the 300 story tickets), then adds
exactly N tickets with ``--events-per-ticket`` timeline events each, in committed batches, with
numbers reserved per day so they never collide with tickets registered by the intake service.
It reports progress, the elapsed time and the rows per second.

The demo load ends with the worker's first pass (``demo.worker``): the SLA sweep, then the
quality and analytics rollups, so the pages agree with each other before any worker runs.

Either way it ends by printing the demo logins that work (``demo.banner``), unless
``--no-logins`` (``make run`` prints them in its final banner).

Either way it first makes sure the database is a demo database or an empty one (``demo.guard``):
a database holding tickets, customers or users the demo did not make, or any database when
``AFTERSALES_ENV=production``, is refused with a message and exit status 1 unless ``--force``.
The transaction that loads the demo base marks the database as a demo database.
"""

from __future__ import annotations

import io
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.accounts.models import Role, User
from aftersales.customers.models import Customer
from aftersales.demo.analytics import load_analytics_demo
from aftersales.demo.api import load_api_demo
from aftersales.demo.appraisal import load_appraisal_demo
from aftersales.demo.assignment import load_assignment_rules
from aftersales.demo.banner import demo_logins, login_lines
from aftersales.demo.billing import load_billing_demo
from aftersales.demo.builders import ensure_base, load_base
from aftersales.demo.bulk import BulkProgress, bulk_load
from aftersales.demo.compensation import load_compensation_demo
from aftersales.demo.crisis import load_crisis_demo
from aftersales.demo.fieldservice import load_fieldservice_demo
from aftersales.demo.guard import demo_refusal, mark_demo_database
from aftersales.demo.imports import load_imports_demo
from aftersales.demo.knowledge import load_knowledge_demo
from aftersales.demo.outlets import load_outlets_demo
from aftersales.demo.parts import load_parts_demo
from aftersales.demo.quality import load_quality_demo
from aftersales.demo.remedies import load_remedies_demo
from aftersales.demo.returns import load_returns_demo
from aftersales.demo.revisits import load_revisits_demo
from aftersales.demo.saved_views import load_saved_views_demo
from aftersales.demo.stories import load_story, story_exists
from aftersales.demo.templates import load_templates_demo
from aftersales.demo.travel import load_travel_demo
from aftersales.demo.worker import run_first_worker_pass


class Command(BaseCommand):
    help = "Load the demo data set once, or with --tickets N bulk-load N tickets for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=None, help="Bulk-load this many tickets (benchmarks).")
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the random generator (default 2026).")
        parser.add_argument(
            "--events-per-ticket", type=int, default=1, help="Timeline events per bulk ticket, the first being 'created'."
        )
        parser.add_argument("--batch-size", type=int, default=10_000, help="Bulk tickets per transaction (default 10000).")
        parser.add_argument(
            "--customers",
            type=int,
            default=None,
            help="New customers for the bulk tickets (default: one per ten tickets, at most 200000).",
        )
        parser.add_argument("--days", type=int, default=730, help="Spread bulk tickets over this many days (default 730).")
        parser.add_argument(
            "--no-logins", action="store_true", help="Do not list the demo logins at the end (make run's banner does)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even into a database that holds data the demo did not make, or in production.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tickets = options["tickets"]
        for name in ("events_per_ticket", "batch_size", "days"):
            if options[name] < 1:
                raise CommandError(_("--%(option)s must be at least 1.") % {"option": name.replace("_", "-")})
        if tickets is not None and tickets < 0:
            raise CommandError(_("--tickets cannot be negative."))
        if options["customers"] is not None and options["customers"] < 0:
            raise CommandError(_("--customers cannot be negative."))
        refusal = demo_refusal(force=options["force"])
        if refusal is not None:
            raise CommandError(refusal)
        if tickets is None:
            self._load_demo(seed=options["seed"])
            load_parts_demo(self.stdout)
            load_fieldservice_demo(self.stdout)
            load_outlets_demo(self.stdout)
            load_crisis_demo(self.stdout)
            load_appraisal_demo(self.stdout)
            load_remedies_demo(self.stdout)
            load_compensation_demo(self.stdout)
            load_travel_demo(self.stdout)  # after compensation's, which signs finance in
            load_billing_demo(self.stdout)  # after travel's: the technician's and finance's demo logins exist
            load_saved_views_demo(self.stdout)
            load_returns_demo(self.stdout)
            load_knowledge_demo(self.stdout)
            load_templates_demo(self.stdout)
            load_revisits_demo(self.stdout)
            load_imports_demo(self.stdout)
            load_quality_demo(self.stdout)
            load_analytics_demo(self.stdout)
            run_first_worker_pass(self.stdout)  # last: the SLA sweep and rollups the worker would run first
        else:
            self._load_bulk(
                tickets=tickets,
                seed=options["seed"],
                events_per_ticket=options["events_per_ticket"],
                batch_size=options["batch_size"],
                customers=options["customers"],
                days=options["days"],
            )
        if options["no_logins"]:
            load_api_demo(io.StringIO())  # the key is still made, only not printed
        else:
            self._print_logins()

    def _load_demo(self, *, seed: int) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            # Checked inside the transaction: on SQLite it holds the write lock, so two runs queue.
            if story_exists():
                mark_demo_database(seed=seed)  # a demo loaded before the mark existed
                self.stdout.write(_("The demo data is already loaded; nothing was changed."))
                return
            self._warn(ensure_base(seed=seed))
            mark_demo_database(seed=seed)
            count = load_story(base=load_base(), seed=seed)
            load_assignment_rules()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Loaded the demo data in %(seconds).1f s: %(tickets)d tickets; the database now holds "
                    "%(customers)d customers and %(staff)d staff."
                )
                % {
                    "tickets": count,
                    "customers": Customer.objects.count(),
                    "staff": User.objects.exclude(role=Role.CUSTOMER).count(),
                    "seconds": time.perf_counter() - started,
                }
            )
        )

    def _load_bulk(
        self, *, tickets: int, seed: int, events_per_ticket: int, batch_size: int, customers: int | None, days: int
    ) -> None:
        with transaction.atomic():
            self._warn(ensure_base(seed=seed))
            mark_demo_database(seed=seed)
        base = load_base()
        self.stdout.write(
            ngettext(
                "Adding %(tickets)s tickets with %(events)d timeline event each, in batches of %(batch)s…",
                "Adding %(tickets)s tickets with %(events)d timeline events each, in batches of %(batch)s…",
                events_per_ticket,
            )
            % {"tickets": f"{tickets:,}", "events": events_per_ticket, "batch": f"{batch_size:,}"}
        )
        self._next_report = 0.0
        result = bulk_load(
            base=base,
            tickets=tickets,
            seed=seed,
            events_per_ticket=events_per_ticket,
            batch_size=batch_size,
            customers=customers,
            days=days,
            progress=self._progress,
        )
        seconds = max(result.seconds, 1e-9)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Added %(tickets)s tickets, %(events)s events, %(customers)s customers and %(units)s units "
                    "in %(seconds).1f s: %(ticket_rate)s tickets/s, %(row_rate)s rows/s."
                )
                % {
                    "tickets": f"{result.tickets:,}",
                    "events": f"{result.events:,}",
                    "customers": f"{result.customers:,}",
                    "units": f"{result.units:,}",
                    "seconds": result.seconds,
                    "ticket_rate": f"{result.tickets / seconds:,.0f}",
                    "row_rate": f"{result.rows / seconds:,.0f}",
                }
            )
        )

    def _progress(self, report: BulkProgress) -> None:
        """One line per 5 % (or per batch when there are few), so a long load shows it is alive."""
        share = report.tickets_done / max(report.tickets_total, 1)
        if share < self._next_report and report.tickets_done < report.tickets_total:
            return
        self._next_report = share + 0.05
        self.stdout.write(
            _("  %(done)s / %(total)s tickets (%(percent)d%%), %(events)s events, %(seconds).0f s, %(rate)s tickets/s")
            % {
                "done": f"{report.tickets_done:,}",
                "total": f"{report.tickets_total:,}",
                "percent": int(share * 100),
                "events": f"{report.events_done:,}",
                "seconds": report.seconds,
                "rate": f"{report.tickets_done / max(report.seconds, 1e-9):,.0f}",
            }
        )
        self.stdout.flush()

    def _warn(self, warnings: list[str]) -> None:
        for warning in warnings:
            self.stderr.write(warning)

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(_("Demo logins (user / password / role):"))
        for line in login_lines(demo_logins()):
            self.stdout.write(line)
        self.stdout.write(_("Administrators also use /admin/. Change these passwords before anyone else can reach the server."))
        load_api_demo(self.stdout)
