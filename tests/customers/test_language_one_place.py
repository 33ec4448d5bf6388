"""A customer's language is kept in one place: the staff's edit of ``Customer.language`` is the
portal account's ``User.language`` too (audited), and the account's own choice is the record's."""

from __future__ import annotations

import pytest
from django.test import Client

from aftersales.accounts.models import Role, User
from aftersales.audit.models import AuditEvent
from aftersales.customers.editing import customer_update
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_language_from_account
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _portal_customer(language: str = "zh-hans") -> tuple[Customer, User]:
    user = UserFactory(role=Role.CUSTOMER, language=language)
    return CustomerFactory(user=user, language=language), user


def test_the_staffs_edit_of_the_language_is_the_portal_accounts_too_and_audited():
    agent = UserFactory(role=Role.AGENT)
    customer, user = _portal_customer("zh-hans")

    customer_update(customer=customer, actor=agent, expected_version=customer.version, language="en")

    user.refresh_from_db()
    assert Customer.objects.get(pk=customer.pk).language == "en"
    assert user.language == "en"
    (event,) = AuditEvent.objects.filter(object_id=str(customer.pk), changes__has_key="portal_account_language")
    assert event.action == "customer.updated"
    assert event.changes["portal_account_language"] == ["zh-hans", "en"]
    assert event.changes["user_id"] == user.pk


def test_a_customer_without_a_portal_account_and_an_unchanged_language_write_nothing_more():
    agent = UserFactory(role=Role.AGENT)
    alone = CustomerFactory(language="zh-hans")
    customer_update(customer=alone, actor=agent, expected_version=alone.version, language="en")
    assert not AuditEvent.objects.filter(changes__has_key="portal_account_language").exists()

    customer, user = _portal_customer("en")
    customer_update(customer=customer, actor=agent, expected_version=customer.version, name="新名字")
    user.refresh_from_db()
    assert user.language == "en"
    assert not AuditEvent.objects.filter(changes__has_key="portal_account_language").exists()


def test_the_accounts_own_choice_is_the_records_raising_its_version_audited():
    customer, user = _portal_customer("zh-hans")
    before = customer.version

    assert customer_language_from_account(user=user, language="en") is True

    stored = Customer.objects.get(pk=customer.pk)
    user.refresh_from_db()
    assert (stored.language, user.language, stored.version) == ("en", "en", before + 1)
    event = AuditEvent.objects.get(object_id=str(customer.pk), changes__source="portal_account")
    assert event.actor == user
    assert event.changes["language"] == ["zh-hans", "en"]
    # The same language again, an unknown one, or a staff account: nothing.
    assert customer_language_from_account(user=user, language="en") is False
    assert customer_language_from_account(user=user, language="fr") is False
    assert customer_language_from_account(user=UserFactory(role=Role.AGENT), language="en") is False
    assert Customer.objects.get(pk=customer.pk).version == before + 1


def test_the_portal_language_switch_changes_the_customer_record():
    customer, user = _portal_customer("zh-hans")
    client = Client()
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})

    user.refresh_from_db()
    assert Customer.objects.get(pk=customer.pk).language == "en"
    assert user.language == "en"
