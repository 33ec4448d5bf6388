"""The crisis pages: the board, an alert confirmed as a level-II crisis, the crisis page's steps
(team, notice, status, review), a drill opened from the board; other roles are refused."""

import pytest
from django.test import Client

from aftersales.accounts.models import DataScope, Role
from aftersales.crisis.models import Alert, AlertStatus, Crisis, CrisisStatus
from aftersales.notifications.models import Notification
from aftersales.tickets.choices import Channel
from tests.factories import ProductModelFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_board_and_the_flow_on_the_pages(supervisor, level_ii) -> None:  # type: ignore[no-untyped-def]
    model = ProductModelFactory()
    make_ticket(description="热水器插头冒烟了", product_model_code=model.code)
    alert = Alert.objects.get()
    web = _client(supervisor)
    board = web.get("/crisis/")
    assert board.status_code == 200
    assert f'href="/crisis/alerts/{alert.pk}/"' in board.content.decode()
    page = web.get(f"/crisis/alerts/{alert.pk}/")
    assert page.status_code == 200 and 'data-test-id="confirm-form"' in page.content.decode()
    made = web.post(f"/crisis/alerts/{alert.pk}/confirm/", {"level": level_ii.pk, "title": "热水器插头冒烟"})
    crisis = Crisis.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/crisis/{crisis.pk}/"
    assert Alert.objects.get().status == AlertStatus.CONFIRMED
    member = UserFactory(role=Role.AGENT, username="cs1")
    web.post(f"/crisis/{crisis.pk}/member/", {"user": member.pk, "role": "customer_service"})
    assert crisis.members.get().user == member
    web.post(f"/crisis/{crisis.pk}/notice/", {"body": "请停止使用。"})
    assert Notification.objects.filter(template="crisis.customer_notice").exists()
    crisis.refresh_from_db()
    web.post(f"/crisis/{crisis.pk}/transition/", {"to": "contained", "version": crisis.version})
    crisis.refresh_from_db()
    web.post(f"/crisis/{crisis.pk}/transition/", {"to": "recovered", "version": crisis.version})
    crisis.refresh_from_db()
    web.post(f"/crisis/{crisis.pk}/review/", {"lessons": "加强来料检验。", "version": crisis.version})
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.REVIEWED
    detail = web.get(f"/crisis/{crisis.pk}/").content.decode()
    assert 'data-test-id="review-figures"' in detail and "加强来料检验" in detail


def test_a_stale_form_shows_a_message(supervisor, level_ii) -> None:  # type: ignore[no-untyped-def]
    web = _client(supervisor)
    web.post("/crisis/new/", {"title": "演练", "crisis_type": "service", "level": level_ii.pk, "is_drill": "on"})
    crisis = Crisis.objects.get()
    assert crisis.is_drill
    response = web.post(f"/crisis/{crisis.pk}/transition/", {"to": "confirmed", "version": crisis.version + 5}, follow=True)
    assert Crisis.objects.get().status == CrisisStatus.DETECTED
    assert 'data-test-id="messages"' in response.content.decode()


def test_dismiss_on_the_page(supervisor) -> None:  # type: ignore[no-untyped-def]
    make_ticket(channel=Channel.SOCIAL, description="微博投诉")
    alert = Alert.objects.get()
    web = _client(supervisor)
    web.post(f"/crisis/alerts/{alert.pk}/dismiss/", {"reason": "已回访"})
    assert Alert.objects.get().status == AlertStatus.DISMISSED


@pytest.mark.parametrize("role", [Role.AGENT, Role.TECHNICIAN, Role.WAREHOUSE])
def test_other_roles_are_refused(role: str) -> None:
    make_ticket(channel=Channel.SOCIAL, description="微博投诉")
    alert = Alert.objects.get()
    web = _client(UserFactory(role=role, data_scope=DataScope.ALL))
    assert web.get("/crisis/").status_code == 403
    assert web.get(f"/crisis/alerts/{alert.pk}/").status_code == 403
    assert web.post(f"/crisis/alerts/{alert.pk}/dismiss/", {"reason": "x"}).status_code == 403
    assert Alert.objects.get().status == AlertStatus.OPEN


def test_a_regional_supervisor_gets_404_for_another_region(supervisor, east, north) -> None:  # type: ignore[no-untyped-def]
    make_ticket(channel=Channel.SOCIAL, description="微博投诉")
    alert = Alert.objects.get()
    Alert.objects.filter(pk=alert.pk).update(region=north)
    local = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=east)
    assert _client(local).get(f"/crisis/alerts/{alert.pk}/").status_code == 404


def test_the_alert_curve_is_a_chart_without_style_attributes(supervisor) -> None:  # type: ignore[no-untyped-def]
    make_ticket(channel=Channel.SOCIAL, description="微博投诉")
    alert = Alert.objects.get()
    points = [{"hour": f"2026-07-01T{h:02d}:00:00+00:00", "count": c} for h, c in enumerate([0, 1, 0, 3, 7, 12])]
    Alert.objects.filter(pk=alert.pk).update(curve=points)
    html = _client(supervisor).get(f"/crisis/alerts/{alert.pk}/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # pygal, server-side SVG (decision 0009)
    assert '<td class="num">12</td>' in html  # the figures as a table under the chart
    assert 'style="' not in html
