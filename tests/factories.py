"""factory_boy factories for the domain core. Tickets are made through the intake service
(``make_ticket``) so tests start from the same state real users do."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from aftersales.accounts.models import DataScope, Region, Role, Team, User
from aftersales.catalog.models import ProductCategory, ProductModel, ProductUnit, WarrantyBasis, WarrantyPolicy
from aftersales.customers.models import Customer
from aftersales.tickets.choices import Channel, RequestType
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import IntakeInput, ticket_intake

PASSWORD = "correct-horse-battery"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"大区{n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"客服{n}组")
    region = factory.SubFactory(RegionFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.AGENT
    data_scope = DataScope.OWN
    is_staff = False

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n}")
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")


class WarrantyPolicyFactory(DjangoModelFactory):
    class Meta:
        model = WarrantyPolicy
        django_get_or_create = ("name",)

    name = "整机保修一年"
    months = 12
    basis = WarrantyBasis.PURCHASE


class ProductCategoryFactory(DjangoModelFactory):
    class Meta:
        model = ProductCategory
        django_get_or_create = ("code",)

    code = "air-conditioner"
    name = "空调"
    name_en = "Air conditioner"


class ProductModelFactory(DjangoModelFactory):
    class Meta:
        model = ProductModel

    category = factory.SubFactory(ProductCategoryFactory)
    code = factory.Sequence(lambda n: f"KFR-{35 + n}GW")
    name = "变频挂机空调"
    warranty_policy = factory.SubFactory(WarrantyPolicyFactory)


class ProductUnitFactory(DjangoModelFactory):
    class Meta:
        model = ProductUnit

    serial_number = factory.Sequence(lambda n: f"SN2026{n:08d}")
    model = factory.SubFactory(ProductModelFactory)
    batch = "B20260301"
    factory = "佛山工厂"
    production_date = dt.date(2026, 3, 1)
    purchase_date = dt.date(2026, 5, 1)


def intake_input(**overrides: Any) -> IntakeInput:
    values: dict[str, Any] = {
        "channel": Channel.HOTLINE,
        "customer_name": "张伟",
        "phone": "13812345678",
        "description": "空调漏水，室内机滴水到地板上。",
        "request_type": RequestType.REPAIR,
    }
    values.update(overrides)
    return IntakeInput(**values)


def make_ticket(*, actor: User | None = None, **overrides: Any) -> Ticket:
    """A ticket registered through the intake service, as a real channel would."""
    idempotency_key = overrides.pop("idempotency_key", None)
    team = overrides.pop("team", None)
    region = overrides.pop("region", None)
    return ticket_intake(
        data=intake_input(**overrides), actor=actor, idempotency_key=idempotency_key, team=team, region=region
    ).ticket
