import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.crisis.models import CrisisLevel
from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def supervisor(db):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="crisis-sup", display_name="危机主管")


@pytest.fixture
def level_ii(db):  # type: ignore[no-untyped-def]
    return CrisisLevel.objects.get(code="II")


@pytest.fixture
def east(db):  # type: ignore[no-untyped-def]
    return RegionFactory(code="east", name="华东")


@pytest.fixture
def north(db):  # type: ignore[no-untyped-def]
    return RegionFactory(code="north", name="华北")


@pytest.fixture
def scan_at_once(monkeypatch):  # type: ignore[no-untyped-def]
    """The intake's crisis scan (in the job after the intake, ``receivers.ticket_created_later``)
    run right away, as a worker would pick it up at once: for tests that follow the detector tick
    by tick."""
    from aftersales.crisis import receivers
    from aftersales.tickets.models import Ticket
    from aftersales.tickets.services import intake

    def scan_now(*, ticket_id: int) -> None:
        receivers.ticket_created_later(ticket=Ticket.objects.get(pk=ticket_id))

    monkeypatch.setattr(intake, "ticket_created_later_queue", scan_now)
