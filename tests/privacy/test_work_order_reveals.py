"""Issue 21: the work-order page's masked site (address, contact) revealed with a reason through
the same reveal service as the ticket page: audited ``privacy.revealed``, the same hourly limit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.fieldservice import services
from aftersales.privacy.audit_actions import PrivacyAudit
from tests.clients import client_for
from tests.factories import UserFactory
from tests.fieldservice.helpers import dispatcher, fresh, in_progress_ticket, new_job, technician, walk_to

pytestmark = pytest.mark.django_db

ADDRESS = "漕溪北路88号3栋502室"


@pytest.fixture
def failed_job():
    """A job whose visit failed: its technician still opens it, with the site masked."""
    boss = dispatcher()
    _ticket, measure = in_progress_ticket(actor=boss)
    tech = technician()
    job = new_job(handler=boss, measure=measure, contact_name="张伟", contact_phone="13812345678")
    job = walk_to(job, "on_site", boss=boss, tech=tech)
    services.work_order_fail(work_order=job, actor=tech, reason="客户不在家")
    return fresh(job), tech


def url(job, field: str) -> str:
    return reverse("privacy:reveal_work_order", args=[job.number, field])


def test_the_technicians_page_offers_show_on_the_masked_site(failed_job):
    job, tech = failed_job
    html = client_for(tech).get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    assert ADDRESS not in html and "13812345678" not in html and "138 1234 5678" not in html
    assert 'data-test-id="reveal-show-site_address"' in html and 'data-test-id="reveal-show-site_contact"' in html
    assert url(job, "site_address") in html and url(job, "site_contact") in html


def test_the_dispatched_technician_sees_the_site_in_full_and_no_show():
    boss = dispatcher()
    _ticket, measure = in_progress_ticket(actor=boss)
    tech = technician()
    job = walk_to(new_job(handler=boss, measure=measure, contact_phone="13812345678"), "accepted", boss=boss, tech=tech)
    html = client_for(tech).get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    assert ADDRESS in html and 'data-test-id="reveal-show-site_address"' not in html
    assert client_for(tech).get(url(job, "site_address")).status_code == 403


def test_a_reveal_asks_a_reason_shows_the_site_once_and_is_audited(failed_job):
    job, tech = failed_job
    client = client_for(tech)
    form = client.get(url(job, "site_contact"), HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert f'hx-post="{url(job, "site_contact")}"' in form.content.decode()
    refused = client.post(url(job, "site_contact"), {"reason": ""})
    assert refused.status_code == 422 and "138 1234 5678" not in refused.content.decode()
    shown = client.post(url(job, "site_contact"), {"reason": "call_customer", "detail": "改约时间"}, HTTP_HX_REQUEST="true")
    body = shown.content.decode()
    assert shown.status_code == 200 and "张伟 138 1234 5678" in body and 'href="tel:+8613812345678"' in body
    event = AuditEvent.objects.get(action=PrivacyAudit.REVEALED)
    assert event.actor == tech
    assert (event.object_type, event.object_id) == ("customers.customer", str(job.ticket.customer_id))
    assert event.changes == {
        "ticket": job.ticket.number,
        "work_order": job.number,
        "field": "site_contact",
        "reason": "call_customer",
        "detail": "改约时间",
    }
    address = client.post(url(job, "site_address"), {"reason": "arrange_visit"})
    assert address.status_code == 200 and ADDRESS in address.content.decode()
    page = client.get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    assert ADDRESS not in page and "138 1234 5678" not in page  # masked again on the next view
    log = client_for(UserFactory(role=Role.SUPERVISOR)).get(reverse("privacy:reveals")).content.decode()
    assert job.number in log


def test_work_order_reveals_share_the_hourly_limit(failed_job, settings):
    settings.PRIVACY_REVEALS_PER_HOUR = 1
    job, tech = failed_job
    client = client_for(tech)
    assert client.post(url(job, "site_address"), {"reason": "arrange_visit"}).status_code == 200
    refused = client.post(url(job, "site_contact"), {"reason": "call_customer"})
    assert refused.status_code == 429 and "138 1234 5678" not in refused.content.decode()
    assert 'data-test-id="reveal-refused"' in refused.content.decode()
    refusal = AuditEvent.objects.get(action=PrivacyAudit.REVEAL_REFUSED)
    assert refusal.changes["work_order"] == job.number and refusal.changes["limit"] == 1


def test_reveal_is_scoped_to_the_work_orders_the_user_may_open(failed_job):
    job, _tech = failed_job
    other_tech = technician()
    assert client_for(other_tech).post(url(job, "site_address"), {"reason": "arrange_visit"}).status_code == 404
    assert client_for(failed_job[1]).get(url(job, "phone")).status_code == 404
    keeper = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    assert client_for(keeper).get(url(job, "site_address")).status_code == 200  # masked for the keeper too
    assert not AuditEvent.objects.filter(action=PrivacyAudit.REVEALED).exists()
