"""The customer's "no" to a quote (``services.quote.work_order_decline_quote``): recorded on the
work order (who, when, via, why), audited, on the ticket's timeline; the job stops ("quote
declined": no step of the work leads on); the dispatcher, the ticket's handler and the technician
are told; staff cancel the job or give a new quote, which the customer confirms (the job goes back
to dispatch) or declines again. Through the technician on site and through the quote's link."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.fieldservice import services
from aftersales.fieldservice.actions import work_order_available_actions
from aftersales.fieldservice.models import ChargePolicy, WorkOrder, WorkOrderStatus
from aftersales.fieldservice.services.quote import work_order_decline_quote
from aftersales.notifications.models import Notification
from aftersales.tickets.models import Ticket, TicketEvent

from .helpers import agent, dispatcher, fresh, in_progress_ticket, new_job, technician, unit_out_of_warranty, walk_to, window

pytestmark = pytest.mark.django_db
W = WorkOrderStatus


@pytest.fixture
def job() -> dict[str, Any]:
    """A chargeable job, its technician on site, a quote of 2 hours (240 CNY) sent."""
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    handler, boss, tech = agent(), dispatcher(), technician()
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_out_of_warranty())
    Ticket.objects.filter(pk=ticket.pk).update(assignee=handler)
    work_order = walk_to(new_job(handler=handler, measure=measure), "on_site", boss=boss, tech=tech)
    assert work_order.chargeable
    services.work_order_prepare_quote(work_order=work_order, actor=tech, estimated_hours="2")
    return {"wo": fresh(work_order), "handler": handler, "boss": boss, "tech": tech, "ticket": ticket}


def told(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user, template="fieldservice.job").values_list("subject", flat=True))


def test_the_technician_records_the_customers_no_on_site(job):
    wo, tech, boss, handler = job["wo"], job["tech"], job["boss"], job["handler"]

    declined = work_order_decline_quote(work_order=wo, actor=tech, reason="太贵了，不修了", expected_version=wo.version)

    assert declined.status == W.QUOTE_DECLINED
    assert (declined.quote_declined_via, declined.quote_declined_by, declined.quote_decline_reason) == (
        "on_site",
        tech,
        "太贵了，不修了",
    )
    assert declined.quote_declined_at is not None and declined.quote_confirmed_at is None
    audit = AuditEvent.objects.get(action="fieldservice.status.quote_declined", object_id=str(wo.pk))
    assert audit.actor == tech
    assert audit.changes["status"] == ["on_site", "quote_declined"] and audit.changes["via"] == "on_site"
    assert audit.changes["reason"] == "太贵了，不修了" and audit.changes["quote_total"] == "240.00"
    entry = TicketEvent.objects.get(ticket=job["ticket"], data__action="status.quote_declined")
    assert entry.public and "太贵了" in entry.body
    # The dispatcher and the ticket's handler are told what to do next; the technician did it.
    for user in (boss, handler):
        [subject] = [s for s in told(user) if wo.number in s and ("declined" in s or "拒绝" in s)]
        assert subject
    assert not [s for s in told(tech) if "declined" in s or "拒绝" in s]


def test_a_declined_quote_stops_the_work_until_a_new_quote_is_confirmed(job):
    wo, tech = job["wo"], job["tech"]
    work_order_decline_quote(work_order=wo, actor=tech)
    wo = fresh(wo)
    for step in (
        lambda: services.work_order_record_work(work_order=fresh(wo), actor=tech, diagnosis="d", work_done="w", labour_hours="1"),
        lambda: services.work_order_check_out(work_order=fresh(wo), actor=tech),
        lambda: services.work_order_check_in(work_order=fresh(wo), actor=tech),
        lambda: services.work_order_depart(work_order=fresh(wo), actor=tech),
        lambda: services.work_order_accept(work_order=fresh(wo), actor=tech),
    ):
        with pytest.raises(DomainError):
            step()
    with pytest.raises(DomainError) as exc:
        services.work_order_confirm_quote(work_order=fresh(wo), actor=tech)
    assert exc.value.code == "quote_declined"
    with pytest.raises(DomainError) as exc:
        services.work_order_confirm_quote(work_order=fresh(wo), actor=None)  # the link: the same answer
    assert exc.value.code == "quote_declined"
    with pytest.raises(DomainError) as exc:
        work_order_decline_quote(work_order=fresh(wo), actor=None)
    assert exc.value.code == "quote_declined"
    # The dispatcher may not send anybody (no reassignment, no new window) without a new "yes".
    other = technician()
    start, end = window(days=1)
    with pytest.raises(DomainError):
        services.work_order_dispatch(
            work_order=fresh(wo), actor=job["boss"], technician=other, appointment_start=start, appointment_end=end
        )
    boss_offers = {a.name for a in work_order_available_actions(job["boss"], fresh(wo))}
    assert {"cancel", "prepare_quote"} <= boss_offers
    assert not boss_offers & {"dispatch", "reschedule", "fail", "confirm_quote", "decline_quote"}
    tech_offers = {a.name for a in work_order_available_actions(tech, fresh(wo))}
    assert "prepare_quote" in tech_offers and not tech_offers & {"record_work", "check_out", "photo", "confirm_quote"}
    assert fresh(wo).status == W.QUOTE_DECLINED


def test_staff_cancel_the_declined_job_by_the_existing_path(job):
    work_order_decline_quote(work_order=job["wo"], actor=job["tech"], reason="不修了")
    cancelled = services.work_order_cancel(work_order=fresh(job["wo"]), actor=job["boss"], reason="客户拒绝报价")
    assert cancelled.status == W.CANCELLED


def test_a_new_quote_confirmed_sends_the_job_back_to_dispatch(job):
    wo, tech, boss = job["wo"], job["tech"], job["boss"]
    work_order_decline_quote(work_order=wo, actor=None, reason="太贵")
    again = services.work_order_prepare_quote(work_order=fresh(wo), actor=boss, estimated_hours="1")
    assert again.status == W.QUOTE_DECLINED and again.quote_total == Decimal("120.00")
    assert (again.quote_declined_at, again.quote_declined_via, again.quote_decline_reason) == (None, "", "")
    assert "confirm_quote" in {a.name for a in work_order_available_actions(tech, again)}
    before = {user.pk: len(told(user)) for user in (tech, boss)}

    confirmed = services.work_order_confirm_quote(work_order=again, actor=None)

    assert confirmed.quote_confirmed_at is not None and confirmed.quote_confirmed_via == "portal"
    assert confirmed.status == W.TO_DISPATCH and confirmed.technician is None
    assert all(len(told(user)) == before[user.pk] + 1 for user in (tech, boss))
    start, end = window(days=1)
    dispatched = services.work_order_dispatch(
        work_order=fresh(wo), actor=boss, technician=tech, appointment_start=start, appointment_end=end
    )
    assert dispatched.status == W.DISPATCHED and dispatched.quote_confirmed_at is not None


def test_a_new_quote_may_be_declined_again(job):
    wo, tech = job["wo"], job["tech"]
    work_order_decline_quote(work_order=wo, actor=tech, reason="太贵")
    services.work_order_prepare_quote(work_order=fresh(wo), actor=tech, estimated_hours="1")
    twice = work_order_decline_quote(work_order=fresh(wo), actor=None, reason="还是太贵")
    assert twice.status == W.QUOTE_DECLINED and twice.quote_decline_reason == "还是太贵"
    assert twice.quote_declined_via == "portal" and twice.quote_declined_by is None
    assert AuditEvent.objects.filter(action="fieldservice.status.quote_declined", object_id=str(wo.pk)).count() == 2


def test_only_an_open_quote_is_declined_and_only_by_its_technician(job):
    wo, tech = job["wo"], job["tech"]
    with pytest.raises(PermissionDenied):
        work_order_decline_quote(work_order=wo, actor=technician())
    with pytest.raises(PermissionDenied):
        work_order_decline_quote(work_order=wo, actor=job["boss"])  # staff record it as the technician heard it
    with pytest.raises(ValidationFailed) as invalid:
        work_order_decline_quote(work_order=wo, actor=tech, reason="太" * 1001)
    assert invalid.value.field == "reason"
    services.work_order_confirm_quote(work_order=fresh(wo), actor=tech)
    with pytest.raises(DomainError) as exc:
        work_order_decline_quote(work_order=fresh(wo), actor=tech)
    assert exc.value.code == "quote_confirmed"
    assert fresh(wo).status == W.ON_SITE
    handler, boss = agent(), dispatcher()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_out_of_warranty())
    unquoted = walk_to(new_job(handler=handler, measure=measure), "accepted", boss=boss, tech=tech)
    with pytest.raises(DomainError) as exc:
        work_order_decline_quote(work_order=unquoted, actor=tech)
    assert exc.value.code == "no_quote"


def test_the_job_page_and_the_ticket_page_show_the_decline_and_the_next_step(job):
    wo, boss = job["wo"], job["boss"]
    work_order_decline_quote(work_order=wo, actor=job["tech"], reason="太贵了")
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(boss)
    page = client.get(reverse("fieldservice:detail", args=[wo.number])).content.decode()
    assert 'data-test-id="quote-declined"' in page and "太贵了" in page
    assert "cancel the job, or give a new quote" in page
    assert f"/fieldservice/wo/{wo.number}/do/cancel/" in page and f"/fieldservice/wo/{wo.number}/do/quote/" in page
    ticket_page = client.get(reverse("tickets:detail", args=[job["ticket"].number])).content.decode()
    assert 'data-test-id="ticket-quote-declined"' in ticket_page and "太贵了" in ticket_page
    tech_client = Client()
    tech_client.force_login(job["tech"])
    tech_page = tech_client.get(reverse("fieldservice:detail", args=[wo.number])).content.decode()
    assert 'data-test-id="quote-declined"' in tech_page and "/do/record_work/" not in tech_page
    assert "客户拒绝" in tech_page or "拒绝" in tech_page  # the page in Chinese by default


def test_the_technician_posts_the_decline_from_the_job_page(job):
    wo, tech = job["wo"], job["tech"]
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(tech)
    page = client.get(reverse("fieldservice:detail", args=[wo.number])).content.decode()
    assert f"/fieldservice/wo/{wo.number}/do/decline_quote/" in page
    response = client.post(
        reverse("fieldservice:action", args=[wo.number, "decline_quote"]),
        {"reason": "客户说再考虑", "expected_version": wo.version},
    )
    assert response.status_code == 302
    assert fresh(wo).status == W.QUOTE_DECLINED and fresh(wo).quote_decline_reason == "客户说再考虑"


# --- the quote's link -----------------------------------------------------------------------------


def test_the_customer_declines_by_the_link_with_a_reason(job):
    wo, boss = job["wo"], job["boss"]
    url = services.quote_path_for(wo)
    client = Client()
    page = client.get(url).content.decode()
    assert 'data-test-id="quote-confirm"' in page and 'data-test-id="quote-decline-submit"' in page
    before = {user.pk: len(told(user)) for user in (job["tech"], boss, job["handler"])}

    response = client.post(url, {"answer": "decline", "reason": "价格太高"}, follow=True)

    assert response.status_code == 200
    declined = fresh(wo)
    assert declined.status == W.QUOTE_DECLINED
    assert (declined.quote_declined_via, declined.quote_declined_by, declined.quote_decline_reason) == (
        "portal",
        None,
        "价格太高",
    )
    page = response.content.decode()
    assert 'data-test-id="quote-declined"' in page and 'data-test-id="quote-confirm"' not in page
    assert all(len(told(user)) == before[user.pk] + 1 for user in (job["tech"], boss, job["handler"]))
    # Answered: confirming it now is refused, with the reason on the page.
    client.cookies["django_language"] = "en"
    again = client.post(url, {"answer": "confirm"}, follow=True).content.decode()
    assert fresh(wo).quote_confirmed_at is None and "only once a new quote is given" in again


def test_an_expired_link_says_so_and_a_forged_one_is_not_found(job, monkeypatch):
    url = services.quote_path_for(job["wo"])
    later = clock.now().timestamp() + 61 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = Client().get(url)
    assert response.status_code == 410 and 'data-test-id="quote-link-expired"' in response.content.decode()
    assert Client().post(url, {"answer": "decline"}).status_code == 410
    assert fresh(job["wo"]).status == W.ON_SITE
    monkeypatch.undo()
    assert Client().get(reverse("fieldservice:quote_by_link", args=["forged"])).status_code == 404


def test_a_work_order_quoted_but_not_yet_answered_keeps_the_old_confirmation_form(job):
    """The form of pages sent before the decline existed posts no ``answer``: it confirms."""
    url = services.quote_path_for(job["wo"])
    Client().post(url)
    assert fresh(job["wo"]).quote_confirmed_at is not None and WorkOrder.objects.get(pk=job["wo"].pk).status == W.ON_SITE
