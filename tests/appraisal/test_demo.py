"""The appraisal demo loader: the appraiser and appraisals at each stage, idempotent."""

from __future__ import annotations

import io

import pytest

from aftersales.accounts.models import DataScope, Role, User
from aftersales.appraisal.models import Appraisal
from aftersales.demo.appraisal import APPRAISER_PASSWORD, APPRAISER_USERNAME, load_appraisal_demo
from tests.appraisal.helpers import ticket_with_unit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_appraisals_at_each_stage_and_idempotent():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    for _ in range(7):
        ticket_with_unit(actor=admin)
    load_appraisal_demo(io.StringIO())
    appraiser = User.objects.get(username=APPRAISER_USERNAME)
    assert appraiser.role == Role.APPRAISER and appraiser.check_password(APPRAISER_PASSWORD)
    statuses = set(Appraisal.objects.values_list("status", flat=True))
    assert statuses == {"requested", "assigned", "in_progress", "reported", "signed", "accepted", "reappraisal"}
    second = Appraisal.objects.get(previous__isnull=False)
    assert second.files.filter(kind="external_report").exists()
    count = Appraisal.objects.count()
    out = io.StringIO()
    load_appraisal_demo(out)
    assert Appraisal.objects.count() == count and out.getvalue()
