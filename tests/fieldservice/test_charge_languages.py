"""Issue 14, "one language at a time": the charge lines and the quote a technician's phone costed
in Chinese are read in English by an English reader — on the job page, the quote page, the
acceptance form and its PDF, the API and the case file — and the other way round."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from aftersales.casefile.selectors import case_file_for
from aftersales.catalog.warranty import WarrantyState, unit_warranty_status
from aftersales.core import clock
from aftersales.core.i18n import Deferred, rendered
from aftersales.fieldservice import services
from aftersales.fieldservice.models import ChargePolicy, TravelMode, TravelRate, WorkOrder, WorkOrderChargeLine, charge_text

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    photo,
    signature_data,
    technician,
    unit_out_of_warranty,
    walk_to,
)

pytestmark = pytest.mark.django_db

OUT_EN, OUT_ZH = "Out of warranty since", "起已过保：收费。"
LABOUR_EN, LABOUR_ZH = "Labour: 1.50 h", "工时：1.50 小时"


@pytest.fixture
def job():  # type: ignore[no-untyped-def]
    """An out-of-warranty job quoted, done and accepted on a technician's phone set to Chinese."""
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.PER_KM, cost=Decimal("1.50"), price=Decimal("3.00"))
    handler, boss, tech = agent(data_scope="all"), dispatcher(), technician()
    with translation.override("zh-hans"):
        _ticket, measure = in_progress_ticket(actor=handler, unit=unit_out_of_warranty())
        job = walk_to(new_job(handler=handler, measure=measure), "on_site", boss=boss, tech=tech)
        services.work_order_record_work(
            work_order=job, actor=tech, diagnosis="排水泵故障", work_done="更换排水泵", labour_hours="1.5", travel_km="10"
        )
        services.work_order_add_photo(work_order=fresh(job), actor=tech, kind="before", file=photo())
        services.work_order_add_photo(work_order=fresh(job), actor=tech, kind="after", file=photo())
        services.work_order_prepare_quote(work_order=fresh(job), actor=tech, estimated_hours="1.5", estimated_km="10")
        services.work_order_confirm_quote(work_order=fresh(job), actor=tech)
        done = services.work_order_check_out(work_order=fresh(job), actor=tech)
        services.work_order_customer_accept(
            work_order=fresh(done), actor=tech, method="signature", signer_name="张伟", signature=signature_data()
        )
    return fresh(done), handler


def _say(language: str, text: Deferred | None) -> str:
    with translation.override(language):
        return rendered(text)


def test_the_stored_lines_are_said_in_each_readers_language(job):
    work_order, _handler = job
    labour = work_order.charge_lines.get(kind="labour")
    assert OUT_ZH in labour.reason and labour.description == LABOUR_ZH  # as the technician read them
    with translation.override("en"):
        assert labour.shown_reason.startswith(OUT_EN) and labour.shown_description == LABOUR_EN
    with translation.override("zh-hans"):
        assert OUT_ZH in labour.shown_reason and labour.shown_description == LABOUR_ZH
    (quote_labour,) = [line for line in work_order.quote_lines if line["kind"] == "labour"]
    with translation.override("en"):
        assert charge_text(quote_labour, "reason").startswith(OUT_EN)


def test_a_line_costed_before_the_texts_shows_its_plain_text(job):
    work_order, _handler = job
    WorkOrderChargeLine.objects.filter(work_order=work_order).update(texts={})
    labour = work_order.charge_lines.get(kind="labour")
    with translation.override("en"):
        assert OUT_ZH in labour.shown_reason  # nothing else is known
    assert charge_text({"reason": "旧的原因"}, "reason") == "旧的原因"


def _client(language: str, user=None) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies.load({"django_language": language})  # the language switch (pages ignore the browser's)
    return client


def test_the_job_page_quote_page_and_acceptance_form_in_english(job):
    work_order, handler = job
    client = _client("en", handler)
    page = client.get(reverse("fieldservice:detail", args=[work_order.number])).content.decode()
    assert OUT_EN in page and LABOUR_EN in page and OUT_ZH not in page and LABOUR_ZH not in page
    chinese = _client("zh-hans", handler).get(reverse("fieldservice:detail", args=[work_order.number])).content.decode()
    assert OUT_ZH in chinese and LABOUR_ZH in chinese and OUT_EN not in chinese

    token = services.quote_token_for(work_order)
    quote = _client("en").get(reverse("fieldservice:quote_by_link", args=[token])).content.decode()
    # The quote page says the warranty answer once, the lines only what and how much (audit 3, 8).
    assert 'data-test-id="quote-line"' in quote and LABOUR_EN in quote and LABOUR_ZH not in quote
    assert "The warranty of your product ended on" in quote and OUT_ZH not in quote

    form = client.get(reverse("fieldservice:acceptance", args=[work_order.number])).content.decode()
    assert OUT_EN in form and LABOUR_EN in form and OUT_ZH not in form and "On-site repair" in form
    pdf = client.get(reverse("fieldservice:acceptance_pdf", args=[work_order.number]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert OUT_EN in " ".join(text.split()) and OUT_ZH not in text


def test_the_api_and_the_case_file_in_the_callers_language(job):
    from tests.api.conftest import api_client

    work_order, handler = job
    client = api_client(handler)
    charges = client.get(f"/api/v1/work-orders/{work_order.number}/charges", headers={"Accept-Language": "en"})
    assert charges.status_code == 200, charges.content
    labour = next(line for line in charges.json()["lines"] if line["kind"] == "labour")
    assert labour["reason"].startswith(OUT_EN) and labour["description"] == LABOUR_EN
    quote = client.get(f"/api/v1/work-orders/{work_order.number}/quote", headers={"Accept-Language": "en"})
    assert quote.status_code == 200, quote.content
    assert any(line["reason"].startswith(OUT_EN) for line in quote.json()["lines"])

    with translation.override("en"):
        case = case_file_for(ticket=work_order.ticket, viewer=handler)
    (order,) = [o for o in case.work_orders if o.number == work_order.number]
    lines = {line.kind: line for line in order.charge_lines}
    assert lines["labour"].reason.startswith(OUT_EN) and lines["labour"].description == LABOUR_EN


def test_the_warranty_status_keeps_its_reason_as_a_deferred_text():
    with translation.override("zh-hans"):
        status = unit_warranty_status(unit_out_of_warranty(), clock.local_today())
    assert status.state == WarrantyState.OUT_OF_WARRANTY and "保修" in status.reason  # the caller's language
    assert _say("zh-hans", status.reason_text) == status.reason
    english = _say("en", status.reason_text)
    assert english.startswith("Warranty of ") and "from the purchase date" in english
    unknown = unit_warranty_status(None, clock.local_today())
    assert _say("en", unknown.reason_text) == "The unit is not registered; its warranty is unknown."
    assert _say("zh-hans", unknown.reason_text) != _say("en", unknown.reason_text)
    assert WorkOrder.objects.count() == 0
