"""The appraisal report offers the register of the right kind: the supplier's field the
suppliers, the responsible party's field the departments, logistics companies and outlets; in
the register's strict mode its help says to choose from the register (a new name is refused)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aftersales.appraisal.states import AppraisalStatus as A
from aftersales.parties.defaults import add_default_departments
from aftersales.parties.models import PartyKind, PartyRegisterSettings
from aftersales.parties.services import party_create
from tests.clients import client_for_language

from .helpers import appraiser, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _register(db: None) -> None:
    add_default_departments()
    party_create(actor=None, kind=PartyKind.SUPPLIER, name="宁波电容厂", code="sup-nb-cap")
    party_create(actor=None, kind=PartyKind.LOGISTICS, name="德邦物流", code="log-debang")


def _datalist(html: str, name: str) -> set[str]:
    found = re.search(rf'<datalist id="{name}"[^>]*>(.*?)</datalist>', html, re.S)
    assert found is not None, name
    return set(re.findall(r'<option value="([^"]+)"', found.group(1)))


def _page(language: str) -> str:
    who = appraiser()
    appraisal = walk(to=A.IN_PROGRESS, who=who)
    return client_for_language(who, language).get(reverse("appraisal:detail", args=[appraisal.pk])).content.decode()


def test_each_field_offers_its_kinds():
    html = _page("en")
    assert 'id="id_supplier"' in html and re.search(
        r'name="supplier"[^>]*list="appraisal-suppliers"|list="appraisal-suppliers"[^>]*name="supplier"', html
    )
    assert _datalist(html, "appraisal-suppliers") == {"sup-nb-cap"}
    others = _datalist(html, "appraisal-parties")
    assert "log-debang" in others and "dep-production" in others and "sup-nb-cap" not in others
    assert "a new name is added to it" in html


@pytest.mark.parametrize(
    ("language", "help_text"),
    [("en", "Choose a party from the register of responsible parties."), ("zh-hans", "请从责任方名录中选择")],
)
def test_in_strict_mode_the_help_says_to_choose_from_the_register(language, help_text):
    PartyRegisterSettings.objects.create(pk=1, only_registered=True)
    html = _page(language)
    assert help_text in html and "a new name is added to it" not in html
