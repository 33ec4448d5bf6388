"""The staff's job page shows the quote card's money as the rest of the product does ("240.00 元"
/ "240.00 yuan", never "CNY") and each line as a label and its amount: no ASCII colon in
Chinese. Both languages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.fieldservice import services
from aftersales.fieldservice.models import ChargePolicy, TravelMode, TravelRate
from tests.clients import client_for_language

from .helpers import agent, dispatcher, fresh, in_progress_ticket, new_job, technician, unit_out_of_warranty, walk_to

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_staff_quote_card_shows_yuan_and_no_ascii_colon(language):
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.FLAT, cost=Decimal("20"), price=Decimal("30"))
    handler, boss, tech = agent(), dispatcher(), technician()
    with translation.override("zh-hans"):
        _ticket, measure = in_progress_ticket(actor=handler, unit=unit_out_of_warranty())
        job = walk_to(new_job(handler=handler, measure=measure), "accepted", boss=boss, tech=tech)
        services.work_order_prepare_quote(work_order=job, actor=tech, estimated_hours="2", parts_estimate="30")
    job = fresh(job)
    assert job.quote_total > 0

    html = client_for_language(boss, language).get(reverse("fieldservice:detail", args=[job.number])).content.decode()

    start = html.index('data-test-id="wo-quote"')
    card = html[start : html.index("</section>", start)]
    unit = "元" if language == "zh-hans" else "yuan"
    assert "CNY" not in card
    total = re.search(r'data-test-id="wo-quote-total" data-amount="([\d.]+)">([^<]+)<', card)
    assert total is not None and Decimal(total.group(1)) == job.quote_total and total.group(2) == f"{job.quote_total} {unit}"
    lines = re.findall(r'<li data-test-id="wo-quote-line">(.*?)</li>', card, re.S)
    assert len(lines) == len(job.quote_lines)
    assert all(re.search(rf"\d+\.\d\d {unit}|免费|free of charge", line) for line in lines)
    if language == "zh-hans":
        text = re.sub(r"<[^>]+>", "", card)
        assert ":" not in text  # Chinese takes the full-width colon, or none (a label and its value)
