"""A new technician gets a profile (their region as its region) so dispatch suggests them at once;
the admin chooses technicians by name (a van's owner, a profile's user), never by a user id or
among every member of staff (the day-zero audit)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aftersales.accounts.effects import USER_BECAME_TECHNICIAN
from aftersales.accounts.models import DataScope, Role, User
from aftersales.fieldservice.models import TechnicianProfile
from aftersales.fieldservice.selectors import suggest_technicians
from aftersales.parts.models import Warehouse, WarehouseKind
from tests.clients import client_for
from tests.factories import RegionFactory, UserFactory

from .helpers import agent, in_progress_ticket, new_job, unit_in_warranty

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select is not None, f"no select named {name}"
    return set(re.findall(r'<option value="(\d+)"', select.group(0)))


def test_the_hook_gives_a_new_technician_a_profile_in_their_region():
    east = RegionFactory(code="east", name="华东")
    user = UserFactory(role=Role.TECHNICIAN, region=east)
    USER_BECAME_TECHNICIAN.send(user=user, actor=None)
    profile = TechnicianProfile.objects.get(user=user)
    assert profile.active and profile.daily_capacity == 4
    assert list(profile.regions.values_list("code", flat=True)) == ["east"]

    profile.daily_capacity = 6
    profile.active = False
    profile.save()
    USER_BECAME_TECHNICIAN.send(user=user, actor=None)  # again: kept, made active again
    profile.refresh_from_db()
    assert (TechnicianProfile.objects.filter(user=user).count(), profile.daily_capacity, profile.active) == (1, 6, True)


def test_a_profile_without_regions_serves_the_technicians_own_region():
    east = RegionFactory(code="east", name="华东")
    handler = agent()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty(), region=east)
    job = new_job(handler=handler, measure=measure, region=east)
    tech = UserFactory(role=Role.TECHNICIAN, region=east)
    TechnicianProfile.objects.create(user=tech)  # no regions set
    suggestion = next(s for s in suggest_technicians(work_order=job) if s.technician == tech)
    assert suggestion.same_region and "other region" not in suggestion.reason


def test_an_administrator_making_a_technician_in_the_admin_gives_them_a_profile():
    """Needs ``UserAdmin.save_model`` to send ``USER_BECAME_TECHNICIAN`` (accounts/admin.py)."""
    east = RegionFactory(code="east", name="华东")
    boss = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    client = client_for(boss)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "tech-new",
            "password1": "a-Long-pass-phrase-2026",
            "password2": "a-Long-pass-phrase-2026",
            "usable_password": "true",
            "display_name": "新师傅",
            "role": Role.TECHNICIAN,
            "data_scope": DataScope.OWN,
            "region": east.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = User.objects.get(username="tech-new")
    assert list(new.technician_profile.regions.values_list("code", flat=True)) == ["east"]

    clerk = UserFactory(role=Role.AGENT, region=east)
    data = {
        "username": clerk.username,
        "first_name": "",
        "last_name": "",
        "email": clerk.email,
        "is_active": "on",
        "display_name": clerk.display_name,
        "role": Role.TECHNICIAN,
        "data_scope": DataScope.OWN,
        "team": "",
        "region": east.pk,
        "phone": "",
        "language": "",
    }
    response = client.post(reverse("admin:accounts_user_change", args=[clerk.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TechnicianProfile.objects.filter(user=clerk).exists()
    agents_edit = client.post(reverse("admin:accounts_user_change", args=[new.pk]), {**data, "username": new.username})
    assert agents_edit.status_code == 302 and TechnicianProfile.objects.filter(user=new).count() == 1


def test_the_profile_admin_offers_technicians_only():
    tech = UserFactory(role=Role.TECHNICIAN)
    clerk = UserFactory(role=Role.AGENT)
    boss = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    html = client_for(boss).get(reverse("admin:fieldservice_technicianprofile_add")).content.decode()
    offered = _options(html, "user")
    assert str(tech.pk) in offered and str(clerk.pk) not in offered and str(boss.pk) not in offered


def test_a_vans_technician_is_chosen_by_name_among_technicians():
    tech = UserFactory(role=Role.TECHNICIAN, display_name="李师傅", username="tech-li")
    gone = UserFactory(role=Role.TECHNICIAN, is_active=False)
    gone_with_van = UserFactory(role=Role.TECHNICIAN, is_active=False)
    van = Warehouse.objects.create(code="van-old", name="旧车", kind=WarehouseKind.VAN, technician=gone_with_van)
    clerk = UserFactory(role=Role.WAREHOUSE)
    boss = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    client = client_for(boss)
    html = client.get(reverse("admin:parts_warehouse_add")).content.decode()
    offered = _options(html, "technician")
    assert str(tech.pk) in offered and str(gone_with_van.pk) in offered
    assert str(gone.pk) not in offered and str(clerk.pk) not in offered
    assert "李师傅 (tech-li)" in html and 'name="technician" type="text"' not in html  # no raw id box
    assert str(gone_with_van.pk) in _options(
        client.get(reverse("admin:parts_warehouse_change", args=[van.pk])).content.decode(), "technician"
    )
