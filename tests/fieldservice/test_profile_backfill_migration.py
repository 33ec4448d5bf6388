"""fieldservice 0005: the technicians made before the ``USER_BECAME_TECHNICIAN`` hook get the
profile it would have given them (no skills, the default capacity, active, their region), in
batches; a technician's own profile and other staff are left alone; going back is a no-op."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations import RunPython

from aftersales.accounts.models import Role
from aftersales.fieldservice.models import Skill, TechnicianProfile
from aftersales.fieldservice.receivers import user_became_technician
from tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("aftersales.fieldservice.migrations.0005_technician_profile_backfill")


def run() -> None:
    backfill.create_missing(apps, SimpleNamespace(connection=connection))


def regions_of(user: object) -> list[str]:
    return list(TechnicianProfile.objects.get(user=user).regions.values_list("code", flat=True))


def test_every_technician_without_a_profile_gets_the_one_the_hook_gives_in_batches(monkeypatch):
    east, west = RegionFactory(code="east", name="华东"), RegionFactory(code="west", name="西部")
    made_before = [UserFactory(role=Role.TECHNICIAN, region=east) for _ in range(4)]
    no_region = UserFactory(role=Role.TECHNICIAN, region=None)
    left = UserFactory(role=Role.TECHNICIAN, region=west, is_active=False)  # left: dispatch skips inactive users
    agent = UserFactory(role=Role.AGENT, region=east)
    edited = UserFactory(role=Role.TECHNICIAN, region=east)
    own = user_became_technician(user=edited)
    own.regions.set([west])
    own.skills.add(Skill.objects.create(code="ac", name="空调"))
    TechnicianProfile.objects.filter(pk=own.pk).update(daily_capacity=6, active=False)

    monkeypatch.setattr(backfill, "BATCH", 2)  # several batches over six technicians
    run()

    for user in made_before:
        profile = TechnicianProfile.objects.get(user=user)
        assert (profile.active, profile.daily_capacity, profile.skills.count()) == (True, 4, 0)
        assert regions_of(user) == ["east"]
    assert regions_of(no_region) == []
    assert regions_of(left) == ["west"]
    assert not TechnicianProfile.objects.filter(user=agent).exists()
    own.refresh_from_db()
    assert (own.daily_capacity, own.active, own.skills.count(), regions_of(edited)) == (6, False, 1, ["west"])
    assert TechnicianProfile.objects.count() == 7

    # Run again (a run stopped half-way): nothing more, nothing twice.
    run()
    assert TechnicianProfile.objects.count() == 7
    assert TechnicianProfile.regions.through.objects.count() == 6  # four east, west (left), west (edited)


def test_the_same_profile_as_the_hook_makes():
    east = RegionFactory(code="east", name="华东")
    by_hook = user_became_technician(user=UserFactory(role=Role.TECHNICIAN, region=east))
    backfilled = UserFactory(role=Role.TECHNICIAN, region=east)
    run()
    made = TechnicianProfile.objects.get(user=backfilled)
    fields = ("active", "daily_capacity")
    assert [getattr(made, f) for f in fields] == [getattr(by_hook, f) for f in fields]
    assert regions_of(backfilled) == list(by_hook.regions.values_list("code", flat=True))


def test_going_back_is_a_no_op_and_no_technicians_is_fine():
    run()
    assert not TechnicianProfile.objects.exists()
    (operation,) = backfill.Migration.operations
    assert operation.reversible and operation.reverse_code is RunPython.noop
    assert backfill.Migration.atomic is False
