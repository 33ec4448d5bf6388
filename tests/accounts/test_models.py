"""Roles decide who is a customer and who sees personal data unmasked."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import STAFF_ROLES, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR])
def test_roles_that_work_with_customers_see_personal_data(role):
    assert UserFactory(role=role).sees_personal_data


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.WAREHOUSE, Role.MARKETING, Role.FINANCE, Role.CUSTOMER])
def test_other_roles_see_personal_data_masked(role):
    assert not UserFactory(role=role).sees_personal_data


def test_a_superuser_sees_personal_data_whatever_the_role():
    assert UserFactory(role=Role.TECHNICIAN, is_superuser=True).sees_personal_data


def test_only_the_customer_role_is_a_customer():
    assert UserFactory(role=Role.CUSTOMER).is_customer
    assert not any(UserFactory(role=role).is_customer for role in STAFF_ROLES)
    assert Role.CUSTOMER not in STAFF_ROLES


def test_a_user_is_shown_by_display_name_then_full_name_then_username():
    assert str(UserFactory(display_name="王芳")) == "王芳"
    assert str(UserFactory(display_name="", first_name="Fang", last_name="Wang")) == "Fang Wang"
    assert str(UserFactory(display_name="", username="wangfang")) == "wangfang"
