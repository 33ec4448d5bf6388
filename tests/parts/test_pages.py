"""The parts pages and the work order's parts panel: who sees what, and that the htmx forms call
the services (asserted through stock levels and data-test-id hooks)."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from aftersales.accounts.models import Role, User
from aftersales.parts import services
from aftersales.parts.models import PartReturn, PartUsage, RequisitionApprovalRule, RequisitionStatus, Transfer
from tests.clients import client_for
from tests.factories import UserFactory
from tests.parts.conftest import assert_ledger_balances, level

HX = {"HTTP_HX_REQUEST": "true"}


def test_nav_shows_parts_to_warehouse_staff_and_the_van_to_technicians(keeper, technician):
    page = client_for(keeper).get(reverse("parts:stock")).content.decode()
    assert 'data-test-id="nav-parts"' in page and 'data-test-id="nav-van"' not in page
    page = client_for(technician).get(reverse("parts:van")).content.decode()
    assert 'data-test-id="nav-van"' in page and 'data-test-id="nav-parts"' not in page
    agent_page = client_for(UserFactory(role=Role.AGENT)).get(reverse("parts:catalogue")).content.decode()
    assert 'data-test-id="nav-parts"' not in agent_page and 'data-test-id="nav-van"' not in agent_page


def test_stock_page_lists_rows_and_filters_by_part_and_low(stocked, board, sensor, keeper, django_assert_max_num_queries):
    services.stock_set_levels(warehouse=stocked, part=sensor, min_level=25, emergency_reserve=0, actor=keeper)
    client = client_for(keeper)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("parts:stock")).content.decode()
    assert page.count('data-test-id="stock-row"') == 2
    fragment = client.get(reverse("parts:stock"), {"q": "BOARD"}, **HX).content.decode()
    assert "<html" not in fragment and fragment.count('data-test-id="stock-row"') == 1 and "P-BOARD" in fragment
    low = client.get(reverse("parts:stock"), {"low": "on"}, **HX).content.decode()
    assert low.count('data-test-id="stock-row"') == 1 and 'data-part="P-SENSOR"' in low
    low_page = client.get(reverse("parts:low_stock")).content.decode()
    assert low_page.count('data-test-id="low-row"') == 1


def test_technicians_and_agents_cannot_open_warehouse_pages(technician, stocked):
    tech = client_for(technician)
    assert tech.get(reverse("parts:stock")).status_code == 302  # to their van
    for name in ("parts:low_stock", "parts:ledger", "parts:returns", "parts:transfers"):
        assert tech.get(reverse(name)).status_code == 403
    agent = client_for(UserFactory(role=Role.AGENT))
    assert agent.get(reverse("parts:stock")).status_code == 403
    assert agent.get(reverse("parts:catalogue")).status_code == 200


def test_catalogue_search_finds_by_number_name_or_model(board, sensor, technician):
    from tests.factories import ProductModelFactory

    model = ProductModelFactory(code="KFR-35GW/TEST")
    board.compatible_models.add(model)
    client = client_for(technician)
    assert (
        client.get(reverse("parts:catalogue"), {"q": "传感器"}, **HX).content.decode().count('data-test-id="catalogue-row"') == 1
    )
    found = client.get(reverse("parts:catalogue"), {"q": "KFR-35GW"}, **HX).content.decode()
    assert 'data-part="P-BOARD"' in found and 'data-part="P-SENSOR"' not in found


def _panel_html(user: User, work_order) -> str:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load parts_tags %}{% work_order_parts_panel work_order %}").render(
        Context({"request": request, "work_order": work_order})
    )


def test_the_panel_offers_only_what_the_user_may_do(stocked, work_order, technician, keeper):
    mine = _panel_html(technician, work_order)
    assert 'data-test-id="parts-panel"' in mine and 'data-test-id="panel-request"' in mine
    assert 'data-test-id="panel-use"' not in mine, "nothing in the van to use yet"
    assert 'data-test-id="parts-contact"' not in mine
    stranger = _panel_html(UserFactory(role=Role.TECHNICIAN), work_order)
    assert 'data-test-id="parts-panel"' not in stranger
    keeper_view = _panel_html(keeper, work_order)
    assert 'data-test-id="parts-contact"' in keeper_view
    assert work_order.ticket.contact_phone not in keeper_view, "warehouse staff see a masked phone"
    assert re.search(r"\d{3} \*{4} \d{4}", keeper_view)  # 138 **** 5678 (issue 14)


def test_a_technician_requests_uses_and_returns_parts_through_the_panel(stocked, board, sensor, work_order, technician, keeper):
    tech = client_for(technician)
    response = tech.post(
        reverse("parts:panel_request", args=[work_order.pk]),
        {
            "request-warehouse": stocked.pk,
            "request-part_1": board.pk,
            "request-quantity_1": 2,
            "request-part_2": sensor.pk,
            "request-quantity_2": 1,
        },
        **HX,
    )
    assert response.status_code == 200 and 'data-test-id="parts-flash"' in response.content.decode()
    requisition = work_order.requisitions.get()
    assert requisition.status == RequisitionStatus.APPROVED and level(stocked, board).reserved == 2
    # The technician may not issue; the keeper issues from the panel.
    assert 'data-test-id="panel-issue"' not in response.content.decode()
    issued = client_for(keeper).post(reverse("parts:requisition_action", args=[requisition.pk, "issue"]), {"panel": "1"}, **HX)
    assert issued.status_code == 200
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED

    panel = tech.get(reverse("parts:panel", args=[work_order.pk])).content.decode()
    assert 'data-test-id="panel-use"' in panel
    used = tech.post(
        reverse("parts:panel_use", args=[work_order.pk]),
        {"use-part_1": board.pk, "use-quantity_1": 1, "use-serial_1": "NEW-1", "use-removed_serial_1": "OLD-1"},
        **HX,
    ).content.decode()
    assert 'data-part="P-BOARD"' in used and PartUsage.objects.get().serial == "NEW-1"
    too_many = tech.post(reverse("parts:panel_use", args=[work_order.pk]), {"use-part_1": board.pk, "use-quantity_1": 5}, **HX)
    assert too_many.status_code == 200 and 'role="alert"' in too_many.content.decode()
    assert PartUsage.objects.count() == 1

    returned = tech.post(
        reverse("parts:panel_return", args=[work_order.pk]),
        {
            "return-warehouse": stocked.pk,
            "return-part_1": board.pk,
            "return-quantity_1": 1,
            "return-faulty_part": board.pk,
            "return-faulty_serial": "OLD-1",
        },
        **HX,
    )
    assert returned.status_code == 200 and 'data-test-id="panel-return"' in returned.content.decode()
    part_return = PartReturn.objects.get()
    keeper_client = client_for(keeper)
    assert 'data-test-id="return-card"' in keeper_client.get(reverse("parts:returns")).content.decode()
    keeper_client.post(reverse("parts:return_receive", args=[part_return.pk]))
    faulty_page = keeper_client.get(reverse("parts:faulty")).content.decode()
    assert faulty_page.count('data-test-id="faulty-card"') == 1
    faulty = part_return.faulty.get()
    keeper_client.post(reverse("parts:faulty_appraise", args=[faulty.pk]), {"result": "wear", "note": "正常磨损"})
    faulty.refresh_from_db()
    assert faulty.appraisal_result == "wear"
    assert level(stocked, board).on_hand == 9
    assert_ledger_balances()


def test_another_technician_cannot_post_to_someone_elses_work_order(stocked, board, work_order):
    other = client_for(UserFactory(role=Role.TECHNICIAN))
    response = other.post(
        reverse("parts:panel_request", args=[work_order.pk]),
        {"request-warehouse": stocked.pk, "request-part_1": board.pk, "request-quantity_1": 1},
    )
    assert response.status_code == 404
    assert not work_order.requisitions.exists()


def test_requisition_inbox_approve_and_issue_pages(stocked, board, work_order, technician, supervisor, keeper):
    RequisitionApprovalRule.objects.create(name="全部审批", approver_role="supervisor")
    requisition = services.requisition_submit(
        requisition=services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 2)], actor=technician),
        actor=technician,
    )
    boss = client_for(supervisor)
    inbox = boss.get(reverse("parts:requisitions")).content.decode()
    assert f'data-number="{requisition.number}"' in inbox
    detail = boss.get(reverse("parts:requisition", args=[requisition.pk])).content.decode()
    assert 'data-test-id="approve"' in detail and 'data-test-id="issue"' not in detail
    assert work_order.ticket.contact_phone not in detail
    refused = boss.post(reverse("parts:requisition_action", args=[requisition.pk, "reject"]), {"comment": ""})
    assert refused.status_code == 200 and 'data-test-id="action-error"' in refused.content.decode()
    boss.post(reverse("parts:requisition_action", args=[requisition.pk, "approve"]), {"comment": "可以"})
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    keeper_detail = client_for(keeper).get(reverse("parts:requisition", args=[requisition.pk])).content.decode()
    assert 'data-test-id="issue"' in keeper_detail
    client_for(keeper).post(reverse("parts:requisition_action", args=[requisition.pk, "issue"]))
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED
    # A technician sees only requisitions of their own work orders.
    assert (
        client_for(UserFactory(role=Role.TECHNICIAN)).get(reverse("parts:requisition", args=[requisition.pk])).status_code == 404
    )


def test_transfer_page_creates_and_receives_a_transfer(stocked, central, board, keeper):
    client = client_for(keeper)
    response = client.post(
        reverse("parts:transfers"),
        {"from_warehouse": stocked.pk, "to_warehouse": central.pk, "part_1": board.pk, "quantity_1": 3, "in_transit": "on"},
    )
    assert response.status_code == 302
    page = client.get(reverse("parts:transfers")).content.decode()
    assert 'data-test-id="receive-transfer"' in page
    transfer = Transfer.objects.get()
    client.post(reverse("parts:transfer_receive", args=[transfer.pk]))
    assert level(central, board).on_hand == 3 and level(stocked, board).on_hand == 7


def test_ledger_page_filters_by_warehouse_and_part(stocked, board, keeper):
    page = client_for(keeper).get(reverse("parts:ledger"), {"warehouse": stocked.pk, "part": board.pk}).content.decode()
    assert page.count('data-test-id="ledger-row"') == 1


@pytest.mark.parametrize("path", ["parts:van"])
def test_my_van_lists_the_technicians_parts(path, stocked, board, work_order, technician, keeper):
    requisition = services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 2)], actor=technician)
    services.requisition_submit(requisition=requisition, actor=technician)
    services.requisition_issue(requisition=requisition, actor=keeper)
    page = client_for(technician).get(reverse(path)).content.decode()
    assert 'data-test-id="van-row"' in page and 'data-part="P-BOARD"' in page


def test_warehouse_staff_receive_goods_from_the_stock_page(regional, board, keeper, technician):
    client = client_for(keeper)
    assert 'data-test-id="receive-goods"' in client.get(reverse("parts:stock")).content.decode()
    response = client.post(
        reverse("parts:receive"), {"warehouse": regional.pk, "part_1": board.pk, "quantity_1": 7, "reference": "PO-9"}
    )
    assert response.status_code == 302
    assert level(regional, board).on_hand == 7
    refused = client.post(reverse("parts:receive"), {"warehouse": regional.pk})
    assert refused.status_code == 200 and 'data-test-id="error-part_1"' in refused.content.decode()
    assert client_for(technician).get(reverse("parts:receive")).status_code == 403


def test_requisition_list_queries_do_not_grow_with_rows(
    stocked, board, work_order_for, technician, keeper, django_assert_max_num_queries
):
    for _ in range(6):
        services.requisition_create(work_order=work_order_for(), warehouse=stocked, lines=[(board, 1)], actor=technician)
    client = client_for(keeper)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("parts:requisitions"), {"status": "all"}).content.decode()
    assert page.count('data-test-id="requisition-row"') == 6


OFFERED = {
    # status: (the requesting technician, the supervisor who approves, the region's keeper)
    RequisitionStatus.DRAFT: ({"submit", "cancel"}, {"submit", "cancel"}, {"submit", "cancel"}),
    RequisitionStatus.SUBMITTED: ({"cancel"}, {"approve", "reject", "cancel"}, {"cancel"}),
    RequisitionStatus.APPROVED: ({"cancel"}, {"issue", "cancel"}, {"issue", "cancel"}),
    RequisitionStatus.REJECTED: (set(), set(), set()),
    RequisitionStatus.ISSUED: (set(), set(), set()),
    RequisitionStatus.CANCELLED: (set(), set(), set()),
}
PANEL_OFFERED = {
    # status: (the technician, the keeper) on the work order's parts panel
    RequisitionStatus.DRAFT: ({"cancel"}, {"cancel"}),
    RequisitionStatus.SUBMITTED: ({"cancel"}, {"cancel"}),
    RequisitionStatus.APPROVED: ({"cancel"}, {"issue", "cancel"}),
    RequisitionStatus.REJECTED: (set(), set()),
    RequisitionStatus.ISSUED: (set(), set()),
    RequisitionStatus.CANCELLED: (set(), set()),
}
ACTION_BUTTON = re.compile(r'data-test-id="(?:panel-)?(submit|approve|reject|issue|cancel)"')


@pytest.mark.parametrize("status", RequisitionStatus.values)
def test_the_pages_offer_the_declared_actions_in_each_status(status, stocked, board, work_order, technician, supervisor, keeper):
    requisition = services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 1)], actor=technician)
    type(requisition).objects.filter(pk=requisition.pk).update(status=status, approver_role="supervisor")
    for user, expected in zip((technician, supervisor, keeper), OFFERED[status], strict=True):
        page = client_for(user).get(reverse("parts:requisition", args=[requisition.pk])).content.decode()
        section = page.split('data-test-id="requisition-actions"', 1)[1] if expected else ""
        assert set(ACTION_BUTTON.findall(section)) == expected, (user.username, status)
        assert ('data-test-id="requisition-actions"' in page) == bool(expected)
    for user, expected in zip((technician, keeper), PANEL_OFFERED[status], strict=True):
        panel = _panel_html(user, work_order)
        item = panel.split('data-test-id="panel-requisition"', 1)[1].split("</li>", 1)[0]
        assert set(ACTION_BUTTON.findall(item)) == expected, (user.username, status)
