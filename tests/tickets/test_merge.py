"""Merging a duplicate (tickets.process.verification.ticket_merge): until a solution is worked
on, the customer told once — on their channels, in their language — which request carries on,
and both tickets' pages pointing at each other (docs/process.md "Merging a duplicate")."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.customers.models import Customer
from aftersales.notifications.links import customer_ticket_ids, customer_ticket_path
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.template_merge import MERGE_EVENTS
from aftersales.notifications.template_services import shipped_texts
from aftersales.notifications.template_text import fill, msgid, prepared, template_errors
from aftersales.notifications.text import has_cjk, render
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.process import (
    ticket_merge,
    ticket_request_information,
    ticket_start_verification,
    ticket_submit_plan,
)
from aftersales.tickets.process.verification import MERGED_BODY, MERGED_SUBJECT
from aftersales.tickets.states import TRANSITIONS, TicketStatus
from tests.clients import client_for_language
from tests.factories import UserFactory, make_ticket
from tests.tickets.process_helpers import agent, analysed, refreshed, repair_plan

pytestmark = pytest.mark.django_db

S = TicketStatus
SIGNED_LINK = re.compile(r"/portal/t/([^/\s\"]+)/")


def _linked_ticket_id(text: str) -> int:
    """The ticket a customer's signed link in ``text`` opens."""
    found = SIGNED_LINK.search(text)
    assert found is not None, text
    return customer_ticket_ids(found.group(1))[0]


def _pair(handler, **customer):  # type: ignore[no-untyped-def]
    original = make_ticket(actor=handler, email="zhang.wei@example.com")
    duplicate = make_ticket(actor=handler, email="zhang.wei@example.com", description="空调还是漏水，第二次来电。")
    if customer:
        Customer.objects.filter(pk=original.customer_id).update(**customer)
    return refreshed(original), refreshed(duplicate)


def test_merge_is_allowed_until_a_solution_is_worked_on():
    merge_from = {status for status, targets in TRANSITIONS.items() if S.MERGED in targets}
    assert merge_from == {S.REGISTERED, S.VERIFYING, S.AWAITING_INFO, S.ANALYSING}


def test_a_duplicate_waiting_for_information_is_merged():
    handler = agent()
    original, duplicate = _pair(handler)
    duplicate = ticket_start_verification(ticket=duplicate, actor=handler)
    duplicate = ticket_request_information(ticket=duplicate, actor=handler, missing="请提供发票照片。")
    assert duplicate.status == S.AWAITING_INFO
    merged = ticket_merge(ticket=duplicate, into=original, actor=handler, reason="同一故障重复来电")
    assert (merged.status, merged.merged_into_id) == (S.MERGED, original.pk)


def test_a_duplicate_found_while_analysing_is_merged_but_not_once_it_has_a_plan_under_way():
    handler = agent()
    original, duplicate = _pair(handler)
    analysing = analysed(duplicate, handler)
    assert analysing.status == S.ANALYSING
    assert ticket_merge(ticket=analysing, into=original, actor=handler).status == S.MERGED

    other = analysed(make_ticket(actor=handler, email="zhang.wei@example.com"), handler)
    repair_plan(other, handler)
    submitted = ticket_submit_plan(ticket=refreshed(other), actor=handler)
    assert submitted.status in {S.AWAITING_CUSTOMER, S.AWAITING_APPROVAL}
    with pytest.raises(DomainError) as refused:
        ticket_merge(ticket=submitted, into=original, actor=handler)
    assert refused.value.code == "action_not_available"
    assert refreshed(other).merged_into_id is None


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["已并入", "请以后使用"]),
        ("en", ["continues as", "Please quote"]),
    ],
)
def test_the_customer_is_told_once_in_their_language_on_their_channels_which_request_carries_on(language, words):  # type: ignore[no-untyped-def]
    handler = agent()
    original, duplicate = _pair(handler, language=language)
    ticket_merge(ticket=duplicate, into=original, actor=handler)

    told = Notification.objects.filter(ticket=duplicate, template="ticket_merged")
    assert {n.channel for n in told} >= {NotificationChannel.EMAIL, NotificationChannel.SMS}
    assert len(told) == len({n.channel for n in told})  # one message per channel
    for message in told:
        assert message.language == language
        assert duplicate.number in message.body and original.number in message.body
        assert _linked_ticket_id(message.body) == original.pk  # their link opens the request that carries on
    email = told.get(channel=NotificationChannel.EMAIL)
    assert original.number in email.subject and words[0] in email.subject
    assert words[1] in email.body
    # Once: a merged ticket is final, a second merge is refused and tells nobody anything.
    with pytest.raises(DomainError):
        ticket_merge(ticket=refreshed(duplicate), into=original, actor=handler)
    assert Notification.objects.filter(template="ticket_merged").count() == len(told)


def test_a_customer_without_consent_hears_nothing_outside_the_portal():
    handler = agent()
    original, duplicate = _pair(handler, consent_contact=False)
    ticket_merge(ticket=duplicate, into=original, actor=handler)
    assert not Notification.objects.filter(template="ticket_merged").exclude(channel=NotificationChannel.IN_APP).exists()


def test_the_shipped_template_says_what_the_service_sends():
    (event,) = MERGE_EVENTS
    assert event.key == "ticket_merged"
    assert (msgid(event.subject), msgid(event.body)) == (msgid(MERGED_SUBJECT), msgid(MERGED_BODY))
    assert {p.key for p in event.all_placeholders} >= {"number", "into", "name"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_editable_template_renders_the_shipped_text_exactly(language):  # type: ignore[no-untyped-def]
    """As every event (tests/notifications/test_event_templates.py, once the lead lists it):
    the editor's text with placeholders, filled with the samples, is the gettext message."""
    (event,) = MERGE_EVENTS
    subject, body = shipped_texts(event, language)
    assert template_errors(body, event.all_placeholders) == [] and template_errors(subject, event.all_placeholders) == []
    with translation.override(language):
        values = prepared(event.samples(language))
        assert fill(body, values, event.all_placeholders) == render(event.body, event.samples(language))
        assert fill(subject, values, event.all_placeholders) == render(event.subject, event.samples(language))
        words = str(event.subject) + str(event.body) + str(event.label)
        assert has_cjk(words) == (language == "zh-hans")
    assert NotificationChannel.SMS in event.channels and NotificationChannel.WECHAT in event.channels


def test_only_handlers_merge():
    handler = agent()
    original, duplicate = _pair(handler)
    for role in (Role.TECHNICIAN, Role.CUSTOMER):
        with pytest.raises((PermissionDenied, DomainError)):
            ticket_merge(ticket=duplicate, into=original, actor=UserFactory(role=role, data_scope=DataScope.ALL))
    assert refreshed(duplicate).status == S.REGISTERED
    assert not Notification.objects.filter(template="ticket_merged").exists()


def test_the_merged_ticket_links_to_the_target_whose_timeline_says_merged_from():
    handler = agent()
    original, duplicate = _pair(handler)
    ticket_merge(ticket=duplicate, into=original, actor=handler)
    agent_client = client_for_language(handler, "en")
    html = agent_client.get(reverse("tickets:detail", args=[duplicate.number])).content.decode()
    notice = html.split('data-test-id="merged-into"', 1)[1].split("</p>", 1)[0]
    assert f'href="{reverse("tickets:detail", args=[original.number])}"' in notice and original.number in notice
    assert TicketEvent.objects.filter(ticket=original, data__action="merged_from", data__from=duplicate.number).exists()
    target_page = agent_client.get(reverse("tickets:detail", args=[original.number])).content.decode()
    assert 'data-test-id="merged-into"' not in target_page
    assert duplicate.number in target_page  # the "merged from" entry on its timeline


def test_the_portal_shows_a_merged_request_with_a_link_to_the_one_that_carries_on():
    handler = agent()
    original, duplicate = _pair(handler, language="en")
    owner = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, language="en")
    Customer.objects.filter(pk=original.customer_id).update(user=owner)
    ticket_merge(ticket=duplicate, into=original, actor=handler)

    client = Client()
    client.force_login(owner)
    client.cookies.load({"django_language": "en"})
    html = client.get(reverse("portal:ticket", args=[duplicate.number])).content.decode()
    notice = html.split('data-test-id="portal-merged-into"', 1)[1].split("</p>", 1)[0]
    assert "combined with your request" in notice and original.number in notice
    assert f'href="{reverse("portal:ticket", args=[original.number])}"' in notice
    assert (
        'data-test-id="portal-merged-into"' not in client.get(reverse("portal:ticket", args=[original.number])).content.decode()
    )

    # Opened from the signed link (no sign-in): the target's signed link.
    anonymous = Client()
    anonymous.cookies.load({"django_language": "zh-hans"})
    html = anonymous.get(customer_ticket_path(duplicate)).content.decode()
    notice = html.split('data-test-id="portal-merged-into"', 1)[1].split("</p>", 1)[0]
    assert "合并" in notice and _linked_ticket_id(notice) == original.pk
