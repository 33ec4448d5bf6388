"""Schemathesis against /api/v1/openapi.json, inside the normal test suite.

Every operation of the document is exercised with generated positive and negative requests,
authenticated with a staff key over the Django WSGI app (an agent's for tickets, customers and
the catalog; a supervisor's — dispatcher and stock staff — for work orders and stock). Asserted for every response: no server
error, a documented status code and content type, a body and headers that conform to the
schema, and negative (schema-violating) input refused with a 4xx.

The number of examples per operation is bounded (``API_FUZZ_EXAMPLES``, default 12) so the
normal run stays short; ``make api-fuzz`` runs many more. ``API_FUZZ_PHASES`` (default
``examples,coverage,fuzzing``) names schemathesis's phases. The coverage phase (every boundary and
every violation the schema defines; deterministic, answered by the input validation, the same on
both databases) is most of the module's time: ``API_FUZZ_COVERAGE_SHARD=i/n`` runs it for the
operations of shard ``i`` of ``n`` only (a stable hash of the operation), so that the two passes
of ``make test`` share it — the SQLite pass ``0/2``, the PostgreSQL pass ``1/2`` — while each runs
the examples and the random fuzzing of every operation (``scripts/test.sh``, decision 0011).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
import schemathesis
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aftersales.accounts.models import DataScope, Role
from aftersales.fieldservice.models import WorkOrder
from aftersales.fieldservice.services import expense_claim_submit, work_order_add_permit
from aftersales.parts.services import FaultyInput, return_create, return_receive, transfer_create
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_add_attachment
from tests.api.conftest import key_for, png_bytes
from tests.api.field_world import build_field_world, draft_requisition
from tests.factories import ProductUnitFactory, UserFactory, make_ticket

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
LOG = os.environ.get("API_FUZZ_LOG", "")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]

PHASES = os.environ.get("API_FUZZ_PHASES", "examples,coverage,fuzzing").split(",")

COVERAGE_SHARD = os.environ.get("API_FUZZ_COVERAGE_SHARD", "")


def _in_coverage_shard(ctx) -> bool:  # type: ignore[no-untyped-def]
    """Whether this pass runs the operation's coverage phase (``API_FUZZ_COVERAGE_SHARD``)."""
    if not COVERAGE_SHARD:
        return True
    index, count = (int(x) for x in COVERAGE_SHARD.split("/"))
    return zlib.crc32(ctx.operation.label.encode()) % count == index


def _fuzz_schema(phases: list[str]):  # type: ignore[no-untyped-def]
    """The API's document, with its own configuration (two schemas below: their phases differ)."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    loaded.config.phases.update(phases=phases)
    # The coverage phase also sends each path the methods it does not declare. A write by a method
    # nobody declared is what must be refused (405); an undeclared GET, OPTIONS or TRACE changes
    # nothing, and the router answers them the same way — so only the write methods are sent.
    loaded.config.phases.coverage.unexpected_methods = {"post", "put", "patch", "delete"}
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=True,  # the same requests on every run: a failure reproduces
        database="none",  # nothing written into the work tree
        with_security_parameters=False,  # the test key is sent instead
    )
    # A schema-violating body can also be refused for its size before it is parsed: 413 is a refusal.
    loaded.config.checks.negative_data_rejection.expected_statuses = [
        *loaded.config.checks.negative_data_rejection.expected_statuses,
        "413",
    ]
    return loaded


# Every operation: the examples and the random fuzzing; the coverage phase in a schema of its
# own, for this pass's shard of the operations.
schema = _fuzz_schema([phase for phase in PHASES if phase != "coverage"] or ["examples"])
coverage_schema = _fuzz_schema(["coverage"]).include(_in_coverage_shard) if "coverage" in PHASES else None


@pytest.fixture
def _keep_the_test_connection() -> Iterator[None]:
    """The WSGI app closes the database connection after each request, which would end the
    test's transaction; Django's own test client unhooks the same signal handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass
class FuzzWorld:
    key: str
    ticket: Ticket
    attachment_id: int
    serial_number: str
    field_key: str  # a supervisor's: dispatches work orders and is stock staff
    work_order_number: str
    requisition_id: int
    return_id: int
    transfer_id: int
    faulty_id: int
    file_id: int
    claim_id: int


def _build_world() -> FuzzWorld:
    """A staff key with every scope and a limit the fuzzing never reaches, and data to find."""
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="fuzz-agent")
    ticket = make_ticket(actor=agent, serial_number=ProductUnitFactory().serial_number)
    attachment = ticket_add_attachment(ticket=ticket, actor=agent, fileobj=BytesIO(png_bytes()), filename="p.png")
    field = build_field_world()
    requisition = draft_requisition(field.east, field.board)
    part_return = return_create(
        work_order=field.east.work_order,
        technician=field.east.technician,
        warehouse=field.east.warehouse,
        unused=[(field.sensor, 1)],
        faulty=[FaultyInput(part=field.board, serial="SN-F", condition="烧毁")],
        actor=field.east.technician,
    )
    return_receive(part_return=part_return, actor=field.boss)
    transfer = transfer_create(
        from_warehouse=field.east.warehouse,
        to_warehouse=field.central,
        lines=[(field.board, 1)],
        actor=field.boss,
        in_transit=True,
    )
    permit = work_order_add_permit(work_order=field.east.work_order, actor=field.boss, file=BytesIO(png_bytes()))
    claim = expense_claim_submit(
        work_order=field.east.work_order,
        actor=field.east.technician,
        kind="transport",
        amount="12.00",
        receipt=BytesIO(png_bytes()),
    )
    return FuzzWorld(
        key=key_for(agent, rate_limit_per_minute=100_000),
        ticket=ticket,
        attachment_id=attachment.pk,
        serial_number=ticket.reported_serial,
        field_key=key_for(field.boss, rate_limit_per_minute=100_000),
        work_order_number=field.east.work_order.number,
        requisition_id=requisition.pk,
        return_id=part_return.pk,
        transfer_id=transfer.pk,
        faulty_id=part_return.faulty.get().pk,
        file_id=permit.pk,
        claim_id=claim.pk,
    )


TEST_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "notifications"]}}


@pytest.fixture(scope="module")
def _world_rows(django_db_setup, django_db_blocker, tmp_path_factory, check_constraints_now) -> Iterator[tuple[FuzzWorld, Path]]:  # type: ignore[no-untyped-def]
    """The world is written once for the module, inside a transaction rolled back at its end;
    each operation's test runs in a savepoint of its own (``db``), so what one operation's
    requests change is gone before the next starts — as if the world were written anew for each.
    Written as a test would write it: in English, jobs recorded not run, files in a folder of
    the module's own (the tests' media folder is per test: ``fuzz_world`` points it there)."""
    media = tmp_path_factory.mktemp("fuzz-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, TASKS=TEST_TASKS),
        translation.override("en"),
        transaction.atomic(),
    ):
        caches["default"].clear()
        world = _build_world()
        check_constraints_now()
        yield world, media
        transaction.set_rollback(True)
    caches["default"].clear()


@pytest.fixture
def fuzz_world(_world_rows, db, settings, _keep_the_test_connection) -> FuzzWorld:  # type: ignore[no-untyped-def]
    world, media = _world_rows
    settings.MEDIA_ROOT = media  # the world's attachment, permit and receipt files are there
    return world


FIELD_PATHS = ("/work-orders", "/parts", "/stock", "/warehouses", "/requisitions", "/returns", "/transfers", "/faulty-parts")


def _is_field(case) -> bool:  # type: ignore[no-untyped-def]
    return any(part in case.operation.path for part in FIELD_PATHS)


def _aim_at_real_objects(case, world: FuzzWorld) -> None:  # type: ignore[no-untyped-def]
    """Positive cases address the existing ticket (with its current ETag), attachment, customer
    and unit, so generated bodies reach the services instead of stopping at a 404."""
    generation = getattr(case.meta, "generation", None)
    if generation is None or generation.mode.is_negative:
        return
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    path = case.path_parameters or {}
    real = {
        "number": ticket.number,
        "attachment_id": world.attachment_id,
        "customer_id": ticket.customer_id,
        "serial_number": world.serial_number,
        "wo_number": world.work_order_number,
        "requisition_id": world.requisition_id,
        "return_id": world.return_id,
        "transfer_id": world.transfer_id,
        "faulty_id": world.faulty_id,
        "file_id": world.file_id,
        "claim_id": world.claim_id,
    }
    for name in path:
        if name in real:
            path[name] = real[name]
    if "/actions/" in case.operation.path:
        field = "wo_number" in path
        version = WorkOrder.objects.get(number=world.work_order_number).version if field else ticket.version
        case.headers = {**(case.headers or {}), "If-Match": f'"v{version}"'}


def _call(case, fuzz_world) -> None:  # type: ignore[no-untyped-def]
    _aim_at_real_objects(case, fuzz_world)
    key = fuzz_world.field_key if _is_field(case) else fuzz_world.key
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": "en"}
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    if LOG:  # API_FUZZ_LOG=path: one line per request, for figures (mode, operation, status)
        with open(LOG, "a", encoding="utf-8") as log:
            mode = case.meta.generation.mode.value if getattr(case.meta, "generation", None) else "?"
            log.write(f"{mode} {case.operation.label} {response.status_code}\n")


HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]


@schema.parametrize()
@settings(suppress_health_check=HEALTH)
def test_every_operation_conforms_and_never_fails(case, fuzz_world):  # type: ignore[no-untyped-def]
    _call(case, fuzz_world)


if coverage_schema is not None:

    @coverage_schema.parametrize()
    @settings(suppress_health_check=HEALTH)
    def test_every_boundary_and_violation_is_answered(case, fuzz_world):  # type: ignore[no-untyped-def]
        _call(case, fuzz_world)
