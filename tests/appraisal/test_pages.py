"""The appraisal pages: the ticket panel (htmx request, take, assign), the appraiser's queue, the
report form and signature, the PDF in Chinese and English, files, and the customer's portal page
(accept or re-appraisal, once; another customer's link refused)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from aftersales.appraisal.links import appraisal_result_path
from aftersales.appraisal.models import Appraisal, AppraisalStatus
from tests.appraisal.helpers import A, agent, appraiser, customer_user, photo, ticket_with_unit, walk
from tests.clients import client_for_language

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_ticket_panel_requests_and_assigns_through_htmx():
    requester = agent()
    who = appraiser()
    ticket = ticket_with_unit(actor=requester)
    client = client_for_language(requester)
    page = client.get(reverse("tickets:detail", args=[ticket.number]))
    assert page.status_code == 200
    panel_url = reverse("appraisal:ticket_panel", args=[ticket.number])
    # the ticket page only holds the placeholder; htmx loads the panel after the page
    assert b'data-test-id="appraisal-panel-loading"' in page.content and f'hx-get="{panel_url}"'.encode() in page.content
    assert b'data-test-id="appraisal-request-form"' not in page.content
    panel = client.get(panel_url, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and b"<html" not in panel.content
    assert b'data-test-id="ticket-appraisals"' in panel.content and b'data-test-id="appraisal-request-form"' in panel.content
    plain = client.get(panel_url)  # without JavaScript: a page of its own
    assert b"<html" in plain.content and b'data-test-id="appraisal-request-form"' in plain.content
    refused = client.post(reverse("appraisal:request", args=[ticket.number]), {"place": "moon"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and b'data-test-id="error-place"' in refused.content
    assert not Appraisal.objects.exists()
    done = client.post(
        reverse("appraisal:request", args=[ticket.number]), {"place": "outlet", "note": "请鉴定"}, HTTP_HX_REQUEST="true"
    )
    assert done.status_code == 200 and b'data-test-id="ticket-appraisal"' in done.content
    appraisal = Appraisal.objects.get()
    assigned = client.post(
        reverse("appraisal:action", args=[appraisal.pk, "assign"]),
        {"appraiser": who.pk, "expected_version": appraisal.version},
        HTTP_HX_REQUEST="true",
    )
    assert assigned.status_code == 200 and b'data-status="assigned"' in assigned.content
    appraisal.refresh_from_db()
    assert appraisal.appraiser == who


def test_appraiser_takes_writes_signs_and_prints():
    who = appraiser()
    appraisal = walk(to=A.REQUESTED)
    client = client_for_language(who)
    queue = client.get(reverse("appraisal:queue"))
    assert queue.status_code == 200 and f'data-id="{appraisal.pk}"'.encode() in queue.content
    client.post(reverse("appraisal:action", args=[appraisal.pk, "take"]), {"expected_version": appraisal.version})
    appraisal.refresh_from_db()
    assert appraisal.appraiser == who and appraisal.status == AppraisalStatus.ASSIGNED
    detail = reverse("appraisal:detail", args=[appraisal.pk])
    page = client.get(detail)
    assert b'data-test-id="appraisal-report-form"' in page.content
    form = {
        "expected_version": appraisal.version,
        "symptom": "不制热",
        "test-0-name": "电加热电阻",
        "test-0-reading": "∞",
        "test-0-expected": "40 Ω",
        "findings": "电加热丝断路",
        "fault_type": "performance",
        "cause": "manufacturing",
        "responsibility": "internal",
        "responsible_party": "总装车间",
        "component_text": "电加热丝",
        "sanbao_applies": "yes",
    }
    bad = client.post(reverse("appraisal:report", args=[appraisal.pk]), {**form, "responsibility": "supplier"})
    assert bad.status_code == 200 and b'data-test-id="error-supplier"' in bad.content
    saved = client.post(reverse("appraisal:report", args=[appraisal.pk]), form)
    assert saved.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.status == AppraisalStatus.REPORTED
    assert appraisal.tests == [{"name": "电加热电阻", "reading": "∞", "expected": "40 Ω"}]
    uploaded = client.post(reverse("appraisal:upload", args=[appraisal.pk]), {"kind": "photo", "file": photo("加热丝.png")})
    assert uploaded.status_code == 302 and appraisal.files.count() == 1
    client.post(reverse("appraisal:action", args=[appraisal.pk, "sign"]), {"expected_version": appraisal.version + 1})
    appraisal.refresh_from_db()
    assert appraisal.status == AppraisalStatus.SIGNED and appraisal.signed_by == who
    page = client.get(detail)
    assert b'data-test-id="appraisal-report-form"' not in page.content  # read-only now
    assert b'data-test-id="appraisal-report-read"' in page.content
    text = pdf_text(client.get(reverse("appraisal:pdf", args=[appraisal.pk])))
    assert "鉴定报告" in text and "性能故障" in text and "电加热电阻" in text
    who.language = "en"
    who.save(update_fields=["language"])
    english = pdf_text(client_for_language(who, "en").get(reverse("appraisal:pdf", args=[appraisal.pk])))
    assert "Appraisal report" in english and "Performance fault" in english
    assert client.get(reverse("appraisal:file", args=[appraisal.files.get().pk])).status_code == 200


def test_another_appraiser_cannot_write_and_out_of_scope_is_404():
    appraisal = walk(to=A.ASSIGNED)
    stranger = appraiser(data_scope="own")
    client = client_for_language(stranger)
    assert client.get(reverse("appraisal:detail", args=[appraisal.pk])).status_code == 404
    assert client.get(reverse("appraisal:pdf", args=[appraisal.pk])).status_code == 404
    other = appraiser()
    response = client_for_language(other).post(reverse("appraisal:action", args=[appraisal.pk, "sign"]), {})
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.status == AppraisalStatus.ASSIGNED


def test_customer_answers_on_the_portal_through_the_signed_link():
    appraisal = walk(to=A.SIGNED)
    link = appraisal_result_path(appraisal)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = anonymous.get(link)
    assert page.status_code == 200
    assert "性能故障" in page.content.decode() and b'data-test-id="portal-appraisal-form"' in page.content
    assert "鉴定报告" in pdf_text(anonymous.get(link + "report.pdf"))
    missing = anonymous.post(link, {"decision": "reappraisal", "expected_version": appraisal.version})
    assert missing.status_code == 200 and b'data-test-id="error-reason"' in missing.content
    answered = anonymous.post(link, {"decision": "accepted", "expected_version": appraisal.version})
    assert answered.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.status == AppraisalStatus.ACCEPTED
    again = anonymous.get(link)
    assert (
        b'data-test-id="portal-appraisal-form"' not in again.content
        and b'data-test-id="portal-appraisal-answer"' in again.content
    )
    twice = anonymous.post(link, {"decision": "reappraisal", "reason": "再看", "expected_version": appraisal.version})
    assert twice.status_code == 200 and "已答复" in twice.content.decode()
    assert anonymous.get("/portal/appraisal/forged-token/").status_code == 404


def test_signed_in_customer_and_another_customers_appraisal():
    mine = walk(to=A.SIGNED)
    theirs = walk(to=A.SIGNED)
    owner = customer_user(mine.ticket.customer)
    client = client_for_language(owner)
    page = client.get(reverse("portal:appraisal", args=[mine.pk]))
    assert page.status_code == 200
    assert client.get(reverse("portal:appraisal", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("portal:appraisal", args=[theirs.pk]), {"decision": "accepted"}).status_code == 404
    assert client.get(reverse("portal:appraisal_pdf", args=[theirs.pk])).status_code == 404
    answered = client.post(
        reverse("portal:appraisal", args=[mine.pk]),
        {"decision": "reappraisal", "reason": "要求第三方检测", "expected_version": mine.version},
    )
    assert answered.status_code == 302
    assert Appraisal.objects.filter(previous=mine, status=AppraisalStatus.REQUESTED).exists()
    theirs.refresh_from_db()
    assert theirs.status == AppraisalStatus.SIGNED
    # A customer does not reach the staff pages.
    assert client.get(reverse("appraisal:detail", args=[mine.pk])).status_code in (302, 403)


def test_english_reader_sees_no_chinese_interface_text():
    appraisal = walk(to=A.SIGNED)
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.cookies["django_language"] = "en"
    page = english.get(appraisal_result_path(appraisal))
    html = page.content.decode()
    assert "Appraisal result" in html and "Performance fault" in html and "鉴定" not in html
