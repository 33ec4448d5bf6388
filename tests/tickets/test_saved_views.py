"""Saved views of the ticket list (我的视图): the services' rules, who sees which view, the list
page's bar and "Save this view" in both languages, its query budget, the manage page."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import override

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.tickets.forms import TicketListFilterForm
from aftersales.tickets.models import SavedView, ViewSharing
from aftersales.tickets.saved_view_bar import BAR_TEMPLATE, list_bar, render_bar
from aftersales.tickets.saved_view_filters import FILTER_KEYS, canonical_filters
from aftersales.tickets.selectors import saved_view_get_for_user, saved_views_for_user
from aftersales.tickets.services import (
    saved_view_create,
    saved_view_delete,
    saved_view_move,
    saved_view_set_start,
    saved_view_update,
    saved_views_reorder,
)
from aftersales.tickets.services import saved_views as saved_view_services
from tests.clients import client_for
from tests.factories import TeamFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")
MANAGE = reverse("tickets:saved_views")
SAVE = reverse("tickets:saved_view_save")


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def agent(team):
    return UserFactory(role=Role.AGENT, data_scope=DataScope.TEAM, team=team)


@pytest.fixture
def supervisor(team):
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, team=team)


def _errors(exc: ValidationFailed) -> dict[str, str]:
    return {field: str(messages[0]) for field, messages in exc.errors.items()}


# --- The filters as a view keeps them -----------------------------------------------------------


def test_filters_are_normalised_so_that_the_same_list_gives_the_same_view(agent):
    view = saved_view_create(
        actor=agent, name="  紧急   电话  ", filters="?sort=priority&cursor=abc&status=open&priority=1&q=+漏水+&channel=hotline"
    )
    assert view.name == "紧急 电话"
    assert view.filters == "priority=1&channel=hotline&sort=priority"  # the form's order; status=open is the default
    assert view.search == "漏水"
    assert view.query_string == "priority=1&channel=hotline&sort=priority&q=%E6%BC%8F%E6%B0%B4"
    assert canonical_filters({"status": "open", "sort": "due"}) == ("", "")
    event = AuditEvent.objects.get(action="saved_view.created")
    assert event.actor == agent and event.object_id == str(view.pk)
    assert "漏水" not in str(event.changes)  # what was typed in the search stays out of the log


def test_the_saved_filters_accept_exactly_what_the_list_form_accepts():
    assert set(FILTER_KEYS) == set(TicketListFilterForm.base_fields)
    for name, field in TicketListFilterForm.base_fields.items():
        if isinstance(field, forms.ChoiceField):
            for value, _label in field.choices:
                if value != "":
                    assert canonical_filters({name: str(value)}, strict=True) is not None
            with pytest.raises(ValidationFailed):
                canonical_filters({name: "no-such-value"})
    for name in ("category", "region", "team"):
        assert canonical_filters({name: "0"}) == (f"{name}=0", "")
    for params in ({"assignee": "0"}, {"region": "-1"}, {"team": "x"}, {"priority": "9"}):
        with pytest.raises(ValidationFailed):
            canonical_filters(params)
        assert canonical_filters(params, strict=False) == ("", "")


@pytest.mark.parametrize(
    "filters, fragment",
    [
        ("status=bogus", "bogus"),
        ("priority=7", "7"),
        ("statuss=open", "statuss"),
        ("q=" + "长" * 101, "100"),
    ],
)
def test_filters_the_list_does_not_accept_are_refused_naming_the_field(agent, filters, fragment):
    with pytest.raises(ValidationFailed) as caught:
        saved_view_create(actor=agent, name="坏的", filters=filters)
    errors = _errors(caught.value)
    assert list(errors) == ["filters"] and fragment in errors["filters"]
    assert not SavedView.objects.exists()


# --- Names and sharing ---------------------------------------------------------------------------


def test_name_is_required_at_most_forty_characters_and_unique_per_owner(agent, supervisor):
    for name, code in (
        ("", "saved_view_name_required"),
        ("   ", "saved_view_name_required"),
        ("名" * 41, "saved_view_name_too_long"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            saved_view_create(actor=agent, name=name, filters="")
        assert caught.value.code == code and list(caught.value.errors) == ["name"]
    saved_view_create(actor=agent, name="名" * 40, filters="")
    saved_view_create(actor=agent, name="我的", filters="")
    with pytest.raises(ValidationFailed) as caught:
        saved_view_create(actor=agent, name="我的", filters="status=all")
    assert caught.value.code == "saved_view_name_taken" and list(caught.value.errors) == ["name"]
    saved_view_create(actor=supervisor, name="我的", filters="")  # another owner may use it


def test_sharing_with_the_team_needs_a_team_and_with_everyone_a_leader(agent, supervisor):
    loner = UserFactory(role=Role.AGENT)
    with pytest.raises(ValidationFailed) as caught:
        saved_view_create(actor=loner, name="组", filters="", sharing=ViewSharing.TEAM)
    assert caught.value.code == "saved_view_no_team" and list(caught.value.errors) == ["sharing"]
    with pytest.raises(ValidationFailed) as caught:
        saved_view_create(actor=agent, name="全员", filters="", sharing=ViewSharing.EVERYONE)
    assert caught.value.code == "saved_view_sharing_not_allowed" and list(caught.value.errors) == ["sharing"]
    with pytest.raises(ValidationFailed) as caught:
        saved_view_create(actor=agent, name="怪", filters="", sharing="world")
    assert list(caught.value.errors) == ["sharing"]
    assert saved_view_create(actor=agent, name="组", filters="", sharing=ViewSharing.TEAM).sharing == "team"
    admin = UserFactory(role=Role.ADMINISTRATOR)
    assert saved_view_create(actor=supervisor, name="全员", filters="", sharing=ViewSharing.EVERYONE).sharing == "everyone"
    assert saved_view_create(actor=admin, name="全员", filters="", sharing=ViewSharing.EVERYONE).sharing == "everyone"


def test_a_customer_keeps_no_views():
    customer = UserFactory(role=Role.CUSTOMER)
    with pytest.raises(PermissionDenied):
        saved_view_create(actor=customer, name="x", filters="")
    assert saved_views_for_user(user=customer).all == []


def test_an_owner_has_at_most_the_limit_of_views(agent, monkeypatch):
    monkeypatch.setattr(saved_view_services, "MAX_VIEWS_PER_OWNER", 2)
    saved_view_create(actor=agent, name="一", filters="")
    saved_view_create(actor=agent, name="二", filters="")
    with pytest.raises(ValidationFailed) as caught:
        saved_view_create(actor=agent, name="三", filters="")
    assert caught.value.code == "saved_view_limit"


# --- Changes: only the owner; versions; audit ----------------------------------------------------


def test_only_the_owner_changes_a_view_and_each_change_is_audited(agent, supervisor):
    view = saved_view_create(actor=agent, name="我的", filters="status=all", sharing=ViewSharing.TEAM)
    with pytest.raises(PermissionDenied):
        saved_view_update(actor=supervisor, view=view, name="他的")
    changed = saved_view_update(actor=agent, view=view, name="我的急单", filters="priority=1&q=张伟", expected_version=1)
    assert (changed.name, changed.filters, changed.search, changed.version) == ("我的急单", "priority=1", "张伟", 2)
    event = AuditEvent.objects.get(action="saved_view.updated")
    assert event.changes["name"] == ["我的", "我的急单"] and event.changes["filters"] == ["status=all", "priority=1"]
    assert "张伟" not in str(event.changes)
    with pytest.raises(Conflict):
        saved_view_update(actor=agent, view=changed, name="又改", expected_version=1)
    # Nothing changed: no new version, no audit row.
    same = saved_view_update(actor=agent, view=changed, name="我的急单")
    assert same.version == 2 and AuditEvent.objects.filter(action="saved_view.updated").count() == 1
    other = saved_view_create(actor=agent, name="别的", filters="")
    with pytest.raises(ValidationFailed) as caught:
        saved_view_update(actor=agent, view=other, name="我的急单")
    assert list(caught.value.errors) == ["name"]


def test_the_owner_deletes_and_an_administrator_deletes_only_shared_views(agent, supervisor, team):
    admin = UserFactory(role=Role.ADMINISTRATOR, team=team)
    private = saved_view_create(actor=agent, name="私", filters="")
    shared = saved_view_create(actor=agent, name="组", filters="", sharing=ViewSharing.TEAM)
    with pytest.raises(PermissionDenied):
        saved_view_delete(actor=supervisor, view=shared)  # a supervisor is not the owner
    with pytest.raises(PermissionDenied):
        saved_view_delete(actor=admin, view=private)
    saved_view_delete(actor=admin, view=shared)
    saved_view_delete(actor=agent, view=private)
    assert not SavedView.objects.exists()
    assert AuditEvent.objects.filter(action="saved_view.deleted").count() == 2


def test_reorder_and_move_up_and_down(agent, supervisor):
    one, two, three = (saved_view_create(actor=agent, name=n, filters="") for n in ("一", "二", "三"))
    assert [v.position for v in (one, two, three)] == [0, 1, 2]
    saved_views_reorder(actor=agent, order=[three.pk, one.pk])
    assert [v.name for v in saved_views_for_user(user=agent).own] == ["三", "一", "二"]
    saved_view_move(actor=agent, view=two, offset=-1)
    assert [v.name for v in saved_views_for_user(user=agent).own] == ["三", "二", "一"]
    saved_view_move(actor=agent, view=three, offset=-1)  # already first: stays
    assert [v.name for v in saved_views_for_user(user=agent).own] == ["三", "二", "一"]
    theirs = saved_view_create(actor=supervisor, name="他", filters="")
    with pytest.raises(ValidationFailed) as caught:
        saved_views_reorder(actor=agent, order=[one.pk, theirs.pk])
    assert list(caught.value.errors) == ["order"]
    with pytest.raises(ValidationFailed):
        saved_views_reorder(actor=agent, order=[one.pk, one.pk])
    with pytest.raises(PermissionDenied):
        saved_view_move(actor=supervisor, view=one, offset=1)
    assert AuditEvent.objects.filter(action="saved_view.reordered").count() == 2


def test_one_start_view_per_owner(agent):
    one = saved_view_create(actor=agent, name="一", filters="queue=mine")
    two = saved_view_create(actor=agent, name="二", filters="status=all")
    saved_view_set_start(actor=agent, view=one)
    saved_view_set_start(actor=agent, view=two)
    assert list(SavedView.objects.filter(is_start=True).values_list("name", flat=True)) == ["二"]
    assert saved_views_for_user(user=agent).start == two
    saved_view_set_start(actor=agent, view=None)
    assert not SavedView.objects.filter(is_start=True).exists()
    assert AuditEvent.objects.filter(action="saved_view.start_set").count() == 3


# --- Who sees which view -------------------------------------------------------------------------


def test_a_user_sees_their_own_their_teams_and_everyones_views(agent, supervisor, team):
    other_team = TeamFactory()
    colleague = UserFactory(role=Role.AGENT, team=team)
    stranger = UserFactory(role=Role.AGENT, team=other_team)
    leader = UserFactory(role=Role.SUPERVISOR, team=other_team)
    mine = saved_view_create(actor=agent, name="我的", filters="")
    team_view = saved_view_create(actor=colleague, name="组内", filters="", sharing=ViewSharing.TEAM)
    colleague_private = saved_view_create(actor=colleague, name="同事私有", filters="")
    other_team_view = saved_view_create(actor=stranger, name="别组", filters="", sharing=ViewSharing.TEAM)
    everyone = saved_view_create(actor=leader, name="全员", filters="", sharing=ViewSharing.EVERYONE)
    seen = saved_views_for_user(user=agent)
    assert seen.own == [mine]
    assert seen.shared == [team_view, everyone]  # the team's first
    assert saved_view_get_for_user(user=agent, view_id=everyone.pk) == everyone
    for hidden in (colleague_private, other_team_view):
        with pytest.raises(NotFound):
            saved_view_get_for_user(user=agent, view_id=hidden.pk)
    # Shared with the team: the owner's team now, wherever they move.
    colleague.team = other_team
    colleague.save(update_fields=["team"])
    assert team_view not in saved_views_for_user(user=agent).all
    assert team_view in saved_views_for_user(user=stranger).all


def test_one_query_reads_every_view_a_user_sees(agent, supervisor, django_assert_num_queries):
    for i in range(5):
        saved_view_create(actor=agent, name=f"v{i}", filters="")
        saved_view_create(actor=supervisor, name=f"s{i}", filters="", sharing=ViewSharing.EVERYONE)
    with django_assert_num_queries(1):
        seen = saved_views_for_user(user=agent)
        labels = [str(v.owner) for v in seen.all]
    assert len(labels) == 10


# --- The list page's bar ----------------------------------------------------------------------


def test_the_bar_links_each_view_and_marks_the_one_showing(agent, supervisor):
    saved_view_create(actor=agent, name="急单", filters="priority=1&status=all")
    saved_view_create(actor=supervisor, name="组长视图", filters="queue=unassigned", sharing=ViewSharing.TEAM)
    client = client_for(agent)
    html = client.get(LIST, {"status": "all", "priority": "1", "sort": "due"}).content.decode()
    assert 'data-test-id="saved-views"' in html
    assert 'href="/tickets/?priority=1&amp;status=all"' not in html  # the normalised order
    assert 'href="/tickets/?status=all&amp;priority=1" class="saved-view is-current" aria-current="page"' in html
    assert 'href="/tickets/?queue=unassigned" class="saved-view"' in html
    assert "组长视图" in html and str(supervisor) in html
    html = client.get(LIST, {"status": "all"}).content.decode()
    assert "is-current" not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_bars_reused_markup_is_the_templates_and_names_are_escaped(agent, supervisor, language):
    saved_view_create(actor=supervisor, name='<b>"急"</b>', filters="status=all&q=<i>", sharing=ViewSharing.EVERYONE)
    saved_view_create(actor=agent, name="我的", filters="", sharing=ViewSharing.TEAM)
    request = RequestFactory().get(LIST, {"status": "all", "q": "<i>"})
    request.user = agent
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    with override(language):
        bar = list_bar(request.GET, agent)
        for oob in (False, True):
            reused = render_bar(request, bar, oob=oob)
            attr = mark_safe(' hx-swap-oob="true"') if oob else ""
            rendered = render_to_string(BAR_TEMPLATE, {"bar": bar, "oob_attr": attr}, request=request)
            assert csrf.sub("", reused) == csrf.sub("", rendered)
    assert "<b>" not in reused and "&lt;b&gt;&quot;急&quot;&lt;/b&gt;" in reused
    assert 'value="status=all&amp;q=%3Ci%3E"' in reused and "is-current" in reused
    assert 'hx-swap-oob="true"' in reused


@pytest.mark.parametrize(
    "language, texts, foreign",
    [
        ("zh-hans", ("保存此视图", "管理视图", "仅自己"), ("Save this view", "Manage views", "Only me")),
        ("en", ("Save this view", "Manage views", "Only me", "My team"), ("保存此视图", "管理视图", "仅自己")),
    ],
)
def test_the_bar_and_the_save_form_speak_the_readers_language(agent, language, texts, foreign):
    client = client_for(agent)
    client.cookies.load({"django_language": language})
    html = client.get(LIST).content.decode()
    for text in texts:
        assert text in html
    for text in foreign:
        assert text not in html
    assert "All staff" not in html and "所有员工" not in html  # an agent may not share with everyone


def test_save_this_view_with_htmx_answers_the_bar_with_the_new_view_marked(agent):
    client = client_for(agent)
    response = client.post(
        SAVE, {"name": "我的急单", "sharing": "team", "filters": "priority=1&status=all&cursor=x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="saved-views"' in html and "我的急单" in html and "is-current" in html
    assert 'data-test-id="saved-view-saved"' in html
    view = SavedView.objects.get()
    assert (view.owner, view.filters, view.sharing) == (agent, "status=all&priority=1", "team")


@pytest.mark.parametrize("language, message", [("zh-hans", "请给视图起个名字。"), ("en", "Give the view a name.")])
def test_a_refused_save_shows_the_error_next_to_the_field_in_the_readers_language(agent, language, message):
    client = client_for(agent)
    client.cookies.load({"django_language": language})
    response = client.post(SAVE, {"name": "", "sharing": "private", "filters": "status=all"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-test-id="error-name"' in html and message in html and " open" in html
    response = client.post(SAVE, {"name": "全员", "sharing": "everyone", "filters": ""})  # without htmx: a page
    assert response.status_code == 200 and 'data-test-id="error-sharing"' in response.content.decode()
    assert not SavedView.objects.exists()


def test_save_this_view_without_htmx_opens_the_list_with_it(agent):
    response = client_for(agent).post(SAVE, {"name": "全部", "sharing": "private", "filters": "status=all"})
    assert response.status_code == 302 and response["Location"] == f"{LIST}?status=all"


def test_a_results_fragment_brings_the_bar_out_of_band(agent):
    saved_view_create(actor=agent, name="全部", filters="status=all")
    html = client_for(agent).get(LIST, {"status": "all"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="true"' in html and "is-current" in html
    assert 'name="filters" value="status=all"' in html


def _list_queries(client, params: dict, **headers) -> int:
    client.get(LIST, params, **headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params, **headers)
    assert response.status_code == 200
    return len(queries)


def test_the_bar_costs_the_list_one_query_whatever_the_number_of_views(supervisor):
    """The list page ran 5 queries (session, user, total, rows, the header's unread badge) and its
    fragment 4; the bar adds one, for any number of views."""
    make_ticket(actor=supervisor)
    client = client_for(supervisor)
    params = {"status": "open", "sort": "due"}
    assert _list_queries(client, params) == 6
    assert _list_queries(client, params, HTTP_HX_REQUEST="true") == 5
    for i in range(12):
        saved_view_create(actor=supervisor, name=f"视图{i}", filters="status=all", sharing=ViewSharing.EVERYONE)
        saved_view_create(actor=UserFactory(role=Role.SUPERVISOR), name=f"共享{i}", filters="", sharing=ViewSharing.EVERYONE)
    assert _list_queries(client, params) == 6
    assert _list_queries(client, params, HTTP_HX_REQUEST="true") == 5


def test_the_plain_list_opens_the_start_view_and_nothing_changes_without_one(agent):
    client = client_for(agent)
    assert client.get(LIST).status_code == 200  # no start view: the list as before
    view = saved_view_create(actor=agent, name="我的", filters="queue=mine&status=all")
    saved_view_set_start(actor=agent, view=view)
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"] == f"{LIST}?queue=mine&status=all"
    assert client.get(LIST, {"status": "open"}).status_code == 200  # any filter: no redirect
    assert client.get(LIST, HTTP_HX_REQUEST="true").status_code == 200
    html = client.get(LIST, {"queue": "mine", "status": "all"}).content.decode()
    assert 'data-test-id="saved-view-default"' in html


# --- The manage page -----------------------------------------------------------------------------


def test_the_manage_page_lists_own_and_shared_views(agent, supervisor):
    saved_view_create(actor=agent, name="我的", filters="")
    saved_view_create(actor=supervisor, name="组长的", filters="", sharing=ViewSharing.TEAM)
    for language, heading in (("zh-hans", "我的视图"), ("en", "My views")):
        client = client_for(agent)
        client.cookies.load({"django_language": language})
        html = client.get(MANAGE).content.decode()
        assert heading in html and 'data-test-id="own-view"' in html and 'data-test-id="shared-view"' in html
        assert "组长的" in html and 'data-test-id="saved-view-delete"' in html


def test_rename_share_move_start_and_delete_from_the_manage_page(agent):
    one = saved_view_create(actor=agent, name="一", filters="")
    two = saved_view_create(actor=agent, name="二", filters="")
    client = client_for(agent)
    url = reverse("tickets:saved_view_change", args=[one.pk])
    response = client.post(url, {f"v{one.pk}-name": "第一", f"v{one.pk}-sharing": "team", "version": "1"})
    assert response.status_code == 302
    one.refresh_from_db()
    assert (one.name, one.sharing, one.version) == ("第一", "team", 2)
    response = client.post(url, {f"v{one.pk}-name": "二", f"v{one.pk}-sharing": "team"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-test-id="error-name"' in html and "你已经有一个叫这个名字的视图。" in html
    client.post(reverse("tickets:saved_view_move", args=[two.pk]), {"direction": "up"})
    assert [v.name for v in saved_views_for_user(user=agent).own] == ["二", "第一"]
    client.post(reverse("tickets:saved_view_start", args=[two.pk]))
    two.refresh_from_db()
    assert two.is_start
    client.post(reverse("tickets:saved_view_delete", args=[two.pk]))
    assert not SavedView.objects.filter(pk=two.pk).exists()


def test_a_view_shared_with_a_team_its_owner_left_is_renamed_without_changing_its_sharing(agent):
    view = saved_view_create(actor=agent, name="组", filters="", sharing=ViewSharing.TEAM)
    agent.team = None
    agent.save(update_fields=["team"])
    html = client_for(agent).get(MANAGE).content.decode()
    assert '<option value="team" selected>' in html
    renamed = saved_view_update(actor=agent, view=view, name="组（旧）", sharing="team")
    assert (renamed.name, renamed.sharing) == ("组（旧）", "team")
    with pytest.raises(ValidationFailed):
        saved_view_update(actor=agent, view=renamed, sharing="everyone")


def test_the_manage_actions_on_another_users_views_are_404_or_403(agent, supervisor, team):
    private = saved_view_create(actor=supervisor, name="私有", filters="")
    shared = saved_view_create(actor=supervisor, name="组内", filters="", sharing=ViewSharing.TEAM)
    client = client_for(agent)
    for name in ("saved_view_change", "saved_view_move", "saved_view_start", "saved_view_delete"):
        assert client.post(reverse(f"tickets:{name}", args=[private.pk]), {}).status_code == 404
        assert client.post(reverse(f"tickets:{name}", args=[shared.pk]), {}).status_code == 403
    assert SavedView.objects.count() == 2
    admin = client_for(UserFactory(role=Role.ADMINISTRATOR, team=team))
    assert admin.post(reverse("tickets:saved_view_delete", args=[shared.pk])).status_code == 302
    assert not SavedView.objects.filter(pk=shared.pk).exists()
