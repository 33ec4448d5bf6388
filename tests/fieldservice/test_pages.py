"""The pages: dispatcher's board, ticket panel, technician's job at every step, acceptance form
and PDF, the customer's quote link, masking and who may open what."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from aftersales.accounts.models import DataScope, Role
from aftersales.fieldservice import services
from aftersales.fieldservice.models import WorkOrderStatus
from tests.clients import client_for
from tests.factories import UserFactory

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    photo,
    signature_data,
    technician,
    unit_in_warranty,
    unit_out_of_warranty,
    walk_to,
    window,
)

pytestmark = pytest.mark.django_db
W = WorkOrderStatus


@pytest.fixture
def setup():
    handler, boss, tech = agent(), dispatcher(), technician(username="tech-li")
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    return {"handler": handler, "boss": boss, "tech": tech, "ticket": ticket, "measure": measure}


def test_agent_creates_a_work_order_from_the_ticket_page(setup):
    client = client_for(setup["handler"])
    page = client.get(reverse("tickets:detail", args=[setup["ticket"].number]))
    assert b'data-test-id="ticket-work-orders"' in page.content and b'data-test-id="create-work-order"' in page.content
    start, end = window()
    response = client.post(
        reverse("fieldservice:new", args=[setup["ticket"].number]),
        {
            "measure": setup["measure"].pk,
            "site_requirements": "需物业开具进场单",
            "appointment_start": start.strftime("%Y-%m-%dT%H:%M"),
            "appointment_end": end.strftime("%Y-%m-%dT%H:%M"),
            "permits": photo("permit.png"),
        },
    )
    assert response.status_code == 302
    job = setup["ticket"].work_orders.get()
    assert job.site_requirements == "需物业开具进场单" and job.files.filter(kind="permit").count() == 1
    page = client.get(reverse("tickets:detail", args=[setup["ticket"].number]))
    assert job.number.encode() in page.content


def test_the_board_suggests_and_dispatches(setup):
    job = new_job(handler=setup["handler"], measure=setup["measure"])
    client = client_for(setup["boss"])
    page = client.get(reverse("fieldservice:board"))
    assert page.status_code == 200 and b'data-test-id="suggestion-reason"' in page.content
    start, end = window()
    response = client.post(
        reverse("fieldservice:action", args=[job.number, "dispatch"]),
        {
            "technician": setup["tech"].pk,
            "appointment_start": start.strftime("%Y-%m-%dT%H:%M"),
            "appointment_end": end.strftime("%Y-%m-%dT%H:%M"),
            "expected_version": job.version,
            "next": "board",
        },
    )
    assert response.status_code == 302 and fresh(job).status == W.DISPATCHED
    assert client_for(setup["handler"]).get(reverse("fieldservice:board")).status_code == 404  # agents need the right


def test_the_technician_page_at_every_step_and_the_acceptance_form(setup):
    job = new_job(handler=setup["handler"], measure=setup["measure"])
    client = client_for(setup["tech"])
    assert client.get(reverse("fieldservice:detail", args=[job.number])).status_code == 404  # not theirs yet
    steps = {
        "dispatched": lambda wo: walk_to(wo, "dispatched", boss=setup["boss"], tech=setup["tech"]),
        "accepted": lambda wo: services.work_order_accept(work_order=wo, actor=setup["tech"]),
        "on_the_way": lambda wo: services.work_order_depart(work_order=wo, actor=setup["tech"]),
        "on_site": lambda wo: services.work_order_check_in(work_order=wo, actor=setup["tech"]),
    }
    for status, step in steps.items():
        step(fresh(job))
        page = client.get(reverse("fieldservice:detail", args=[job.number]))
        assert page.status_code == 200, status
        assert f'data-status="{status}"'.encode() in page.content
    assert b'data-test-id="photo-before"' in page.content
    # the rest of the job through the page's forms
    url = lambda action: reverse("fieldservice:action", args=[job.number, action])  # noqa: E731
    client.post(url("record_work"), {"diagnosis": "电机坏", "work_done": "换电机", "labour_hours": "2", "travel_km": "5"})
    client.post(url("photo"), {"kind": "before", "photo": photo()})
    client.post(url("photo"), {"kind": "after", "photo": photo()})
    client.post(url("check_out"), {"expected_version": fresh(job).version})
    assert fresh(job).status == W.DONE
    page = client.get(reverse("fieldservice:detail", args=[job.number]))
    assert b'data-test-id="signature-pad"' in page.content
    client.post(url("customer_accept"), {"method": "signature", "signer_name": "张伟", "signature": signature_data()})
    assert fresh(job).status == W.CUSTOMER_ACCEPTED
    form = client.get(reverse("fieldservice:acceptance", args=[job.number]))
    assert "完工验收单" in form.content.decode() and "换电机" in form.content.decode()
    assert client.get(reverse("fieldservice:signature", args=[job.number]))["Content-Type"] == "image/png"
    pdf = client.get(reverse("fieldservice:acceptance_pdf", args=[job.number]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "完工验收单" in text and "换电机" in text and "电机坏" in text


def test_address_masked_for_other_technicians_and_a_technician_sees_only_own_jobs(setup):
    job = walk_to(
        new_job(handler=setup["handler"], measure=setup["measure"]), "dispatched", boss=setup["boss"], tech=setup["tech"]
    )
    other = technician()
    assert client_for(other).get(reverse("fieldservice:detail", args=[job.number])).status_code == 404
    mine = client_for(setup["tech"]).get(reverse("fieldservice:my_jobs")).content.decode()
    assert job.number in mine and "漕溪北路88号3栋502室" in mine
    assert job.number not in client_for(other).get(reverse("fieldservice:my_jobs")).content.decode()
    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    page = client_for(warehouse).get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    assert "漕溪北路88号3栋502室" not in page and 'data-masked="yes"' in page
    phone = job.contact_phone[-4:]
    assert "**** " + phone in page  # 138 **** 5678 (issue 14: phones shown with spaces)


def test_the_customer_confirms_the_quote_through_the_signed_link(setup):
    handler, boss, tech = setup["handler"], setup["boss"], setup["tech"]
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_out_of_warranty())
    job = walk_to(new_job(handler=handler, measure=measure), "accepted", boss=boss, tech=tech)
    assert job.chargeable
    services.work_order_prepare_quote(work_order=job, actor=tech, estimated_hours="2")
    link = services.quote_path_for(fresh(job))
    anonymous = Client()
    page = anonymous.get(link)
    assert page.status_code == 200 and b'data-test-id="quote-confirm"' in page.content
    anonymous.post(link)
    assert fresh(job).quote_confirmed_via == "portal"
    assert anonymous.get(link.replace("quote/", "quote/x")).status_code == 404
