"""Likely duplicates: open tickets of the same customer, phone, serial or address with similar
text within the window; not for a different text, outside the window, or a closed ticket."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.core import clock
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus
from aftersales.triage.duplicates import SAME_CUSTOMER, SAME_PHONE, SAME_SERIAL, find_duplicates, similarity, text_of
from aftersales.triage.models import TriageResult
from aftersales.triage.services import triage_run
from tests.clock import freeze_time
from tests.factories import ProductUnitFactory, make_ticket

pytestmark = pytest.mark.django_db

LEAK = "热水器底部一直漏水，地板都泡了，请尽快派人上门维修。"
LEAK_AGAIN = "热水器底部一直在漏水，地板被泡了，请尽快派师傅上门维修！"
OTHER = "客服态度很差，电话里对我大吼大叫，要求道歉。"


def test_similarity_is_on_the_normalised_text():
    assert similarity(text_of("", "ＭＰ３播放器坏了"), text_of("", "mp3播放器坏了")) == pytest.approx(1.0)
    assert similarity(text_of("", LEAK), text_of("", LEAK_AGAIN)) > 0.5
    assert similarity(text_of("", LEAK), text_of("", OTHER)) < 0.15


def test_the_same_phone_and_a_similar_text_is_a_likely_duplicate():
    first = make_ticket(description=LEAK, phone="13912345678", customer_name="王芳")
    second = make_ticket(description=LEAK_AGAIN, phone="13912345678", customer_name="王芳")
    found = find_duplicates(second)
    assert [d.number for d in found] == [first.number]
    assert SAME_PHONE in found[0].reasons and SAME_CUSTOMER in found[0].reasons
    assert 0.5 < found[0].score <= 1.0


def test_a_different_text_of_the_same_customer_is_not_a_duplicate():
    make_ticket(description=OTHER, phone="13912345678")
    second = make_ticket(description=LEAK, phone="13912345678")
    assert find_duplicates(second) == []


def test_a_similar_text_of_another_customer_is_not_a_duplicate():
    make_ticket(description=LEAK, phone="13912345678", customer_name="王芳")
    second = make_ticket(description=LEAK_AGAIN, phone="13700001111", customer_name="李雷")
    assert find_duplicates(second) == []


def test_the_same_serial_number_links_tickets_of_different_callers():
    unit = ProductUnitFactory()
    first = make_ticket(description=LEAK, phone="13912345678", customer_name="王芳", serial_number=unit.serial_number)
    second = make_ticket(description=LEAK_AGAIN, phone="13700001111", customer_name="李雷", serial_number=unit.serial_number)
    found = find_duplicates(second)
    assert [d.number for d in found] == [first.number] and SAME_SERIAL in found[0].reasons


def test_outside_the_window_or_closed_is_not_a_duplicate(settings):
    settings.TRIAGE_DUPLICATE_DAYS = 30
    with freeze_time(clock.now() - dt.timedelta(days=31)):
        make_ticket(description=LEAK, phone="13912345678")
    closed = make_ticket(description=LEAK, phone="13912345678")
    Ticket.objects.filter(pk=closed.pk).update(status=TicketStatus.CLOSED)
    second = make_ticket(description=LEAK_AGAIN, phone="13912345678")
    assert find_duplicates(second) == []
    settings.TRIAGE_DUPLICATE_DAYS = 40
    assert len(find_duplicates(second)) == 1


def test_the_threshold_is_a_setting(settings):
    make_ticket(description=LEAK, phone="13912345678")
    second = make_ticket(description=LEAK_AGAIN, phone="13912345678")
    settings.TRIAGE_DUPLICATE_THRESHOLD = 0.99
    assert find_duplicates(second) == []


def test_the_triage_stores_the_duplicates_with_score_and_reasons(engine):
    first = make_ticket(description=LEAK, phone="13912345678")
    second = make_ticket(description=LEAK_AGAIN, phone="13912345678")
    triage_run(ticket_id=second.pk)
    stored = TriageResult.objects.get(ticket=second).duplicates
    assert stored[0]["ticket_id"] == first.pk and stored[0]["number"] == first.number
    assert stored[0]["score"] > 0.5 and "same_phone" in stored[0]["reasons"]


def test_at_most_five_are_kept_best_first():
    for i in range(7):
        make_ticket(description=LEAK + "。" * i + ("补充" * i), phone="13912345678")
    second = make_ticket(description=LEAK, phone="13912345678")
    found = find_duplicates(second)
    assert len(found) == 5
    assert [d.score for d in found] == sorted((d.score for d in found), reverse=True)
