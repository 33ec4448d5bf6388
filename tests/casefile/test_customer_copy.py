"""Audit 3, finding 19: the customer's copy of the case file leaves out the department's own
fields — their tier, the escalation level, the response and resolution deadlines,
responsibility and probable cause; the staff copy keeps them."""

from __future__ import annotations

import pytest
from django.utils import translation

from aftersales.casefile.pdf import case_file_pdf
from aftersales.casefile.selectors import case_file_for
from aftersales.customers.models import Customer
from tests.api.conftest import customer_user

from .test_pdf import pages_of
from .world import PUBLIC_MESSAGE, lived_ticket

pytestmark = pytest.mark.django_db

INTERNAL_LABELS = ("Tier", "Escalation level", "First response due", "Resolution due", "Responsibility", "Probable cause")


def test_the_customers_copy_has_none_of_the_internal_fields_and_the_staff_copy_all():
    world = lived_ticket()
    tier = str(Customer.objects.get(pk=world.ticket.customer_id).get_tier_display())
    own_case = case_file_for(ticket=world.ticket, viewer=customer_user(world.ticket))
    staff_case = case_file_for(ticket=world.ticket, viewer=world.handler)
    assert own_case.internals is None and own_case.party.tier == ""
    assert staff_case.internals is not None and staff_case.party.tier == tier
    with translation.override("en"):
        own = "\n".join(pages_of(case_file_pdf(own_case)))
        staff = "\n".join(pages_of(case_file_pdf(staff_case)))
    for label in INTERNAL_LABELS:
        assert label in staff, label
        assert label not in own, label
    assert tier in staff and tier not in own
    # The rest of the customer's copy is all there.
    for kept in (world.ticket.number, "First response", "Resolved", "Phone", PUBLIC_MESSAGE):
        assert kept in own, kept


def test_the_customers_copy_in_chinese_has_no_deadlines_or_tier():
    world = lived_ticket()
    with translation.override("zh-hans"):
        own = "\n".join(pages_of(case_file_pdf(case_file_for(ticket=world.ticket, viewer=customer_user(world.ticket)))))
        staff = "\n".join(pages_of(case_file_pdf(case_file_for(ticket=world.ticket, viewer=world.handler))))
        labels = [str(translation.gettext(label)) for label in INTERNAL_LABELS]
    for label in labels:
        assert label in staff, label
        assert label not in own, label
