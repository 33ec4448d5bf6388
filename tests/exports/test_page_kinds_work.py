"""The export kinds of the appraisal queue, the dispatch board, the technician's jobs, the
knowledge base and the imports list: the rows are what the page shows that user (scope and
masking), another region's rows are absent, and the page has the button."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.exports.registry import KINDS, kind_for_user
from aftersales.fieldservice.permissions import site_details
from aftersales.knowledge.models import ArticleStatus
from tests.api.conftest import api_client
from tests.appraisal.helpers import A, ticket_with_unit, walk
from tests.appraisal.helpers import appraiser as make_appraiser
from tests.clients import client_for
from tests.factories import RegionFactory, UserFactory
from tests.fieldservice.helpers import agent, dispatcher, in_progress_ticket, new_job, technician, walk_to
from tests.imports.helpers import csv_bytes, upload
from tests.knowledge.helpers import draft, published, reviewer
from tests.knowledge.helpers import writer as make_writer

from .helpers import column, export_sheet

pytestmark = pytest.mark.django_db

NEW_KINDS = {
    "appraisal_queue": "appraisal:queue",
    "dispatch_board": "fieldservice:board",
    "my_jobs": "fieldservice:my_jobs",
    "knowledge_articles": "knowledge:list",
    "knowledge_review": "knowledge:review",
    "imports": "imports:list",
    "parts_low_stock": "parts:low_stock",
    "parts_catalogue": "parts:catalogue",
    "parts_ledger": "parts:ledger",
    "parts_returns": "parts:returns",
    "parts_faulty": "parts:faulty",
    "parts_transfers": "parts:transfers",
    "parts_van": "parts:van",
    "quality_fault_rates": "quality:overview",
    "quality_pareto_causes": "quality:overview",
    "quality_pareto_components": "quality:overview",
    "quality_time_to_failure": "quality:overview",
    "quality_fault_tickets": "quality:tickets",
    "quality_first_time_fix": "quality:ftf",
    "quality_repeat_repairs": "quality:ftf",
    "quality_change_archive": "quality:archive",
}


def has_button(user, url: str, kind: str) -> bool:  # type: ignore[no-untyped-def]
    response = client_for(user).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return f'data-kind="{kind}"' in response.content.decode()


def test_every_page_kind_is_registered_with_its_page_and_refused_to_customers():
    customer = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN)
    for key, page in NEW_KINDS.items():
        assert KINDS[key].page == page
        reverse(page)
        assert kind_for_user(key, customer) is None


def test_the_api_kind_list_picks_the_new_kinds_up():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_superuser=True, language="en")
    listed = api_client(admin, scopes=("exports:write",)).get("/api/v1/exports/kinds")
    assert listed.status_code == 200
    keys = {k["kind"] for k in listed.json()}
    assert set(NEW_KINDS) - {"my_jobs", "parts_van"} <= keys  # those two are the technician's own
    tech = technician()
    keys = {k["kind"] for k in api_client(tech, scopes=("exports:write",)).get("/api/v1/exports/kinds").json()}
    assert {"my_jobs", "parts_van"} <= keys and "imports" not in keys


def test_appraisal_queue_is_mine_then_the_unassigned_of_my_region():
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    who = make_appraiser(data_scope=DataScope.REGION, region=east, language="en")
    mine = walk(to=A.ASSIGNED, who=who, ticket=ticket_with_unit(region=west))  # assigned to me: shown whatever the region
    here = walk(to=A.REQUESTED, ticket=ticket_with_unit(region=east))
    there = walk(to=A.REQUESTED, ticket=ticket_with_unit(region=west))
    sheet, rows = export_sheet("appraisal_queue", who)
    assert rows == 2
    assert column(sheet, "Number") == [mine.number, here.number]
    assert there.number not in column(sheet, "Number")
    assert column(sheet, "Queue") == ["Assigned to me", "Unassigned requests"]
    assert has_button(who, reverse("appraisal:queue"), "appraisal_queue")


def test_dispatch_board_keeps_its_day_and_region_and_the_dispatchers_scope():
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    handler = agent()
    east_job = new_job(handler=handler, measure=in_progress_ticket(actor=handler, region=east)[1])
    west_job = new_job(handler=handler, measure=in_progress_ticket(actor=handler, region=west)[1])
    scoped = dispatcher(data_scope=DataScope.REGION, region=east, language="en")
    sheet, _rows = export_sheet("dispatch_board", scoped)
    assert column(sheet, "Number") == [east_job.number]
    everyone = dispatcher(language="en")
    sheet, _rows = export_sheet("dispatch_board", everyone)
    assert set(column(sheet, "Number")) == {east_job.number, west_job.number}
    sheet, _rows = export_sheet("dispatch_board", everyone, {"region": "west"})
    assert column(sheet, "Number") == [west_job.number]
    assert column(sheet, "List") == ["To dispatch"]
    assert has_button(scoped, reverse("fieldservice:board"), "dispatch_board")


def test_my_jobs_are_the_technicians_own_with_the_address_as_the_page_shows_it():
    handler, boss = agent(), dispatcher()
    tech, other = technician(language="en"), technician()
    job = walk_to(new_job(handler=handler, measure=in_progress_ticket(actor=handler)[1]), "dispatched", boss=boss, tech=tech)
    walk_to(new_job(handler=handler, measure=in_progress_ticket(actor=handler)[1]), "dispatched", boss=boss, tech=other)
    sheet, _rows = export_sheet("my_jobs", tech)
    assert column(sheet, "Number") == [job.number]
    assert column(sheet, "Address") == [site_details(tech, job)["address"]] == [job.address]
    assert kind_for_user("my_jobs", boss) is None  # a dispatcher has no jobs of their own
    assert has_button(tech, reverse("fieldservice:my_jobs"), "my_jobs")


def test_knowledge_list_follows_the_search_and_the_readers_copy_and_the_review_queue_is_for_reviewers():
    author = make_writer(language="en")
    live = published(author=author, title="室内机漏水的排查", keywords="漏水")
    other = published(author=author, title="外机噪音大", body="检查风扇叶片与压缩机垫脚。", keywords="噪音")
    pending = draft(author=author, title="新草稿", body="草稿正文", keywords="草稿")
    reader = UserFactory(role=Role.APPRAISER, data_scope=DataScope.OWN, language="en")  # reads the live versions only
    sheet, _rows = export_sheet("knowledge_articles", reader, {"q": "漏水"})
    assert column(sheet, "Title") == [live.title]
    sheet, _rows = export_sheet("knowledge_articles", reader)
    titles = column(sheet, "Title")
    assert set(titles) == {live.title, other.title} and pending.title not in titles  # a draft is not live
    sheet, _rows = export_sheet("knowledge_articles", author, {"status": ArticleStatus.DRAFT})
    assert column(sheet, "Title") == [pending.title]
    assert has_button(reader, reverse("knowledge:list") + "?q=漏水", "knowledge_articles")
    assert kind_for_user("knowledge_review", reader) is None
    from aftersales.knowledge.services import article_submit

    article_submit(article=pending, actor=author, expected_version=pending.version)
    boss = reviewer(language="en")
    sheet, _rows = export_sheet("knowledge_review", boss)
    assert column(sheet, "Title") == [pending.title]
    assert has_button(boss, reverse("knowledge:review"), "knowledge_review")


def test_imports_list_shows_the_kinds_the_user_may_import():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, language="en")
    quality = UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL, language="en")
    customers = upload(admin, "customers", csv_bytes([["姓名", "手机号"], ["张三", "13800000001"]]), name="客户.csv")
    units = upload(quality, "units", csv_bytes([["序列号", "型号"], ["SN1", "NOPE"]]), name="units.csv")
    sheet, _rows = export_sheet("imports", admin)
    assert set(column(sheet, "File")) == {customers.original_name, units.original_name}
    sheet, _rows = export_sheet("imports", quality)  # customers' personal data is not theirs to see
    assert column(sheet, "File") == [units.original_name]
    assert column(sheet, "Rows with errors") == [1]
    assert kind_for_user("imports", UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)) is None
    assert has_button(quality, reverse("imports:list"), "imports")
