"""The province choice of "Start a trip" reads in the page's language: 江苏省 on a Chinese page,
Jiangsu on an English one (Hong Kong, Inner Mongolia, Macao by their English names); the value
sent is the full Chinese name either way, and the trip stores it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aftersales.core import clock
from aftersales.travel.models import Trip
from tests.clients import client_for_language

from .factories import technician

pytestmark = pytest.mark.django_db


def _options(html: str) -> dict[str, str]:
    select = html[html.index('name="province"') : html.index("</select>", html.index('name="province"'))]
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_the_provinces_read_in_the_pages_language():
    tech = technician()
    english = _options(client_for_language(tech, "en").get(reverse("travel:trips_mine")).content.decode())
    assert english["江苏省"] == "Jiangsu" and english["香港特别行政区"] == "Hong Kong"
    assert english["内蒙古自治区"] == "Inner Mongolia" and english["澳门特别行政区"] == "Macao"
    assert not any(re.search(r"[\u4e00-\u9fff]", label) for label in english.values())
    chinese = _options(client_for_language(tech).get(reverse("travel:trips_mine")).content.decode())
    assert chinese["江苏省"] == "江苏省" and len(chinese) == len(english) == 35


def test_an_english_page_still_sends_the_chinese_name():
    tech = technician()
    client = client_for_language(tech, "en")
    page = client.get(reverse("travel:trips_mine")).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    today = clock.local_today().isoformat()
    response = client.post(
        reverse("travel:trips_mine"),
        {
            "province": "江苏省",
            "city": "苏州",
            "purpose": "repair",
            "planned_from": today,
            "planned_until": today,
            "idempotency_key": key.group(1),
        },
    )
    assert response.status_code == 302
    assert Trip.objects.get(technician=tech).province == "江苏省"
