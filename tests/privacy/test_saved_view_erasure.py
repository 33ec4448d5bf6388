"""A saved view of the ticket list may hold a customer's name or phone number (its search, its
name): the customer's erasure leaves none of it behind, and the view keeps working."""

from __future__ import annotations

import pytest

from aftersales.privacy.inventory import SCOPES
from aftersales.privacy.models import RequestChannel, RequestKind
from aftersales.privacy.services import privacy_erase, privacy_request_create
from aftersales.tickets.models import SavedView
from aftersales.tickets.services import saved_view_create

from .conftest import NAME

pytestmark = [
    pytest.mark.django_db,
    # Until privacy.inventory.SCOPES lists SavedView (the lead's file: docs/saved-views.md).
    pytest.mark.xfail(
        not any(scope.model is SavedView for scope in SCOPES), reason="SavedView is not in privacy SCOPES yet", strict=True
    ),
]


def test_erasure_redacts_the_customer_in_saved_views(person):
    by_phone = saved_view_create(actor=person.handler, name=f"{NAME}的单", filters="status=all&q=139 8765 4321")
    by_name = saved_view_create(actor=person.handler, name="回访", filters=f"q={NAME}")
    untouched = saved_view_create(actor=person.handler, name="急单", filters="priority=1&q=漏水")

    request = privacy_request_create(
        customer=person.customer, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=person.handler
    )
    privacy_erase(request=request, actor=person.handler)

    by_phone.refresh_from_db()
    by_name.refresh_from_db()
    untouched.refresh_from_db()
    assert (by_phone.name, by_phone.search, by_phone.filters) == ("***的单", "***", "status=all")
    assert by_name.search == "***"
    assert (untouched.name, untouched.search) == ("急单", "漏水")
