"""Helper for the multi-process numbering test: a fresh interpreter (multiprocessing 'spawn') that
sets Django up against the test database named in DATABASE_URL and registers tickets there, as a
second web server process would. Not a test module; imported by the child processes only."""

from __future__ import annotations

import os


def register_tickets(worker: int, count: int) -> list[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    import django

    django.setup()
    from django.db import connection

    from tests.factories import make_ticket

    try:
        return [make_ticket(phone=f"1390000{worker:02d}{i:02d}", description=f"进程{worker}第{i}单").number for i in range(count)]
    finally:
        connection.close()
