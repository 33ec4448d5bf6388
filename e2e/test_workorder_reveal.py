"""The work-order page on a technician's phone (375 px): the site of a job whose visit failed is
masked; "Show" asks for a reason and shows the contact once (a number to tap), recorded in the
audit log; the page still fits the screen with the form open and after the reveal."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.fieldservice.helpers import dispatcher, fresh, in_progress_ticket, new_job, technician, walk_to

from aftersales.audit.models import AuditEvent
from aftersales.fieldservice import services
from aftersales.privacy.audit_actions import PrivacyAudit

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import WIDTH, assert_fits

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_technician_reveals_the_masked_contact_on_a_phone(browser, live_server, transactional_db, language):
    boss = dispatcher()
    _ticket, measure = in_progress_ticket(actor=boss)
    tech = technician()
    job = new_job(handler=boss, measure=measure, contact_name="张伟", contact_phone="13812345678")
    job = walk_to(job, "on_site", boss=boss, tech=tech)
    services.work_order_fail(work_order=job, actor=tech, reason="客户不在家")
    job = fresh(job)

    page = new_page(browser, live_server, width=WIDTH, height=812)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    try:
        LoginPage(page).open().sign_in_home(tech.username, PASSWORD)
        page.goto(f"/fieldservice/wo/{job.number}/")
        contact = page.get_by_test_id("wo-contact")
        expect(contact).not_to_contain_text("1234 5678")
        assert_fits(page, f"{language}: masked work order")
        page.get_by_test_id("reveal-show-site_contact").click()
        form = page.get_by_test_id("reveal-form")
        expect(form).to_be_visible()
        assert_fits(page, f"{language}: the reason form open")
        form.locator("select[name=reason]").select_option("call_customer")
        form.get_by_test_id("reveal-submit").click()
        shown = page.get_by_test_id("revealed-value")
        expect(shown).to_contain_text("138 1234 5678")
        expect(shown.locator("a[href='tel:+8613812345678']")).to_be_visible()
        assert_fits(page, f"{language}: the contact revealed")
        assert AuditEvent.objects.filter(action=PrivacyAudit.REVEALED, actor=tech).count() == 1
        page.reload()
        expect(page.get_by_test_id("wo-contact")).not_to_contain_text("1234 5678")
    finally:
        page.context.close()
