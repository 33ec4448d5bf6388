"""The queue lists only the expense claims its reader may decide: field service decides a claim for
a dispatcher or finance whose data scope holds the claim's work order (``in_scope``), never his
own; the travel app adds its own scope (the technicians the reader sees). A region-scoped
supervisor sees his region's technicians, but decides only the claims on his region's jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.core.errors import PermissionDenied
from aftersales.fieldservice import services as fieldservice
from aftersales.fieldservice.models import ExpenseClaim, ExpenseStatus
from aftersales.fieldservice.permissions import in_scope
from aftersales.travel import selectors
from tests.clients import client_for_language
from tests.factories import RegionFactory

from .factories import claim, finance, job, staff, team_with_leader, technician

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    east, west = RegionFactory(), RegionFactory()
    team, leader = team_with_leader()
    tech = technician(team=team, region=east)
    visitor = technician(region=west)
    return {
        "supervisor": staff(Role.SUPERVISOR, data_scope=DataScope.REGION, region=east),
        "leader": leader,
        "here": claim(tech, "80.00", work_order=job(tech, region=east)),
        "there": claim(tech, "90.00", work_order=job(tech, region=west)),  # his job in the other region
        "visiting": claim(visitor, "70.00", work_order=job(visitor, region=east)),  # not a technician he sees
    }


def rows(html: str) -> set[int]:
    return {c.pk for c in ExpenseClaim.objects.all() if f'data-claim="{c.pk}"' in html}


def test_a_region_scoped_supervisor_is_listed_only_the_claims_he_may_decide(regions):
    boss = regions["supervisor"]
    here, there = regions["here"], regions["there"]
    listed = list(selectors.claim_list(user=boss, statuses=[ExpenseStatus.SUBMITTED], decidable=True))
    assert listed == [here]
    assert all(in_scope(boss, c.work_order) for c in listed)
    # What the queue now leaves out, field service would refuse him.
    with pytest.raises(PermissionDenied):
        fieldservice.expense_claim_decide(claim=there, actor=boss, approve=True)
    client = client_for_language(boss)
    html = client.get(reverse("travel:queue")).content.decode()
    assert rows(html) == {here.pk} and 'data-test-id="claims-scope"' in html
    assert client.post(reverse("travel:claim_decide", args=[there.pk]), {"decision": "approve"}).status_code == 404
    response = client.post(reverse("travel:claim_decide", args=[here.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert ExpenseClaim.objects.get(pk=here.pk).status == ExpenseStatus.APPROVED
    assert ExpenseClaim.objects.get(pk=there.pk).status == ExpenseStatus.SUBMITTED
    # The approved one under the "approved" filter; the other region's never.
    approved = client.get(reverse("travel:queue"), {"claim_status": "approved"}).content.decode()
    assert rows(approved) == {here.pk}


def test_finance_of_every_region_is_listed_every_claim(regions):
    html = client_for_language(finance()).get(reverse("travel:queue")).content.decode()
    assert rows(html) == {regions["here"].pk, regions["there"].pk, regions["visiting"].pk}


def test_a_team_leader_decides_no_claims_and_is_listed_none(regions):
    client = client_for_language(regions["leader"])
    html = client.get(reverse("travel:queue")).content.decode()
    assert 'data-test-id="travel-claims"' not in html and rows(html) == set()
    assert client.post(reverse("travel:claim_decide", args=[regions["here"].pk]), {"decision": "approve"}).status_code == 404
    assert ExpenseClaim.objects.get(pk=regions["here"].pk).status == ExpenseStatus.SUBMITTED
