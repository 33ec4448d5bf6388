"""The region table: which region serves an address, however the province is written; a city's
row before its province's; the cached table follows every change; the admin edits it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import Region, RegionArea, Role
from aftersales.accounts.provinces import city_key, province_name
from aftersales.accounts.regions import CACHE_KEY, RegionTable, region_by_id, region_for
from aftersales.demo import data
from tests.factories import RegionFactory, UserFactory


def demo_regions() -> dict[str, Region]:
    """The demo's seven regions, each with its provinces as rows (as demo_data creates them)."""
    regions = {}
    for code, name, _en, provinces in data.REGIONS:
        regions[code] = RegionFactory(code=code, name=name)
        for province in provinces:
            RegionArea.objects.create(region=regions[code], province=province)
    return regions


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("江苏", "江苏省"),
        ("江苏省", "江苏省"),
        (" 江苏 省 ", "江苏省"),
        ("Jiangsu", "江苏省"),
        ("JIANGSU PROVINCE", "江苏省"),
        ("上海", "上海市"),
        ("上海市", "上海市"),
        ("Shanghai", "上海市"),
        ("Shanghai Shi", "上海市"),
        ("广西", "广西壮族自治区"),
        ("广西壮族自治区", "广西壮族自治区"),
        ("Guangxi Zhuang Autonomous Region", "广西壮族自治区"),
        ("内蒙古", "内蒙古自治区"),
        ("Inner Mongolia", "内蒙古自治区"),
        ("Nei Mongol", "内蒙古自治区"),
        ("新疆", "新疆维吾尔自治区"),
        ("Tibet", "西藏自治区"),
        ("Hong Kong SAR", "香港特别行政区"),
        ("Shaanxi", "陕西省"),
        ("Shanxi", "山西省"),
        ("江苏南京市玄武区", "江苏省"),  # the whole address typed into the province field
        ("ＪＩＡＮＧＳＵ", "江苏省"),  # full-width letters from a Chinese input method
        ("火星", ""),
        ("", ""),
    ],
)
def test_province_names_are_normalised(typed, official):
    assert province_name(typed) == official


@pytest.mark.parametrize(
    ("typed", "key"), [("苏州市", "苏州"), ("苏州", "苏州"), (" Suzhou City ", "suzhou"), ("suzhou", "suzhou"), ("", "")]
)
def test_city_names_are_normalised(typed, key):
    assert city_key(typed) == key


@pytest.mark.django_db
def test_the_province_as_customers_type_it_finds_its_region():
    regions = demo_regions()
    for province in ("江苏", "江苏省", "jiangsu", "上海", "上海市", "Shanghai"):
        assert region_for(province=province) == regions["east"], province
    assert region_for(province="广西") == regions["south"]
    assert region_for(province="Inner Mongolia", city="呼和浩特") == regions["north"]
    assert region_for(province="西藏自治区") == regions["southwest"]
    # A municipality typed only as the city.
    assert region_for(city="上海市") == regions["east"]
    # Nothing to go on, or a place no row serves: no region.
    assert region_for() is None
    assert region_for(province="火星", city="奥林匹斯") is None
    assert region_for(province="台湾") is None


@pytest.mark.django_db
def test_a_city_row_wins_over_its_province_row():
    regions = demo_regions()
    suzhou_office = RegionFactory(code="suzhou", name="苏州办")
    RegionArea.objects.create(region=suzhou_office, province="江苏", city="苏州市")
    assert RegionArea.objects.get(region=suzhou_office).province == "江苏省"  # stored normalised
    assert RegionArea.objects.get(region=suzhou_office).city == "苏州"
    assert region_for(province="江苏省", city="苏州") == suzhou_office
    assert region_for(province="Jiangsu", city="苏州市") == suzhou_office
    assert region_for(province="江苏", city="苏州市吴中区") == suzhou_office  # the district typed with the city
    assert region_for(province="江苏", city="南京市") == regions["east"]  # the rest of the province
    assert region_for(province="江苏") == regions["east"]
    # A city alone finds its row when only one region has a row for it.
    assert region_for(city="苏州市") == suzhou_office


@pytest.mark.django_db
def test_a_province_and_city_belong_to_one_region_only():
    first, second = RegionFactory(code="a"), RegionFactory(code="b")
    RegionArea.objects.create(region=first, province="江苏")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionArea.objects.create(region=second, province="江苏省")  # the same province, written otherwise
    RegionArea.objects.create(region=second, province="Jiangsu", city="Suzhou")  # a city of it may differ


@pytest.mark.django_db
def test_the_table_is_read_once_then_answers_without_a_query():
    regions = demo_regions()
    assert region_for(province="江苏") == regions["east"]
    with CaptureQueriesContext(connection) as queries:
        for province in ("江苏", "浙江省", "广东", "火星"):
            region_for(province=province, city="某市")
        assert region_by_id(regions["south"].pk) == regions["south"]
    assert len(queries) == 0
    found = region_for(province="江苏")
    assert (found.code, found.name) == ("east", "华东")  # a full instance: no query to read it


@pytest.mark.django_db
def test_the_cached_table_follows_saves_and_deletes():
    regions = demo_regions()
    assert region_for(province="江苏") == regions["east"]
    area = RegionArea.objects.get(province="江苏省")
    area.region = regions["central"]
    area.save()
    assert region_for(province="江苏") == regions["central"]
    area.delete()
    assert region_for(province="江苏") is None
    RegionArea.objects.create(region=regions["east"], province="江苏")
    assert region_for(province="江苏") == regions["east"]
    regions["east"].name = "华东大区"
    regions["east"].save()
    assert region_for(province="江苏").name == "华东大区"
    Region.objects.filter(pk=regions["northeast"].pk).delete()  # its areas go with it
    assert region_for(province="辽宁") is None


@pytest.mark.django_db
def test_the_cache_is_cleared_again_when_the_change_commits(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    region = RegionFactory(code="east")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        RegionArea.objects.create(region=region, province="江苏")
    # Another request cached the (committed) table it read meanwhile; this transaction's own lookup
    # sees its change and leaves the shared cache alone (it may still be rolled back).
    cache.set(CACHE_KEY, RegionTable(regions={}, provinces={}, cities={}, lone_cities={}))
    assert region_for(province="江苏") == region
    assert cache.get(CACHE_KEY).provinces == {}
    for callback in callbacks:
        callback()
    assert cache.get(CACHE_KEY) is None


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db) -> Client:  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def _region_post(**areas: tuple[str, str]) -> dict[str, str]:
    post = {
        "code": "east",
        "name": "华东",
        "parent": "",
        "areas-TOTAL_FORMS": str(len(areas)),
        "areas-INITIAL_FORMS": "0",
        "areas-MIN_NUM_FORMS": "0",
        "areas-MAX_NUM_FORMS": "1000",
    }
    for index, (province, city) in enumerate(areas.values()):
        post[f"areas-{index}-province"] = province
        post[f"areas-{index}-city"] = city
    return post


def test_the_admin_edits_a_regions_provinces_and_cities_inline(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_region_add"), _region_post(a=("江苏", ""), b=("Shanghai", ""), c=("浙江省", "杭州市"))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    region = Region.objects.get(code="east")
    assert set(region.areas.values_list("province", "city")) == {("江苏省", ""), ("上海市", ""), ("浙江省", "杭州")}
    assert region_for(province="上海") == region
    listing = admin_client.get(reverse("admin:accounts_region_changelist"))
    assert "江苏省" in listing.content.decode() and "浙江省 杭州" in listing.content.decode()


def test_the_admin_refuses_an_unknown_province_and_one_place_written_twice(admin_client):
    response = admin_client.post(reverse("admin:accounts_region_add"), _region_post(a=("火星", "")))
    assert response.status_code == 200
    assert not Region.objects.filter(code="east").exists()
    response = admin_client.post(reverse("admin:accounts_region_add"), _region_post(a=("江苏", ""), b=("江苏省", "")))
    assert response.status_code == 200  # a form error, not a database error
    assert not RegionArea.objects.exists()
    other = RegionFactory(code="central")
    RegionArea.objects.create(region=other, province="江苏")
    response = admin_client.post(reverse("admin:accounts_region_add"), _region_post(a=("Jiangsu", "")))
    assert response.status_code == 200
    assert list(RegionArea.objects.values_list("region__code", flat=True)) == ["central"]


def test_the_admin_lists_and_searches_the_whole_table(admin_client):
    regions = demo_regions()
    response = admin_client.get(reverse("admin:accounts_regionarea_changelist"), {"q": "Jiangsu"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "江苏省" in page and "广东省" not in page
    response = admin_client.get(reverse("admin:accounts_region_changelist"), {"q": "广西"})
    page = response.content.decode()
    assert "华南" in page and "华东" not in page
    assert admin_client.get(reverse("admin:accounts_region_change", args=[regions["east"].pk])).status_code == 200


# --- The data migration --------------------------------------------------------------------------


# The two migrations under test, in the order they apply. Migrating to ("accounts", "0002") would
# unapply every migration of every app that depends on a later accounts migration (most of the
# project) and apply them all again (over a minute on SQLite); the test's subject is these two,
# so they alone are unapplied and applied again, through the executor as `migrate` does.
REGION_MIGRATIONS = [("accounts", "0003_regionarea_from_provinces"), ("accounts", "0004_remove_region_provinces")]


def _region_columns() -> set[str]:
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, "accounts_region")}


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_provinces_lists_into_rows():
    executor = MigrationExecutor(connection)
    nodes = [executor.loader.graph.nodes[key] for key in REGION_MIGRATIONS]
    executor.migrate(None, plan=[(migration, True) for migration in reversed(nodes)])
    assert "provinces" in _region_columns()
    old = executor.loader.project_state([("accounts", "0002_regionarea")]).apps
    OldRegion = old.get_model("accounts", "Region")
    OldRegion.objects.create(code="east", name="华东", provinces=["上海市", "江苏", "Zhejiang"])
    OldRegion.objects.create(code="south", name="华南", provinces=["广东省", "江苏省"])  # 江苏 listed twice
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    nodes = [executor.loader.graph.nodes[key] for key in REGION_MIGRATIONS]
    executor.migrate(None, plan=[(migration, False) for migration in nodes])
    fresh = MigrationExecutor(connection)
    assert not fresh.migration_plan(fresh.loader.graph.leaf_nodes())  # back where the database was
    assert "provinces" not in _region_columns()
    rows = set(RegionArea.objects.values_list("region__code", "province", "city"))
    assert rows == {("east", "上海市", ""), ("east", "江苏省", ""), ("east", "浙江省", ""), ("south", "广东省", "")}
    assert "provinces" not in {f.name for f in Region._meta.get_fields()}
