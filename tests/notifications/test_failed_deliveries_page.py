"""The failed deliveries page (/notifications/deliveries/failed/): supervisors and administrators
only, within their data scope, the last seven days, every address masked, the reason in the
reader's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from aftersales.accounts.models import DataScope, Role
from aftersales.notifications.delivery import receipt_record
from aftersales.notifications.delivery_selectors import failed_deliveries
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.receipts import Receipt
from aftersales.notifications.services import notification_deliver
from tests.clients import client_for, client_for_language
from tests.factories import TeamFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

PAGE = "/notifications/deliveries/failed/"


@pytest.fixture(autouse=True)
def providers(settings):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.notifications.test_receipts.AcceptingSender"}


def failed_sms(ticket, code: str = "UNDELIV") -> Notification:
    """The ticket's "received" SMS, accepted by the provider and reported undelivered."""
    row = Notification.objects.get(ticket=ticket, template="ticket_received", channel=NotificationChannel.SMS)
    row = notification_deliver(notification_id=row.pk)
    receipt_record(receipt=Receipt("test", NotificationChannel.SMS, row.pk, row.provider_ref, False, code, "用户停机", None, ""))
    row.refresh_from_db()
    return row


def test_a_supervisor_sees_the_failure_masked_with_its_reason_and_ticket():
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")
    ticket = make_ticket(phone="13812345678")
    failed_sms(ticket)

    response = client_for_language(supervisor, "en").get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-test-id="failed-delivery"') == 1
    assert "138****5678" in page and "13812345678" not in page and "+8613812345678" not in page
    assert "number out of service" in page and "UNDELIV" in page
    assert f"/tickets/{ticket.number}/" in page


def test_the_page_speaks_the_readers_language():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    failed_sms(make_ticket(phone="13812345678"))
    page = client_for_language(admin, "zh-hans").get(PAGE).content.decode()
    assert "号码已停机" in page and "投递失败" in page


@pytest.mark.parametrize("role", [Role.AGENT, Role.TECHNICIAN, Role.QUALITY_MANAGER, Role.WAREHOUSE])
def test_other_staff_get_the_403_page(role):
    user = UserFactory(role=role, data_scope=DataScope.ALL)
    failed_sms(make_ticket(phone="13812345678"))
    assert client_for(user).get(PAGE).status_code == 403
    assert failed_deliveries(user=user) == []


def test_signed_out_visitors_go_to_the_sign_in_page():
    response = Client().get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_team_supervisor_sees_only_their_teams_tickets():
    mine, other = TeamFactory(), TeamFactory()
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.TEAM, team=mine)
    seen = failed_sms(make_ticket(phone="13812345678", team=mine))
    failed_sms(make_ticket(phone="13900001111", team=other))

    assert [row.pk for row in failed_deliveries(user=supervisor)] == [seen.pk]
    page = client_for(supervisor).get(PAGE).content.decode()
    assert "138****5678" in page and "139****1111" not in page


def test_only_the_last_seven_days_and_the_chosen_channel():
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    recent = failed_sms(make_ticket(phone="13812345678"))
    old = failed_sms(make_ticket(phone="13900001111"))
    Notification.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=8))

    assert [row.pk for row in failed_deliveries(user=supervisor)] == [recent.pk]
    assert failed_deliveries(user=supervisor, channel=NotificationChannel.WECHAT) == []
    assert client_for(supervisor).get(PAGE + "?channel=wechat").content.decode().count('data-test-id="failed-delivery"') == 0
