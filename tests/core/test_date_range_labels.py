"""A date range's "From"/"To" is not an e-mail's "From"/"To": the KPI, chargeback and quality
filters say 起始日期/截止日期, the held mail keeps 发件人/收件人."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, pgettext

from aftersales.accounts.models import DataScope, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_two_meanings_translate_apart():
    with translation.override("zh-hans"):
        assert (pgettext("date range", "From"), pgettext("date range", "To")) == ("起始日期", "截止日期")
        assert (gettext("From"), gettext("To")) == ("发件人", "收件人")
    with translation.override("en"):
        assert (pgettext("date range", "From"), pgettext("date range", "To")) == ("From", "To")


@pytest.mark.parametrize("path", ["/dashboard/kpis/", "/dashboard/chargeback/", "/quality/"])
def test_filter_pages_label_the_dates_as_a_range(path: str):
    role = Role.QUALITY_ENGINEER if path == "/quality/" else Role.SUPERVISOR
    client = Client()
    client.force_login(UserFactory(role=role, data_scope=DataScope.ALL))
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "起始日期" in html and "发件人" not in html
