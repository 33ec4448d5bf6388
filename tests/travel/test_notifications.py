"""What the travel steps tell people, with the step (in its transaction): the technician his advance approved,
rejected (with the reason) or paid out and his reimbursement posted (what he is paid or must
return) and closed; finance in scope an approved advance waiting to be paid. In-app, in the
recipient's language, with the absolute link to the document; a message that cannot be queued
never fails the step."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope
from aftersales.core.errors import PermissionDenied
from aftersales.core.links import absolute_url
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.travel import services
from aftersales.travel.models import AdvanceStatus, CashAdvance, PaymentMethod, ReimbursementStatus
from tests.factories import RegionFactory

from .factories import advance, claim, finance, paid_advance, staff, technician

pytestmark = pytest.mark.django_db
TRAVEL = "travel."


def inbox(user, event: str = "") -> list[Notification]:
    qs = Notification.objects.filter(user=user, template__startswith=TRAVEL).order_by("id")
    if event:
        qs = qs.filter(template=event)
    return list(qs)


def only(user, event: str) -> Notification:
    found = inbox(user)
    assert [n.template for n in found] == [event], [n.template for n in found]
    assert found[0].channel == NotificationChannel.IN_APP
    return found[0]


def test_an_approval_tells_the_technician_and_finance_in_scope():
    east, west = RegionFactory(), RegionFactory()
    tech = technician(region=east, display_name="刘强", language="zh-hans")
    approver = finance(language="en")
    everyone = finance(language="en")
    region_payer = finance(data_scope=DataScope.REGION, region=east, language="zh-hans")
    elsewhere = finance(data_scope=DataScope.REGION, region=west)
    own_only = finance(data_scope=DataScope.OWN)
    retired = finance(is_active=False)
    requested = advance(tech, "1500.00")
    approved = services.advance_approve(advance=requested, actor=approver)
    link = absolute_url(reverse("travel:advance", args=[approved.number]))
    told = only(tech, "travel.advance_approved")
    assert told.language == "zh-hans" and told.subject == f"借款单 {approved.number} 已批准"
    assert "1500.00 元" in told.body and told.body.endswith(f"查看借款单：{link}") and link.startswith("http")
    english = only(everyone, "travel.advance_to_pay")
    assert english.subject == f"Advance to pay: {approved.number}"
    assert "of 刘强 (1500.00 CNY) is approved and waits to be paid." in english.body and english.body.endswith(link)
    assert only(region_payer, "travel.advance_to_pay").body.startswith(f"刘强的借款单 {approved.number}（1500.00 元）")
    for nobody in (approver, elsewhere, own_only, retired):
        assert inbox(nobody) == [], nobody


def test_a_rejection_tells_the_technician_why():
    tech = technician(language="en")
    requested = advance(tech, "300.00")
    decider = staff("supervisor")
    services.advance_reject(advance=requested, actor=decider, reason="The trip is not approved.")
    told = only(tech, "travel.advance_rejected")
    assert told.subject == f"Advance {requested.number} rejected"
    assert f"Your cash advance {requested.number} of 300.00 CNY was rejected: The trip is not approved." in told.body
    assert inbox(decider) == []


def test_a_payment_tells_the_technician_with_the_reference():
    tech = technician(language="zh-hans")
    payer = finance()
    approved = services.advance_approve(advance=advance(tech, "800.00"), actor=payer)
    services.advance_pay(advance=approved, actor=payer, method=PaymentMethod.BANK_TRANSFER, reference="BANK-77")
    assert [n.template for n in inbox(tech)] == ["travel.advance_approved", "travel.advance_paid"]
    (told,) = inbox(tech, "travel.advance_paid")
    assert told.subject == f"借款单 {approved.number} 已付款" and "流水号 BANK-77" in told.body


@pytest.mark.parametrize(
    ("claims", "advance_amount", "posted", "closed", "phrase"),
    [
        (
            ("650.00", "260.00"),
            "800.00",
            "travel.reimbursement_posted.pay",
            "travel.reimbursement_closed.pay",
            "110.00 CNY will be paid to you",
        ),
        (
            ("100.00",),
            "500.00",
            "travel.reimbursement_posted.return",
            "travel.reimbursement_closed.return",
            "please return 400.00 CNY",
        ),
        (("500.00",), "500.00", "travel.reimbursement_posted.even", None, "nothing to pay or return"),
    ],
)
def test_a_posting_tells_what_he_is_paid_or_returns_and_the_closing_that_it_is_done(
    claims, advance_amount, posted, closed, phrase
):
    tech = technician(language="en")
    payer = finance()
    for amount in claims:
        claim(tech, amount, decider=payer)
    paid_advance(tech, advance_amount, payer=payer)
    draft = services.reimbursement_draft(technician=tech, actor=payer)
    Notification.objects.filter(user=tech).delete()  # (the factories' steps queued nothing: no commit)
    done = services.reimbursement_post(reimbursement=draft, actor=payer)
    told = only(tech, posted)
    assert phrase in told.body and told.body.endswith(absolute_url(reverse("travel:reimbursement", args=[draft.number])))
    if closed is None:
        assert done.status == ReimbursementStatus.CLOSED and "posted and closed" in told.subject
        return
    services.reimbursement_close(reimbursement=done, actor=payer, method=PaymentMethod.CASH, reference="RCPT-9")
    last = inbox(tech)[-1]
    assert last.template == closed and last.subject == f"Reimbursement {draft.number} closed" and "RCPT-9" in last.body


def test_a_refused_step_tells_nobody():
    tech = technician()
    requested = advance(tech)
    with pytest.raises(PermissionDenied):
        services.advance_approve(advance=requested, actor=tech)  # his own
    assert inbox(tech) == [] and CashAdvance.objects.get(pk=requested.pk).status == AdvanceStatus.REQUESTED


def test_a_message_that_cannot_be_queued_never_fails_the_step(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("aftersales.travel.notify.notify_staff", broken)
    tech = technician()
    requested = advance(tech)
    with caplog.at_level(logging.ERROR, logger="aftersales.travel.notify"):
        approved = services.advance_approve(advance=requested, actor=finance())
    assert approved.status == AdvanceStatus.APPROVED
    assert CashAdvance.objects.get(pk=requested.pk).status == AdvanceStatus.APPROVED
    assert "travel.advance_approved" in caplog.text and inbox(tech) == []
