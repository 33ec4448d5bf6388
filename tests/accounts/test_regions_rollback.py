"""The cached region table and transactions: a change reaches the shared cache only when it
commits; a rolled-back change leaves the committed table in place, and the changing transaction
alone sees its own table meanwhile."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from aftersales.accounts.models import RegionArea
from aftersales.accounts.regions import CACHE_KEY, region_for
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db(transaction=True)  # real commits and rollbacks


class Undone(Exception):
    pass


@pytest.fixture
def east_and_central():
    east, central = RegionFactory(code="east", name="华东"), RegionFactory(code="central", name="华中")
    RegionArea.objects.create(region=east, province="江苏")
    cache.delete(CACHE_KEY)
    assert region_for(province="江苏") == east  # the committed table, cached
    return east, central


def test_a_rolled_back_change_leaves_the_committed_table_cached(east_and_central):
    east, central = east_and_central

    with pytest.raises(Undone), transaction.atomic():
        RegionArea.objects.filter(province="江苏省").update(region=central)
        area = RegionArea.objects.get(province="江苏省")
        area.save()  # through the model: the signal of a change
        assert region_for(province="江苏") == central  # the transaction sees its own change …
        assert cache.get(CACHE_KEY).region_id_for("江苏", "") == east.pk  # … nobody else does
        raise Undone

    assert region_for(province="江苏") == east
    assert cache.get(CACHE_KEY).region_id_for("江苏", "") == east.pk


def test_a_rolled_back_savepoint_inside_a_committed_transaction(east_and_central):
    east, central = east_and_central

    with transaction.atomic():
        with pytest.raises(Undone), transaction.atomic():
            RegionArea.objects.create(region=central, province="湖北")
            assert region_for(province="湖北") == central
            raise Undone
        assert region_for(province="湖北") is None  # the savepoint's change is gone here too

    assert region_for(province="湖北") is None
    assert region_for(province="江苏") == east


def test_a_committed_change_is_everybodys_after_the_commit(east_and_central):
    _east, central = east_and_central

    with transaction.atomic():
        RegionArea.objects.create(region=central, province="湖北")
        assert region_for(province="湖北") == central
        assert cache.get(CACHE_KEY).region_id_for("湖北", "") is None  # not before the commit

    assert cache.get(CACHE_KEY) is None  # cleared by the commit
    assert region_for(province="湖北") == central
    assert cache.get(CACHE_KEY).region_id_for("湖北", "") == central.pk
