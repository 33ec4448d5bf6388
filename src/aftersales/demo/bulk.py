"""The bulk path for benchmarks: N tickets with their timeline events, in batches, fast.

Guarantees:
- exactly ``tickets`` tickets and ``tickets × events_per_ticket`` events are added, in batches of
  ``batch_size`` committed one by one (memory stays bounded whatever N is);
- ticket numbers are reserved per day in blocks with ``reserve_ticket_numbers`` inside each
  batch's transaction, so they never collide with tickets the intake service numbers before,
  during or after the load;
- ``created_at`` spreads over the last ``days`` days (more recently, on weekdays and in the summer
  air-conditioner season); statuses follow the age (old tickets are mostly closed);
- one new customer (with an address and one or two serial units) per ten tickets, at most 200,000
  unless asked otherwise; customers get valid E.164 mobile numbers that never repeat between
  loads, units unique serial numbers.
Unlike the demo story, these rows bypass the services (no audit rows, no notifications, no
status-change history): they exist to give lists, search and dashboards a realistic volume.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from aftersales.catalog.models import ProductModel, ProductUnit, SalesChannel
from aftersales.core.i18n import actor_code
from aftersales.customers.models import Address, Customer, CustomerKind, CustomerTier
from aftersales.customers.phones import normalize_phone
from aftersales.parties.kinds import kinds_for
from aftersales.parties.models import PartyKind, ResponsibleParty
from aftersales.parties.selectors import party_find
from aftersales.parties.services import party_create
from aftersales.tickets.choices import Channel, EventKind, Priority, RequestType, Responsibility
from aftersales.tickets.models import Ticket, TicketCategory, TicketEvent
from aftersales.tickets.numbering import format_ticket_number, reserve_ticket_numbers

from . import data, generate
from .builders import DemoBase
from .distribution import BulkStatusPicker, spread_over_days
from .writer import RowWriter

# Customer phone numbers: a bijection from a running counter onto 20 prefixes × 10^8 numbers, so
# numbers from different loads never repeat (the counter starts after the highest customer id).
_PHONE_SPACE = len(data.MOBILE_PREFIXES) * 10**8
_PHONE_STEP = 48271  # coprime with the space, so counter → number is one-to-one
_PHONE_OFFSET = 12_345_678


DEFAULT_CUSTOMERS_CAP = 200_000


@dataclass(frozen=True)
class BulkProgress:
    tickets_done: int
    tickets_total: int
    events_done: int
    seconds: float


@dataclass(frozen=True)
class BulkResult:
    tickets: int
    events: int
    customers: int
    units: int
    seconds: float

    @property
    def rows(self) -> int:
        return self.tickets + self.events + self.customers * 2 + self.units


@dataclass(frozen=True)
class _PoolCustomer:
    id: int
    name: str
    phone: str
    region_code: str
    place: generate.Place
    units: tuple[tuple[int, int, str, str, dt.date | None], ...]  # id, model id, serial, batch, purchase date


def bulk_load(
    *,
    base: DemoBase,
    tickets: int,
    seed: int,
    events_per_ticket: int = 1,
    batch_size: int = 10_000,
    customers: int | None = None,
    days: int = 730,
    progress: Callable[[BulkProgress], None] | None = None,
) -> BulkResult:
    """Insert ``tickets`` tickets (and their events) for benchmarks; see the module docstring."""
    if tickets < 0 or events_per_ticket < 1 or batch_size < 1 or days < 1:
        raise ValueError("tickets ≥ 0, events_per_ticket ≥ 1, batch_size ≥ 1 and days ≥ 1")
    started = time.perf_counter()
    # Seeded, and different for each load into the same database (the highest id is an index lookup).
    last_id = Ticket.objects.aggregate(last=Max("id"))["last"] or 0
    rng = random.Random(f"bulk-{seed}-{last_id}")  # noqa: S311 - bench data, not secrets
    # The customers stay in memory (about 0.5 kB each) for the tickets to pick from: capped by default.
    new_customers = min(tickets // 10, DEFAULT_CUSTOMERS_CAP) if customers is None else customers
    pool, units = _customer_pool(rng, base, new_customers, batch_size)
    factory = _TicketFactory(rng, base, pool, events_per_ticket)
    tickets_writer, events_writer = RowWriter(Ticket), RowWriter(TicketEvent)
    done = events = 0
    for batch in _batches(spread_over_days(tickets, days=days, rng=rng, now=timezone.now()), batch_size):
        with transaction.atomic():
            _speed_up_commit()
            ids = tickets_writer.reserve_ids(len(batch))
            numbers = _reserve_numbers([day for _moment, day in batch])
            rows: list[dict[str, Any]] = []
            # Rows are made while COPY streams the previous ones to the server (two cores busy).
            tickets_writer.write(factory.tickets(batch, ids, numbers, keep=rows), with_ids=True)
            events += events_writer.write(factory.events(rows), with_ids=False)
        done += len(rows)
        if progress is not None:
            progress(BulkProgress(done, tickets, events, time.perf_counter() - started))
    _analyse()
    return BulkResult(done, events, new_customers, units, time.perf_counter() - started)


def _batches(moments: Iterator[tuple[dt.datetime, dt.date]], size: int) -> Iterator[list[tuple[dt.datetime, dt.date]]]:
    batch: list[tuple[dt.datetime, dt.date]] = []
    for moment in moments:
        batch.append(moment)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _speed_up_commit() -> None:
    """Bench data need not wait for the WAL flush; a crash loses at most the last batches."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _analyse() -> None:
    """Fresh planner statistics, so queries measured right after the load use the right plans."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Ticket._meta.db_table}, {TicketEvent._meta.db_table}")


def _reserve_numbers(days: list[dt.date]) -> list[str]:
    """Numbers for tickets on these (sorted) local days: one block per day, reserved in the
    caller's transaction with the same counter the intake service uses."""
    prefix = settings.TICKET_NUMBER_PREFIX
    numbers: list[str] = []
    start = 0
    while start < len(days):
        day = days[start]
        end = start
        while end < len(days) and days[end] == day:
            end += 1
        first = reserve_ticket_numbers(count=end - start, day=day, prefix=prefix)
        numbers.extend(format_ticket_number(prefix, day, first + offset) for offset in range(end - start))
        start = end
    return numbers


# --- Customers -----------------------------------------------------------------------------------


def bulk_phone(counter: int) -> str:
    value = (counter * _PHONE_STEP + _PHONE_OFFSET) % _PHONE_SPACE
    prefix, suffix = divmod(value, 10**8)
    return f"+86{data.MOBILE_PREFIXES[prefix]}{suffix:08d}"


def _customer_pool(rng: random.Random, base: DemoBase, count: int, batch_size: int) -> tuple[list[_PoolCustomer], int]:
    """The base's customers plus ``count`` new ones (with an address and one or two units each)."""
    pool = [
        _PoolCustomer(
            c.id,
            c.contact_name,
            c.phone,
            c.region_code,
            c.place,
            tuple((u.id, u.model_id, u.serial_number, u.batch, u.purchase_date) for u in c.units),
        )
        for c in base.customers
    ]
    models = [m for m in base.models if m.launched_on]
    if count <= 0 or not models:
        return pool, 0
    factories = {code: f for code, _n, _e, _p, f in data.CATEGORIES}
    prefixes = {code: p for code, _n, _e, p, _f in data.CATEGORIES}
    today = timezone.localdate()
    customers_w, addresses_w, units_w = RowWriter(Customer), RowWriter(Address), RowWriter(ProductUnit)
    made_units = 0
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        with transaction.atomic():
            _speed_up_commit()
            ids = customers_w.reserve_ids(size)
            unit_plan = [_units_for(rng, models, today) for _ in ids]
            unit_ids = iter(units_w.reserve_ids(sum(len(u) for u in unit_plan)))
            customers, addresses, units = [], [], []
            for customer_id, planned in zip(ids, unit_plan, strict=True):
                where = generate.place(rng)
                name = generate.person_name(rng)
                phone = _valid_phone(customer_id)
                created = timezone.now() - dt.timedelta(days=_registration_age(rng))
                customers.append(
                    {
                        "id": customer_id, "kind": CustomerKind.PERSON.value, "name": name, "phone": phone, "email": "",
                        "tier": rng.choices(_TIERS, weights=(80, 16, 4))[0], "region_id": base.regions[where.region_code].pk,
                        "consent_contact": True, "consent_marketing": rng.random() < 0.3, "consent_recorded_at": created,
                        "user_id": None, "language": "zh-hans", "notes": "", "created_at": created, "updated_at": created,
                    }
                )  # fmt: skip
                addresses.append(
                    {"customer_id": customer_id, "province": where.province, "city": where.city, "district": where.district,
                     "detail": where.detail, "postal_code": "", "is_default": True}
                )  # fmt: skip
                owned = []
                for model, produced, purchased in planned:
                    unit_id = next(unit_ids)
                    category = model.category.code
                    factory = rng.choice(factories[category])
                    serial = generate.serial_number(prefixes[category], factory, produced, unit_id, width=8)
                    batch = generate.batch_code(produced, rng.randrange(4))
                    channel = rng.choices(_SALES_CHANNELS, weights=_SALES_WEIGHTS)[0]
                    units.append(
                        {"id": unit_id, "serial_number": serial, "model_id": model.pk, "batch": batch, "factory": factory,
                         "production_date": produced, "purchase_date": purchased, "sales_channel": channel,
                         "store": generate.store(rng, channel, where), "purchase_proof": "", "customer_id": customer_id,
                         "created_at": _registered(purchased, created)}
                    )  # fmt: skip
                    owned.append((unit_id, model.pk, serial, batch, purchased))
                pool.append(_PoolCustomer(customer_id, name, phone, where.region_code, where, tuple(owned)))
            customers_w.write(customers, with_ids=True)
            addresses_w.write(addresses, with_ids=False)
            made_units += units_w.write(units, with_ids=True)
    return pool, made_units


_TIERS = (CustomerTier.NORMAL.value, CustomerTier.LONG_TERM.value, CustomerTier.KEY.value)
_SALES_CHANNELS = [c.value for c in data.SALES_CHANNEL_WEIGHTS if c != SalesChannel.PROJECT]
_SALES_WEIGHTS = [data.SALES_CHANNEL_WEIGHTS[c] for c in data.SALES_CHANNEL_WEIGHTS if c != SalesChannel.PROJECT]


def _registration_age(rng: random.Random) -> float:
    """Bulk customers were registered two to three years ago, before any bulk ticket."""
    return rng.uniform(731, 1095)


def _registered(purchased: dt.date, customer_created: dt.datetime) -> dt.datetime:
    """A unit is registered when it is bought (the customer may have been known for longer)."""
    bought = dt.datetime.combine(purchased, dt.time(12), tzinfo=timezone.get_default_timezone())
    return max(bought, customer_created)


def _valid_phone(counter: int) -> str:
    """The counter's number, through the product's own normaliser: any eight digits after these
    prefixes form a valid number, so this fails (loudly) only if libphonenumber's data changes."""
    return normalize_phone(bulk_phone(counter))


def _units_for(rng: random.Random, models: list[ProductModel], today: dt.date) -> list[tuple[ProductModel, dt.date, dt.date]]:
    planned = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        model = rng.choice(models)
        launched = model.launched_on or dt.date(2022, 1, 1)
        produced = launched + dt.timedelta(days=rng.randint(0, max((today - launched).days - 200, 0)))
        planned.append((model, produced, min(produced + dt.timedelta(days=rng.randint(15, 150)), today)))
    return planned


# --- Tickets -------------------------------------------------------------------------------------


class _TicketFactory:
    """Makes ticket rows and their event rows from precomputed vocabularies (fast, seeded)."""

    def __init__(self, rng: random.Random, base: DemoBase, pool: list[_PoolCustomer], events_per_ticket: int) -> None:
        if not pool:
            raise RuntimeError("the bulk loader needs customers: load the demo base first")
        self.rng = rng
        self.now = timezone.now()
        self.pool = pool
        self.events_per_ticket = events_per_ticket
        self.statuses = BulkStatusPicker(rng)
        self.category_ids = dict(TicketCategory.objects.values_list("code", "id"))
        self.models = base.models
        self.model_category = {m.pk: m.category.code for m in base.models}
        self.regions = {code: r.pk for code, r in base.regions.items()}
        self.teams = {code: t.pk for code, t in base.agent_teams.items()}
        every_agent = [u for users in base.agents.values() for u in users]
        every_technician = [u for users in base.technicians.values() for u in users]
        self.agents = {code: [(u.pk, str(u)) for u in base.agents.get(code, every_agent)] for code in self.regions}
        self.technicians = {code: [(u.pk, str(u)) for u in base.technicians.get(code, every_technician)] for code in self.regions}
        # The register's parties a classified ticket's responsibility names, in turn (no random
        # draw: the seeded data stays as it was): departments, the demo's suppliers and carriers.
        self.parties = _parties_by_responsibility()
        self.party_turn = 0
        self.channels = [c.value for c in Channel]
        self.channel_weights = list(
            accumulate(
                {"hotline": 40, "wechat": 18, "app": 12, "web": 10, "store": 6, "email": 5, "social": 4, "api": 3, "letter": 2}[c]
                for c in self.channels
            )
        )
        # The channel as the actor, by its code (core.i18n.actor_text says it in the reader's language).
        self.channel_labels = {c.value: actor_code("channel", c.value) for c in Channel}
        self.agent_channels = {Channel.HOTLINE.value, Channel.STORE.value, Channel.SOCIAL.value, Channel.LETTER.value}
        self.targets = {
            int(p): (dt.timedelta(hours=h[0]), dt.timedelta(hours=h[1])) for p, h in settings.TICKET_DEFAULT_TARGET_HOURS.items()
        }
        self.texts = self._texts()

    def _texts(self) -> dict[str, tuple[list[tuple[data.Scenario, str, list[str]]], list[float]]]:
        """Per product category: scenarios with a title and a few descriptions each, and their
        cumulative weights."""
        texts = {}
        for code, product, *_rest in data.CATEGORIES:
            options = []
            for scenario in generate.scenarios_for(code):
                descriptions = [generate.description(self.rng, scenario, product) for _ in range(6)]
                options.append((scenario, generate.title(scenario, product), descriptions))
            texts[code] = (options, list(accumulate(float(option[0].weight) for option in options)))
        return texts

    def ticket(self, created: dt.datetime, day: dt.date) -> dict[str, Any]:
        rng = self.rng
        customer = rng.choice(self.pool)
        unit = rng.choice(customer.units) if customer.units and rng.random() < 0.8 else None
        if unit is not None and unit[4] is not None and unit[4] > day:
            unit = None  # bought after this ticket's day
        model_id = unit[1] if unit else rng.choice(self.models).pk
        options, cum_weights = self.texts[self.model_category[model_id]]
        scenario, title, descriptions = rng.choices(options, cum_weights=cum_weights)[0]
        age_days = (self.now - created).total_seconds() / 86400
        status = self.statuses.pick(age_days)
        channel = rng.choices(self.channels, cum_weights=self.channel_weights)[0]
        priority = int(Priority.URGENT) if scenario.safety else int(scenario.priority)
        agent_id, agent_name = rng.choice(self.agents[customer.region_code])
        first_due, due = self.targets[priority]
        times = self.statuses.timestamps(status, created, self.now, rng)
        assignee = None
        if status != "registered" or rng.random() < 0.3:
            technical = status in _TECHNICAL_STATUSES and scenario.request_type in _TECHNICAL_TYPES
            assignee = rng.choice(self.technicians[customer.region_code])[0] if technical else agent_id
        classified = status not in _UNCLASSIFIED
        place = customer.place
        return {
            "_agent": (agent_id, agent_name), "_merged": status == "merged",
            "title": title, "description": rng.choice(descriptions), "channel": channel, "status": status,
            "request_type": scenario.request_type, "category_id": self.category_ids.get(scenario.ticket_category),
            "nature": scenario.nature if classified else "", "severity": scenario.severity if classified else "",
            "priority": priority, "safety_hazard": scenario.safety,
            "customer_id": customer.id, "contact_name": customer.name, "contact_phone": customer.phone, "contact_email": "",
            "product_unit_id": unit[0] if unit else None, "product_model_id": model_id,
            "reported_serial": unit[2] if unit else "", "reported_batch": unit[3] if unit else "",
            "reported_purchase_date": unit[4] if unit else None,
            "occurred_at": created - dt.timedelta(hours=rng.uniform(1, 72)),
            "province": place.province, "city": place.city, "district": place.district, "address": place.detail,
            "responsibility": scenario.responsibility if classified else "",
            **self.party(scenario.responsibility if classified else ""),
            "cause": scenario.cause if classified else "", "cause_detail": "",
            "assignee_id": assignee, "team_id": self.teams.get(customer.region_code),
            "region_id": self.regions.get(customer.region_code),
            "created_by_id": agent_id if channel in self.agent_channels else None,
            "first_response_due_at": created + first_due, "due_at": created + due,
            "first_responded_at": times.first_response, "resolved_at": times.resolved, "closed_at": times.closed,
            "escalation_level": times.escalation, "merged_into_id": None,
            "version": times.version, "created_at": created, "updated_at": times.updated,
        }  # fmt: skip

    def party(self, responsibility: str) -> dict[str, Any]:
        """The responsible party's columns of a ticket with ``responsibility``: the register's
        entries of its kinds in turn (none for the customer or an undecided ticket)."""
        options = self.parties.get(responsibility) or []
        if not options:
            return {"responsible_party": "", "responsible_party_ref_id": None}
        self.party_turn += 1
        party_id, name = options[self.party_turn % len(options)]
        return {"responsible_party": name, "responsible_party_ref_id": party_id}

    def tickets(
        self, batch: list[tuple[dt.datetime, dt.date]], ids: list[int], numbers: list[str], *, keep: list[dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        """Ticket rows with their reserved ids and numbers, also appended to ``keep`` (for the
        events). A merged ticket copies the ticket before it (same customer) and points at it."""
        previous: dict[str, Any] | None = None
        for (moment, day), ticket_id, number in zip(batch, ids, numbers, strict=True):
            row = self.ticket(moment, day)
            row["id"], row["number"] = ticket_id, number
            if row["_merged"] and previous is not None:
                for name in _DUPLICATED_FIELDS:
                    row[name] = previous[name]
                row["merged_into_id"] = previous["id"]
            keep.append(row)
            previous = row
            yield row

    def events(self, rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The 'created' event of each ticket, then calls, notes and messages up to K events."""
        rng, extra = self.rng, self.events_per_ticket - 1
        for row in rows:
            agent_id, agent_name = row["_agent"]
            creator = row["created_by_id"]
            yield {
                "ticket_id": row["id"], "kind": "created", "actor_id": creator,
                "actor_label": agent_name if creator else self.channel_labels[row["channel"]], "public": True,
                "body": row["description"][:500], "created_at": row["created_at"],
                "data": {"channel": row["channel"], "number": row["number"], "safety_hazard": row["safety_hazard"]},
            }  # fmt: skip
            if extra:
                span = (row["updated_at"] - row["created_at"]) / (extra + 1)
                for i in range(1, extra + 1):
                    kind, texts, public = _EXTRA_EVENTS[(i - 1) % len(_EXTRA_EVENTS)]
                    yield {
                        "ticket_id": row["id"], "kind": kind, "actor_id": agent_id, "actor_label": agent_name,
                        "public": public, "body": rng.choice(texts), "data": {}, "created_at": row["created_at"] + span * i,
                    }  # fmt: skip


# The bulk data's third parties in the register (the departments come with the installation).
BULK_PARTIES = (
    ("sup-bulk-compressor", PartyKind.SUPPLIER, "常州压缩机配套有限公司"),
    ("sup-bulk-board", PartyKind.SUPPLIER, "深圳智控电路板厂"),
    ("log-bulk-express", PartyKind.LOGISTICS, "德邦物流华东分拨中心"),
    ("out-bulk-outlet", PartyKind.SERVICE_OUTLET, "南京鼓楼家电服务网点"),
)


def _parties_by_responsibility() -> dict[str, list[tuple[int, str]]]:
    """Per responsibility, the active register entries it may name, as (id, name); the bulk
    data's third parties registered first."""
    for code, kind, name in BULK_PARTIES:
        if party_find(code) is None and party_find(name, kinds=[kind]) is None:
            party_create(actor=None, kind=kind, name=name, code=code)
    entries = list(ResponsibleParty.objects.filter(active=True).order_by("kind", "pk").values_list("pk", "name", "kind"))
    return {
        responsibility: [(pk, name) for pk, name, kind in entries if kind in kinds_for(responsibility)]
        for responsibility in Responsibility.values
    }


_TECHNICAL_STATUSES = frozenset({"in_progress", "on_hold", "resolved", "closed", "reopened"})
_TECHNICAL_TYPES = frozenset({RequestType.REPAIR, RequestType.INSTALLATION, RequestType.EXCHANGE})
_UNCLASSIFIED = frozenset({"registered", "verifying", "awaiting_info"})
_DUPLICATED_FIELDS = (
    "customer_id", "contact_name", "contact_phone", "product_unit_id", "product_model_id", "reported_serial",
    "reported_batch", "reported_purchase_date", "province", "city", "district", "address", "title",
)  # fmt: skip
_EXTRA_EVENTS = (
    (EventKind.CALL.value, data.FIRST_CALLS, False),
    (EventKind.NOTE.value, data.INTERNAL_NOTES, False),
    (EventKind.MESSAGE_OUT.value, data.PLAN_TOLD, True),
    (EventKind.CALL.value, data.FOLLOW_UPS, False),
)
