"""Audit 3 (7, 8, 22, 23, 25): the customer signs the acceptance where they see what they pay and
never our cost; the quote page says the warranty answer once, names the ticket number the
customer knows, shows amounts as "30.00 元" with a full-width colon in Chinese and leads back to
the request once answered; the acceptance form's heading is translated; the technician's own
status badge; the offline hint on the steps. Both languages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.fieldservice import services
from aftersales.fieldservice.models import ChargePolicy, TravelMode, TravelRate, WorkOrder
from aftersales.notifications.links import customer_ticket_path
from tests.clients import client_for, client_for_language

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    signature_data,
    technician,
    unit_out_of_warranty,
    walk_to,
)

pytestmark = pytest.mark.django_db
LANGUAGES = ["zh-hans", "en"]


def _prices() -> None:
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.FLAT, cost=Decimal("20"), price=Decimal("30"))


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    _prices()
    return {"handler": agent(), "boss": dispatcher(), "tech": technician()}


def _done_job(people, unit=None) -> WorkOrder:  # type: ignore[no-untyped-def]
    """An out-of-warranty job, quoted, confirmed and checked out: waiting for the customer's acceptance."""
    with translation.override("zh-hans"):
        _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit or unit_out_of_warranty())
        return walk_to(new_job(handler=people["handler"], measure=measure), "done", boss=people["boss"], tech=people["tech"])


def _quoted_job(people, unit=None) -> WorkOrder:  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit)
        job = walk_to(new_job(handler=people["handler"], measure=measure), "accepted", boss=people["boss"], tech=people["tech"])
        assert job.chargeable
        services.work_order_prepare_quote(work_order=job, actor=people["tech"], estimated_hours="2", parts_estimate="30")
    return fresh(job)


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_customer_signs_next_to_what_they_pay_and_never_sees_our_cost(people, language):
    job = _done_job(people)
    assert job.charge_total > 0 and job.cost_total > 0
    html = client_for_language(people["tech"], language).get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    block = _between(html, 'data-test-id="acceptance-step"', 'data-test-id="signature-pad"')
    # The charge lines and the total sit above the pad, in the customer's words.
    assert 'data-test-id="acceptance-charges"' in block
    assert block.count('data-test-id="acceptance-charge-line"') == job.charge_lines.count()
    total = re.search(r'data-test-id="acceptance-charge-total" data-amount="([\d.]+)">([^<]+)<', block)
    assert total is not None and Decimal(total.group(1)) == job.charge_total
    assert total.group(2) == (f"{job.charge_total} 元" if language == "zh-hans" else f"{job.charge_total} yuan")
    assert ("您共需支付：" if language == "zh-hans" else "In all you pay:") in block
    # No cost in the customer's block: neither the column nor an amount.
    assert ("成本" if language == "zh-hans" else "Cost") not in block
    assert str(job.cost_total) not in block
    for line in job.charge_lines.all():
        assert str(line.cost_amount) not in block or line.cost_amount == line.charge_amount
    # The technician's own copy of cost and charge is folded away, marked internal.
    internal = re.search(r'<details class="card" id="charges" data-test-id="wo-charges" data-internal="yes">', html)
    assert internal is not None and html.index(internal.group(0)) > html.index('data-test-id="signature-pad"')
    assert 'data-test-id="cost-total">' + str(job.cost_total) in html


def test_staff_read_cost_and_charge_openly_with_the_reason_under_each_item(people):
    job = _done_job(people)
    html = client_for_language(people["handler"], "en").get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    section = _between(html, '<section class="card" id="charges"', "</section>")
    assert "<th>Cost</th>" in section and "<th>Why</th>" not in section  # the reason is under the item, not a narrow column
    assert section.count('data-test-id="charge-reason"') == job.charge_lines.count()
    assert 'data-test-id="acceptance-charges"' not in html  # the acceptance step is the technician's


@pytest.mark.parametrize(
    ("language", "mine", "theirs"),
    [("zh-hans", "你已接单", "技师已接单"), ("en", "You accepted the job", "Accepted by the technician")],
)
def test_the_technician_reads_his_own_status_naturally(people, language, mine, theirs):
    _ticket, measure = in_progress_ticket(actor=people["handler"])
    job = walk_to(new_job(handler=people["handler"], measure=measure), "accepted", boss=people["boss"], tech=people["tech"])
    url = reverse("fieldservice:detail", args=[job.number])
    badge = re.compile(r'data-test-id="wo-status">([^<]+)<')
    assert badge.search(client_for_language(people["tech"], language).get(url).content.decode()).group(1) == mine
    assert badge.search(client_for_language(people["handler"], language).get(url).content.decode()).group(1) == theirs
    jobs = client_for_language(people["tech"], language).get(reverse("fieldservice:my_jobs")).content.decode()
    assert re.search(r'data-test-id="my-job-status">([^<]+)<', jobs).group(1) == mine


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_steps_carry_a_hidden_offline_hint(people, language):
    _ticket, measure = in_progress_ticket(actor=people["handler"])
    job = walk_to(new_job(handler=people["handler"], measure=measure), "dispatched", boss=people["boss"], tech=people["tech"])
    html = client_for_language(people["tech"], language).get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    hint = re.search(
        r'<p class="message error" role="alert" data-offline-hint data-test-id="offline-hint" hidden>([^<]+)</p>', html
    )
    assert hint is not None and ("离线" in hint.group(1) if language == "zh-hans" else "You are offline" in hint.group(1))
    assert "data-offline-guard" in _between(html, '<section class="card fs-steps"', ">")


@pytest.mark.parametrize(("language", "heading"), [("zh-hans", "完工验收单"), ("en", "Completion acceptance form")])
def test_the_acceptance_form_heading_is_said_in_one_language(people, language, heading):
    job = _done_job(people)
    tech = client_for_language(people["tech"], language)
    tech.post(
        reverse("fieldservice:action", args=[job.number, "customer_accept"]),
        {"method": "signature", "signer_name": "张伟", "signature": signature_data()},
    )
    html = tech.get(reverse("fieldservice:acceptance", args=[job.number])).content.decode()
    assert re.search(r"<h1>([^<]+)</h1>", html).group(1) == heading
    if language == "en":
        assert "完工验收单" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_quote_states_an_unknown_warranty_once_under_the_customers_ticket_number(people, language):
    job = _quoted_job(people)  # no registered unit: the warranty is unknown
    client = Client()
    client.cookies["django_language"] = language
    link = services.quote_path_for(job)
    html = client.get(link).content.decode()
    page = _between(html, 'data-test-id="quote-page"', "</article>")
    heading = re.search(r'data-test-id="quote-heading">([^<]+)<', page).group(1)
    assert job.ticket.number in heading and job.number not in heading
    assert job.number in re.search(r'data-test-id="quote-work-order">([^<]+)<', page).group(1)
    assert 'data-warranty="unknown"' in html
    warranty = re.search(r'data-test-id="quote-warranty">(.*?)</p>', page, re.S).group(1)
    if language == "zh-hans":
        assert "我们无法确认您产品的保修" in warranty and "不在保修范围内" not in page
    else:
        assert "We could not confirm a warranty" in warranty and "not covered by the warranty" not in page
    # The lines say what and how much, not the reason again.
    lines = re.findall(r'<li data-test-id="quote-line">(.*?)</li>', page, re.S)
    assert len(lines) == len(job.quote_lines)
    unit = "元" if language == "zh-hans" else "yuan"
    assert all(re.search(rf"\d+\.\d\d {unit}|免费|free of charge", line) for line in lines)
    assert "unknown" not in " ".join(lines) and "未知" not in " ".join(lines) and "CNY" not in page
    total = re.search(r'data-test-id="quote-total" data-amount="([\d.]+)">([^<]+)<', page)
    assert Decimal(total.group(1)) == job.quote_total and total.group(2) == f"{job.quote_total} {unit}"
    assert ("报价合计：" if language == "zh-hans" else "Quoted in all:") in page
    assert 'data-test-id="quote-back-to-request"' not in page  # not yet answered: the answer comes first


@pytest.mark.parametrize("answer", ["confirm", "decline"])
def test_after_answering_the_quote_leads_back_to_the_request(people, answer):
    job = _quoted_job(people, unit=unit_out_of_warranty())
    client = Client()
    client.cookies["django_language"] = "en"
    link = services.quote_path_for(job)
    client.post(link, {"answer": answer, "reason": "Too dear"})
    job = fresh(job)
    assert (job.quote_confirmed_at if answer == "confirm" else job.quote_declined_at) is not None
    html = client.get(link).content.decode()
    back = re.search(r'<a class="button" href="([^"]+)" data-test-id="quote-back-to-request">Back to your request</a>', html)
    assert back is not None and back.group(1) == customer_ticket_path(job.ticket)
    assert job.ticket.number in client.get(back.group(1)).content.decode()
    # Out of warranty: the page says since when, once.
    ends = re.search(r'data-test-id="quote-warranty">The warranty of your product ended on (\d{4}-\d\d-\d\d), so', html)
    assert ends is not None and 'data-warranty="out"' in html


def test_the_quote_message_does_not_claim_what_the_warranty_answer_may_not_say(people):
    from aftersales.notifications.template_events import event_for

    body = str(event_for("fieldservice.quote").body)
    assert "not covered by the warranty" not in body and "CNY" not in body
    with translation.override("zh-hans"):
        chinese = str(event_for("fieldservice.quote").body)
    assert "元" in chinese and "不在保修范围内" not in chinese


def test_the_technicians_page_is_his_and_the_acceptance_block_is_not_shown_to_others(people):
    job = _done_job(people)
    other = technician()
    assert client_for(other).get(reverse("fieldservice:detail", args=[job.number])).status_code == 404
