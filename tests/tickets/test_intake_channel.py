"""The agent's intake page records how the request came in (SPEC §2.1): a call on the hotline, a
walk-in at a store counter, a social-media post, a WeChat message, an email or a letter/fax —
not every ticket as a hotline call. A social-media report entered there raises the media alert."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.crisis.models import Alert
from aftersales.tickets.choices import AGENT_CHANNELS, Channel, Priority, RequestType
from aftersales.tickets.models import Ticket

from .process_helpers import agent

pytestmark = pytest.mark.django_db

INTAKE = reverse("tickets:intake")


def _client() -> Client:
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.cookies["django_language"] = "zh-hans"
    client.force_login(agent())
    return client


def _post(client: Client, description: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "phone": "139 1111 2222",
        "customer_name": "王芳",
        "request_type": RequestType.COMPLAINT,
        "priority": str(Priority.NORMAL),
        "description": description,
        "occurred_certainty": "unknown",
        "city": "杭州市",
        "address": "文三路 90 号",
        **fields,
    }
    return client.post(INTAKE, data)


def test_the_form_offers_the_channels_an_agent_enters_by_hand_hotline_first():
    page = _client().get(INTAKE).content.decode()
    assert 'name="channel"' in page
    for channel in AGENT_CHANNELS:
        assert f'value="{channel.value}"' in page
    for by_itself in (Channel.WEB, Channel.APP, Channel.API):
        assert f'<option value="{by_itself.value}"' not in page
    assert '<option value="hotline" selected>' in page
    assert "门店" in page  # the channels' names in the reader's language


@pytest.mark.parametrize("channel", [c.value for c in AGENT_CHANNELS])
def test_the_chosen_channel_is_stored_on_the_ticket(channel):
    response = _post(_client(), f"渠道测试 {channel}", channel=channel)
    assert response.status_code == 302, response.content
    ticket = Ticket.objects.get(description=f"渠道测试 {channel}")
    assert ticket.channel == channel
    assert ticket.events.get(kind="created").data["channel"] == channel


def test_a_form_without_the_channel_is_a_hotline_call_and_a_channel_that_files_itself_is_refused():
    client = _client()
    assert _post(client, "没有渠道字段").status_code == 302
    assert Ticket.objects.get(description="没有渠道字段").channel == Channel.HOTLINE
    refused = _post(client, "门户渠道", channel=Channel.WEB)
    assert refused.status_code == 200 and 'data-test-id="error-channel"' in refused.content.decode()
    assert not Ticket.objects.filter(description="门户渠道").exists()


def test_a_social_media_report_entered_on_the_intake_page_raises_the_media_alert():
    client = _client()
    assert _post(client, "微博网友发帖说空调外机冒烟", channel=Channel.HOTLINE).status_code == 302
    hotline = Ticket.objects.get(description="微博网友发帖说空调外机冒烟")
    assert not Alert.objects.filter(kind="social", tickets=hotline).exists()

    assert _post(client, "抖音视频投诉售后态度差", channel=Channel.SOCIAL).status_code == 302
    social = Ticket.objects.get(description="抖音视频投诉售后态度差")
    assert social.channel == Channel.SOCIAL
    (alert,) = Alert.objects.filter(kind="social", tickets=social)
    assert alert.status == "open"
