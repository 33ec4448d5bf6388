"""Issue 14: asking for parts from an empty store leaves nothing behind and says why once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import DomainError
from aftersales.parts import services
from aftersales.parts.models import Requisition
from aftersales.tickets.models import TicketEvent
from tests.clients import client_for

HX = {"HTTP_HX_REQUEST": "true"}


def test_a_request_the_store_cannot_serve_leaves_no_draft_behind(regional, board, work_order, technician):
    # The regional store has never received a board.
    with pytest.raises(DomainError) as refused:
        services.requisition_request(work_order=work_order, warehouse=regional, lines=[(board, 2)], actor=technician)
    assert refused.value.code == "insufficient_stock"
    assert not Requisition.objects.exists()
    assert not AuditEvent.objects.filter(action="parts.requisition_created").exists()
    assert not TicketEvent.objects.filter(data__action="requisition_created").exists()


def test_the_panel_refuses_an_empty_store_once_and_keeps_no_draft(regional, board, work_order, technician):
    response = client_for(technician).post(
        reverse("parts:panel_request", args=[work_order.pk]),
        {"request-warehouse": regional.pk, "request-part_1": board.pk, "request-quantity_1": 2},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Requisition.objects.exists(), "no stray draft requisition"
    assert 'data-test-id="panel-requisition"' not in html
    # The refusal is on the form, once (not also as a panel error or a second copy).
    assert html.count("P-BOARD") >= 1
    assert html.count('role="alert"') == 1, html
    # The form is open again with what the technician chose.
    assert 'data-test-id="panel-request" open' in html


def test_without_htmx_the_refusal_is_one_message_on_the_next_page(regional, board, work_order, technician):
    client = client_for(technician)
    response = client.post(
        reverse("parts:panel_request", args=[work_order.pk]),
        {"request-warehouse": regional.pk, "request-part_1": board.pk, "request-quantity_1": 2, "next": reverse("parts:van")},
    )
    assert response.status_code == 302 and not Requisition.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert page.count('class="message error"') + page.count("message error") >= 1


def test_a_request_the_store_can_serve_is_created_and_submitted_together(stocked, board, work_order, technician):
    requisition = services.requisition_request(work_order=work_order, warehouse=stocked, lines=[(board, 2)], actor=technician)
    assert requisition.status == "approved"
    assert Requisition.objects.count() == 1
