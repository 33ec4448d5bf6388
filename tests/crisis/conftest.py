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
