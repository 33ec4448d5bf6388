"""The customer's copy lists the mark of their e-mail address that bounced (when, and what the
receiving server said), and an empty mark once it is taken off."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from aftersales.core import clock
from aftersales.customers.services import customer_email_bounced
from aftersales.privacy.export import export_archive
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

EMAIL = "li.lei@example.com"


def _profile(customer) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(export_archive(customer=customer, at=clock.now())))
    return json.loads(archive.read("personal-data.json"))["customer"]


def test_the_copy_lists_when_the_address_bounced_and_why():
    customer = CustomerFactory(email=EMAIL)
    when = dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)
    assert customer_email_bounced(customer_id=customer.pk, address=EMAIL, reason="550 5.1.1 User unknown", at=when)
    customer.refresh_from_db()
    profile = _profile(customer)
    assert profile["email"] == EMAIL
    assert profile["email_bounced_at"] == when.isoformat()
    assert profile["email_bounce_reason"] == "550 5.1.1 User unknown"


def test_an_address_that_never_bounced_shows_an_empty_mark():
    profile = _profile(CustomerFactory(email=EMAIL))
    assert profile["email_bounced_at"] is None and profile["email_bounce_reason"] == ""
