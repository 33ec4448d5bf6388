"""Where ``manage.py demo_data`` may load: never into a company's real data by accident.

The demo adds about 300 made-up tickets, 150 customers and logins with published passwords (a
superuser among them). It loads only into

- a **demo database**: one that carries the demo's mark (``DemoDataset``, written in the
  transaction that loads the demo base), or — loaded before the mark existed — holds the
  demo's story tickets; loading there is idempotent as before;
- an **empty database**: no tickets, no customers and no user accounts at all.

Anything else — a database with a ticket, a customer or a user the demo did not make (the first
administrator from ``manage.py create_administrator`` is enough), or any database when
``AFTERSALES_ENV=production`` — is refused with what was found and what to do instead, unless
``--force``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.customers.models import Customer
from aftersales.tickets.models import Ticket

from .models import DEMO_DATASET_ID, DemoDataset
from .stories import story_exists


@dataclass(frozen=True)
class ForeignData:
    """What a database that is not a demo database already holds."""

    tickets: int
    customers: int
    users: int

    def __bool__(self) -> bool:
        return bool(self.tickets or self.customers or self.users)


def is_demo_database() -> bool:
    """The demo's mark is there, or (a demo loaded before the mark existed) its story tickets."""
    return DemoDataset.objects.filter(pk=DEMO_DATASET_ID).exists() or story_exists()


def foreign_data() -> ForeignData:
    """The tickets, customers and users of a database that is not a demo database (all zero for
    a demo database, whose rows are the demo's, and for an empty one)."""
    if is_demo_database():
        return ForeignData(0, 0, 0)
    return ForeignData(tickets=Ticket.objects.count(), customers=Customer.objects.count(), users=User.objects.count())


def demo_refusal(*, force: bool = False) -> str | None:
    """Why the demo must not be loaded here, or ``None`` when it may (always with ``force``)."""
    if force:
        return None
    if settings.PRODUCTION and not is_demo_database():
        return _(
            "AFTERSALES_ENV is production: the demo data (made-up customers and tickets, logins with published "
            "passwords) is not loaded into this database. To serve it without the demo: make start (or "
            "scripts/run.sh --no-demo). To load the demo anyway: manage.py demo_data --force."
        )
    found = foreign_data()
    if not found:
        return None
    return _(
        "This database already holds data that the demo did not load: %(tickets)d tickets, %(customers)d "
        "customers, %(users)d user accounts. The demo would add made-up customers and tickets and logins with "
        "published passwords (admin / admin-demo-2026 among them), so nothing was loaded. To serve this database "
        "without the demo: make start (or scripts/run.sh --no-demo); its first administrator: manage.py "
        "create_administrator. To load the demo into it anyway: manage.py demo_data --force."
    ) % {"tickets": found.tickets, "customers": found.customers, "users": found.users}


def mark_demo_database(*, seed: int) -> None:
    """Mark the database as a demo database (once; a later load keeps the first mark). Called in
    the transaction that loads the demo base, so the mark and the data commit together."""
    DemoDataset.objects.get_or_create(pk=DEMO_DATASET_ID, defaults={"loaded_at": timezone.now(), "seed": seed})
