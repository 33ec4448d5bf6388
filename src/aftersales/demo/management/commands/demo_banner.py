"""``manage.py demo_banner --url URL [--wait SECONDS]``: the last thing ``make run`` prints.

With ``--wait`` it first waits until the web server answers its health probe (``/healthz``) and
a background worker has run a job (``demo.tasks.worker_ping``), so the banner means "ready". If
either does not answer in time it says which, and where its log is, and exits with status 1.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus

from aftersales.demo.api import demo_api_key
from aftersales.demo.banner import LoginCheck, banner_text
from aftersales.demo.tasks import worker_ping

POLL_SECONDS = 0.25


class Command(BaseCommand):
    help = "Print the demo banner (site, logins, API key); with --wait, once the server and a worker answer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="The site's address (default %(default)s).")
        parser.add_argument(
            "--wait", type=float, default=0, help="Wait this many seconds at most for the server and a worker (0: don't)."
        )
        parser.add_argument("--logs", default="var/log/", help="Where the logs are, for the banner (default %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        url: str = options["url"]
        logins = LoginCheck()  # most of a second per password: checked while we wait
        if options["wait"] > 0:
            deadline = time.monotonic() + options["wait"]
            self._wait_for_server(url, deadline, options["logs"])
            self._wait_for_worker(deadline, options["logs"])
        self.stdout.write(banner_text(url=url, logins=logins.result(), api_key=demo_api_key(), log_dir=options["logs"]))

    def _wait_for_server(self, url: str, deadline: float, logs: str) -> None:
        probe = url.rstrip("/") + "/healthz"
        while True:
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:  # noqa: S310 - our own local server
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise CommandError(
                    _("The web server did not answer at %(url)s; see %(log)s.") % {"url": probe, "log": f"{logs}web.log"}
                )
            time.sleep(POLL_SECONDS)

    def _wait_for_worker(self, deadline: float, logs: str) -> None:
        result = worker_ping.enqueue()
        while result.status != TaskResultStatus.SUCCESSFUL:  # a backend that runs jobs at once is done here
            if result.status == TaskResultStatus.FAILED or time.monotonic() > deadline:
                raise CommandError(_("The background worker did not answer; see %(log)s.") % {"log": f"{logs}worker.log"})
            time.sleep(POLL_SECONDS)
            result.refresh()
