"""Audit 3, finding 24: a title taken from the description is cut where a reader expects a
break — between any two Chinese characters, at a space in Latin text — and ends with "…"."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.services.details import ticket_correct_details
from aftersales.tickets.titles import TITLE_FROM_DESCRIPTION_MAX, shorten_title, title_from_description
from tests.factories import UserFactory, make_ticket

LONG_EN = "The washing machine shakes violently during the spin cycle and water leaks onto the floor"


def test_a_short_first_line_is_the_title_as_it_is():
    assert title_from_description("空调不制冷\n第二行") == "空调不制冷"
    assert title_from_description("\n  \n  Fridge   is noisy \nmore") == "Fridge is noisy"


def test_latin_text_is_cut_at_a_space_with_an_ellipsis():
    title = title_from_description(LONG_EN)
    assert title == "The washing machine shakes violently during the spin cycle…"
    assert len(title) <= TITLE_FROM_DESCRIPTION_MAX
    assert LONG_EN.startswith(title[:-1]) and LONG_EN[len(title) - 1] == " "  # a whole word before the cut


def test_chinese_text_is_cut_at_the_limit_with_an_ellipsis():
    text = "洗衣机脱水时剧烈晃动并且有很大的异响，" * 5
    title = title_from_description(text)
    assert len(title) == TITLE_FROM_DESCRIPTION_MAX and title.endswith("…")
    assert text.startswith(title[:-1])


def test_mixed_text_breaks_next_to_a_chinese_character_and_drops_trailing_punctuation():
    text = "空调 KFR-35GW 外机噪音很大，" + "晚上无法入睡，" * 6 + "Haier"
    title = shorten_title(text)
    assert title.endswith("…") and len(title) <= TITLE_FROM_DESCRIPTION_MAX
    assert "，…" not in title
    assert text.startswith(title[:-1].rstrip("，"))


def test_one_very_long_word_is_cut_where_the_room_ends():
    url = "https://example.com/" + "a" * 100
    assert shorten_title(url) == url[: TITLE_FROM_DESCRIPTION_MAX - 1] + "…"


@pytest.mark.django_db
def test_intake_and_the_detail_correction_use_the_same_rule():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    ticket = make_ticket(actor=agent, description=LONG_EN + ".\nSecond line.")
    assert ticket.title == "The washing machine shakes violently during the spin cycle…"
    ticket = ticket_correct_details(ticket=ticket, actor=agent, title="A title of our own")
    assert ticket.title == "A title of our own"
    ticket = ticket_correct_details(ticket=ticket, actor=agent, title="", description="空调外机噪音很大。" * 10)
    assert ticket.title == ("空调外机噪音很大。" * 10)[: TITLE_FROM_DESCRIPTION_MAX - 1] + "…"
