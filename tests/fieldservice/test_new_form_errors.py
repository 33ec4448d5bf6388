"""The new-work-order form answers a value it did not offer with an error on its field, never a
500 and never a silent default (a skill or region that does not exist, a date that does not)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import Region
from tests.clients import client_for_language

from .helpers import agent, in_progress_ticket, unit_in_warranty, window

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    handler = agent()
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    return handler, ticket, measure


def _post(setup, **changes):
    handler, ticket, measure = setup
    start, end = window()
    data = {
        "measure": measure.pk,
        "appointment_start": start.strftime("%Y-%m-%dT%H:%M"),
        "appointment_end": end.strftime("%Y-%m-%dT%H:%M"),
    } | changes
    return client_for_language(handler, "en").post(reverse("fieldservice:new", args=[ticket.number]), data, follow=True)


@pytest.mark.parametrize("skills", ["x", "999999", "99999999999999999999999"])
def test_a_skill_not_offered_is_refused_on_its_field(setup, skills):
    response = _post(setup, skills=skills)
    assert response.status_code == 200
    assert "Choose the skills from the list." in response.content.decode()
    assert not setup[1].work_orders.exists()


@pytest.mark.parametrize("region", ["99999", "east", "99999999999999999999999"])
def test_a_region_that_does_not_exist_is_refused_not_dropped(setup, region):
    response = _post(setup, region=region)
    assert "Choose the region from the list." in response.content.decode()
    assert not setup[1].work_orders.exists()


def test_no_region_chosen_is_the_tickets_and_an_existing_one_is_kept(setup):
    region = Region.objects.order_by("pk").first() or Region.objects.create(code="north", name="北区")
    assert _post(setup, region=str(region.pk)).redirect_chain
    assert setup[1].work_orders.get().region_id == region.pk


def test_a_date_that_does_not_exist_is_an_error_on_its_field(setup):
    response = _post(setup, appointment_end="2026-02-30T10:00")
    assert response.status_code == 200
    assert "Enter a date and time." in response.content.decode()
    assert not setup[1].work_orders.exists()
