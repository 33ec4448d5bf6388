"""The trip log on the demo: the demo technician's four trips (approved with its labour frozen,
returned with the reason, submitted with a difference flagged, open with a line today); his Today
page offers to log today, finance's counts the log waiting and the list it opens shows it; the
reviewer was told."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.notifications.models import Notification
from aftersales.travel.models import Trip, TripLabour, TripStatus
from aftersales.travel.reconcile import reconcile

pytestmark = pytest.mark.django_db
T = TripStatus


def _client(user: User, language: str = "zh-hans") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def test_the_demo_technician_has_a_trip_in_each_state(demo_output):
    tech = User.objects.get(username="technician")
    trips = {t.status: t for t in Trip.objects.filter(technician=tech)}
    assert set(trips) == {T.APPROVED, T.RETURNED, T.SUBMITTED, T.OPEN}
    assert TripLabour.objects.filter(trip=trips[T.APPROVED]).exists()
    assert trips[T.RETURNED].return_reason
    assert reconcile(trips[T.SUBMITTED]).flagged
    assert trips[T.OPEN].entries.filter(day=clock.local_today()).exists()
    for trip in trips.values():
        assert trip.number in demo_output
    assert Notification.objects.filter(template="travel.trip_submitted").exists()


def test_the_demo_home_pages_show_the_trips(demo_output):
    tech = User.objects.get(username="technician")
    html = _client(tech).get(reverse("desk:home")).content.decode()
    assert html.count('data-test-id="today-trip"') == 2 and 'data-test-id="today-trip-reason"' in html
    finance = User.objects.get(username="finance")
    html = _client(finance, "en").get(reverse("desk:home")).content.decode()
    found = re.search(r'data-test-id="count-trips-to-review">(\d+)<', html)
    assert found and int(found.group(1)) >= 1
    listed = _client(finance).get(reverse("travel:trips") + "?status=submitted").content.decode()
    assert listed.count('data-test-id="trip-row"') == int(found.group(1))
