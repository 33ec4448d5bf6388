"""Each role lands on its own home page ("/" after signing in), in Chinese and in English, with
the header's links of that role; the pages refuse the roles they are not for."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from tests.clients import client_for
from tests.desk.conftest import world  # noqa: F401 - the shared set-up of tickets
from tests.factories import CustomerFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

# role → (the page's mark, its heading in Chinese, in English, a card or tile title in both)
HOMES = {
    Role.AGENT: ("workbench", "工作台", "Workbench", ("我的工单", "My queue")),
    Role.QUALITY_MANAGER: ("workbench", "工作台", "Workbench", ("待我处理", "Waiting for me")),
    Role.TECHNICIAN: ("today", "今日", "Today", ("今天没有任务。", "No jobs today.")),
    Role.WAREHOUSE: ("warehouse-counts", "仓库工作台", "Warehouse desk", ("待审批领料单", "Requisitions to approve")),
    Role.SUPERVISOR: ("team-cards", "团队概况", "Team view", ("待我审批", "Approvals waiting for me")),
    Role.ADMINISTRATOR: ("admin-links", "总览", "Overview", ("无区域", "No region")),
}


def _english(client: Client) -> Client:
    client.cookies.load({"django_language": "en"})
    return client


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_home_page_in_both_languages(role):
    mark, zh_title, en_title, (zh_text, en_text) = HOMES[role]
    user = UserFactory(role=role, data_scope=DataScope.ALL, region=RegionFactory())
    client = client_for(user)
    assert client.get("/").url == reverse("desk:home")
    zh = client.get("/", follow=True).content.decode()
    assert f'data-test-id="{mark}"' in zh
    assert f"<h1>{zh_title}" in zh and zh_text in zh
    assert en_text not in zh and f">{en_title}<" not in zh
    en = _english(client).get(reverse("desk:home")).content.decode()
    assert f'data-test-id="{mark}"' in en
    assert f"<h1>{en_title}" in en and en_text in en
    assert zh_text not in en


def test_signing_in_leads_to_the_home_page():
    tech = UserFactory(role=Role.TECHNICIAN, username="tech-li")
    response = Client().post(reverse("accounts:login"), {"username": "tech-li", "password": "correct-horse-battery"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("desk:home")
    assert 'data-test-id="today"' in response.content.decode()
    assert tech.is_authenticated


@pytest.mark.parametrize(
    ("role", "landing", "mark"),
    [
        (Role.APPRAISER, "/appraisal/", "appraisal"),
        (Role.MARKETING, "/compensation/#compensation-to-fulfil", "queue-to-fulfil"),
        (Role.QUALITY_ENGINEER, "/quality/", "nav-quality"),
    ],
)
def test_roles_whose_work_is_one_list_land_on_it_not_on_the_ticket_list(role, landing, mark):
    client = client_for(UserFactory(role=role, data_scope=DataScope.ALL))
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302 and response.url == landing
    page = client.get(landing.split("#")[0])
    assert page.status_code == 200 and f'data-test-id="{mark}' in page.content.decode()


def test_the_technicians_header_has_today_work_orders_and_van_and_no_intake():
    html = client_for(UserFactory(role=Role.TECHNICIAN)).get(reverse("desk:home")).content.decode()
    nav = html[html.index('data-test-id="site-nav"') : html.index("</nav>")]
    assert [test_id for test_id in ("nav-home", "nav-my-jobs", "nav-van", "nav-notifications") if test_id in nav] == [
        "nav-home",
        "nav-my-jobs",
        "nav-van",
        "nav-notifications",
    ]
    assert ">今日<" in nav and ">派工单<" in nav and ">随车库存<" in nav
    for absent in ("nav-intake", "nav-tickets", "nav-dispatch", "new-intake"):
        assert f'data-test-id="{absent}"' not in html, absent


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        (Role.AGENT, ["nav-home", "nav-tickets", "nav-intake"], ["nav-parts", "nav-van"]),
        (Role.WAREHOUSE, ["nav-home", "nav-parts", "nav-requisitions"], ["nav-intake", "nav-tickets", "nav-van"]),
        (Role.SUPERVISOR, ["nav-home", "nav-tickets", "nav-dashboard", "nav-intake"], ["nav-van"]),
        (Role.MARKETING, ["nav-tickets"], ["nav-home", "nav-intake", "nav-parts"]),
    ],
)
def test_the_header_links_follow_the_role(role, present, absent):
    html = client_for(UserFactory(role=role, data_scope=DataScope.ALL)).get(reverse("notifications:inbox")).content.decode()
    for test_id in present:
        assert f'data-test-id="{test_id}"' in html, test_id
    for test_id in absent:
        assert f'data-test-id="{test_id}"' not in html, test_id


def test_each_page_refuses_the_roles_it_is_not_for():
    agent = client_for(UserFactory(role=Role.AGENT, data_scope=DataScope.ALL))
    tech = client_for(UserFactory(role=Role.TECHNICIAN))
    assert agent.get(reverse("desk:today")).status_code == 403
    assert agent.get(reverse("desk:warehouse")).status_code == 403
    assert agent.get(reverse("desk:team")).status_code == 403
    assert tech.get(reverse("desk:team")).status_code == 403
    assert tech.get(reverse("desk:workbench")).status_code == 200  # a handler's bench: empty for them
    customer = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=customer)
    assert client_for(customer).get(reverse("desk:home")).status_code == 403
    assert client_for(customer).get("/").url == reverse("portal:home")
    anonymous = Client().get(reverse("desk:home"))
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("accounts:login"))


def test_the_workbench_page_shows_the_counts_and_links_of_its_cards(world):  # noqa: F811
    html = client_for(world.me).get(reverse("desk:home")).content.decode()
    assert 'data-test-id="count-mine" data-total="6"' in html
    assert 'data-test-id="count-due_soon" data-total="2"' in html
    assert f'href="{reverse("tickets:list")}?queue=due_soon&amp;assignee={world.me.pk}"' in html
    assert f'data-number="{world.waiting.number}"' in html
    assert 'data-test-id="new-intake"' in html


@pytest.mark.parametrize(("page", "most"), [("workbench", 13), ("team", 17)])  # the selectors, session, user, unread count
def test_the_home_pages_run_a_bounded_number_of_queries(world, page, most, django_assert_max_num_queries):  # noqa: F811
    client = client_for(world.boss)
    client.get(reverse(f"desk:{page}"))  # the session's first page remembers the navigation's permission
    with django_assert_max_num_queries(most):
        assert client.get(reverse(f"desk:{page}")).status_code == 200
