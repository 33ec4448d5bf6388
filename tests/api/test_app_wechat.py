"""Binding a customer's WeChat account (openid) through the API: the WeChat backend or CRM with
a staff key (customers:write), or the customer's own app (tickets:write, their own record only);
each change audited on the customer with the openid masked; another person's openid is moved by
staff only."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.notifications.models import WeChatContact
from aftersales.notifications.services import wechat_contact_bind, wechat_recipient
from tests.api.conftest import api_client, customer_user
from tests.factories import CustomerFactory, RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db
OPENID = "oWx-AbCdEfGhIjKlMnOpQrStUv01"
OTHER_OPENID = "oWx-ZyXwVuTsRqPoNmLkJiHgFe99"
APP_SCOPES = ("tickets:read", "tickets:write")


def _put(client, customer_id: int, openid: str):  # type: ignore[no-untyped-def]
    return client.client.put(
        f"/api/v1/customers/{customer_id}/wechat",
        {"openid": openid},
        content_type="application/json",
        headers=client._headers(None),
    )


def _delete(client, customer_id: int):  # type: ignore[no-untyped-def]
    return client.client.delete(f"/api/v1/customers/{customer_id}/wechat", headers=client._headers(None))


def _audits(customer_id: int) -> list[tuple[str, dict]]:
    rows = AuditEvent.objects.filter(
        object_type="customers.customer", object_id=str(customer_id), action__startswith="notifications."
    )
    return [(e.action, e.changes) for e in rows.order_by("id")]


def _agent() -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


def test_the_wechat_backend_binds_rebinds_and_unbinds_a_customers_openid():
    agent = _agent()
    customer_id = make_ticket(actor=agent).customer_id
    client = api_client(agent, scopes=("customers:read", "customers:write"))

    bound = _put(client, customer_id, OPENID)
    assert bound.status_code == 200, bound.json()
    assert bound.json()["customer_id"] == customer_id and bound.json()["openid"] == OPENID and bound.json()["bound_at"]
    assert wechat_recipient(customer_id=customer_id) == OPENID
    assert _put(client, customer_id, OPENID).status_code == 200  # the same again: nothing new recorded
    assert _audits(customer_id) == [("notifications.wechat_bound", {"openid": ["", "oWx-…Uv01"]})]
    event = AuditEvent.objects.get(action="notifications.wechat_bound")
    assert event.actor == agent and OPENID not in str(event.changes)

    assert _put(client, customer_id, OTHER_OPENID).status_code == 200  # a new account replaces it
    assert wechat_recipient(customer_id=customer_id) == OTHER_OPENID
    assert WeChatContact.objects.count() == 1

    assert _delete(client, customer_id).status_code == 204
    assert wechat_recipient(customer_id=customer_id) == ""
    assert _delete(client, customer_id).status_code == 204  # none bound: still 204, nothing recorded
    assert [action for action, _ in _audits(customer_id)] == [
        "notifications.wechat_bound",
        "notifications.wechat_bound",
        "notifications.wechat_unbound",
    ]


def test_staff_move_an_openid_from_another_customer_and_both_records_say_so():
    agent = _agent()
    first, second = make_ticket(actor=agent, phone="13600000001"), make_ticket(actor=agent, phone="13600000002")
    wechat_contact_bind(openid=OPENID, customer=first.customer)
    moved = _put(api_client(agent), second.customer_id, OPENID)
    assert moved.status_code == 200
    assert (wechat_recipient(customer_id=first.customer_id), wechat_recipient(customer_id=second.customer_id)) == ("", OPENID)
    assert _audits(first.customer_id) == [
        ("notifications.wechat_unbound", {"openid": ["oWx-…Uv01", ""], "moved_to_customer": second.customer_id})
    ]
    assert _audits(second.customer_id)[0][1]["moved_from"] == f"customer:{first.customer_id}"


def test_the_customers_own_app_binds_their_own_record_and_no_one_elses():
    ticket = make_ticket()
    client = api_client(customer_user(ticket), scopes=APP_SCOPES)
    customer_id = client.get("/api/v1/me").json()["customer_id"]
    assert customer_id == ticket.customer_id

    assert _put(client, customer_id, OPENID).status_code == 200
    assert wechat_recipient(customer_id=customer_id) == OPENID

    other = make_ticket(phone="13600000003")
    refused = _put(client, other.customer_id, OTHER_OPENID)
    assert refused.status_code == 404 and refused.json()["code"] == "customer_not_found"
    wechat_contact_bind(openid=OTHER_OPENID, customer=other.customer)
    taken = _put(client, customer_id, OTHER_OPENID)  # somebody else's account: only staff move it
    assert taken.status_code == 409 and taken.json()["code"] == "openid_taken"
    assert wechat_recipient(customer_id=other.customer_id) == OTHER_OPENID

    assert _delete(client, customer_id).status_code == 204
    assert wechat_recipient(customer_id=customer_id) == ""
    read_only = api_client(customer_user(make_ticket(phone="13600000004")), scopes=("tickets:read",))
    assert _put(read_only, customer_id, OPENID).status_code == 403


@pytest.mark.parametrize("openid", ["", "has space", "x" * 65, "oWx<script>"])
def test_an_openid_that_is_not_one_is_refused_naming_it(openid):
    agent = _agent()
    customer_id = make_ticket(actor=agent).customer_id
    response = _put(api_client(agent), customer_id, openid)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["openid"]
    assert not WeChatContact.objects.exists()


def test_staff_need_the_scope_and_a_role_that_changes_customers():
    agent = _agent()
    customer_id = make_ticket(actor=agent).customer_id
    no_scope = _put(api_client(agent, scopes=("customers:read",)), customer_id, OPENID)
    assert no_scope.status_code == 403 and no_scope.json()["code"] == "scope_missing"
    technician = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL)
    no_role = _put(api_client(technician), customer_id, OPENID)
    assert no_role.status_code == 403 and no_role.json()["code"] == "customer_edit_forbidden"
    assert not WeChatContact.objects.exists() and not _audits(customer_id)


def test_a_customer_without_a_ticket_in_reach_is_not_found_for_a_regional_key():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    customer = CustomerFactory()
    response = _put(api_client(agent, region=RegionFactory()), customer.pk, OPENID)
    assert response.status_code == 404
    assert not WeChatContact.objects.exists()
