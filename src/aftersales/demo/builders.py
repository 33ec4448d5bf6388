"""The demo's cast and catalogue: regions, teams, staff in every role, customers, products, units.

``ensure_base`` creates them once (all in one transaction) and ``load_base`` reads them back, so
the story tickets and the bulk loader work the same whether the base was made now or earlier.
Customers and serial units are created through their services (normalised phones, audit rows);
users, regions, teams and catalogue rows have no services yet and are created directly.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import DataScope, Region, RegionArea, Role, Team, User
from aftersales.accounts.provinces import province_key
from aftersales.catalog.models import ProductCategory, ProductModel, ProductUnit, SalesChannel, WarrantyPolicy
from aftersales.catalog.services import unit_register
from aftersales.customers.models import Address, Contact, Customer, CustomerKind, CustomerTier
from aftersales.customers.services import customer_add_address, customer_create

from . import data, generate
from .timetravel import simulated_now

ACTOR_LABEL = "demo_data"
DEMO_CUSTOMERS = 150
DEMO_COMPANIES = 30


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    display_name: str


# The fixed logins the README and `make run` print. Everybody else has no usable password.
# (The warehouse keeper is made with the spare parts, ``parts.load_parts_demo``; the appraiser
# with the appraisals, ``appraisal.load_appraisal_demo``; finance and marketing with the refunds
# and compensation, ``compensation.load_compensation_demo``.)
DEMO_LOGINS = (
    DemoLogin("admin", "admin-demo-2026", Role.ADMINISTRATOR, "王磊"),
    DemoLogin("agent", "agent-demo-2026", Role.AGENT, "李娜"),
    DemoLogin("supervisor", "supervisor-demo-2026", Role.SUPERVISOR, "张伟"),
    DemoLogin("technician", "technician-demo-2026", Role.TECHNICIAN, "刘强"),
    DemoLogin("warehouse", "warehouse-demo-2026", Role.WAREHOUSE, "周敏"),
    DemoLogin("appraiser", "appraiser-demo-2026", Role.APPRAISER, "孙鉴"),
    DemoLogin("finance", "finance-demo-2026", Role.FINANCE, "孙丽"),
    DemoLogin("marketing", "marketing-demo-2026", Role.MARKETING, "吴婷"),
    DemoLogin("quality", "quality-demo-2026", Role.QUALITY_ENGINEER, "陈质"),
    DemoLogin("customer", "customer-demo-2026", Role.CUSTOMER, "赵敏"),
)
PORTAL_USERNAME = "customer"
WAREHOUSE_USERNAME = "warehouse"


@dataclass(frozen=True)
class UnitView:
    id: int
    serial_number: str
    model_id: int
    model_code: str
    category_code: str
    product: str  # the category's Chinese name, as customers say it
    batch: str
    factory: str
    purchase_date: dt.date | None


@dataclass(frozen=True)
class CustomerView:
    """What tickets need of a customer: who calls, from where, about which units."""

    id: int
    name: str
    kind: str
    phone: str  # E.164: the customer's own, or for a company its contact's
    email: str
    contact_name: str
    region_id: int | None
    region_code: str
    place: generate.Place
    units: tuple[UnitView, ...]
    user_id: int | None


@dataclass
class DemoBase:
    """The demo's people and things, as the story and the bulk loader use them."""

    regions: dict[str, Region]
    agent_teams: dict[str, Team]
    technician_teams: dict[str, Team]
    staff: dict[str, list[User]]  # role → users
    agents: dict[str, list[User]]  # region code → agents (the "agent" login first in east)
    technicians: dict[str, list[User]]
    supervisors: dict[str, User]
    logins: dict[str, User]
    customers: list[CustomerView]
    models: list[ProductModel]
    warnings: list[str] = field(default_factory=list)


def base_exists() -> bool:
    """The base is created in one transaction, which also links the portal user to its customer."""
    return Customer.objects.filter(user__username=PORTAL_USERNAME).exists()


# --- Creating --------------------------------------------------------------------------------------


@transaction.atomic
def ensure_base(*, seed: int) -> list[str]:
    """Create the demo base unless it exists. Returns warnings (e.g. a login that already existed)."""
    if base_exists():
        return []
    rng = random.Random(f"base-{seed}")  # noqa: S311 - demo data, not secrets
    warnings: list[str] = []
    regions, agent_teams, tech_teams = _regions_and_teams()
    _staff(rng, regions, agent_teams, tech_teams, warnings)
    models = _catalogue()
    _customers(rng, regions, models, warnings)
    return warnings


def _regions_and_teams() -> tuple[dict[str, Region], dict[str, Team], dict[str, Team]]:
    regions: dict[str, Region] = {}
    agent_teams: dict[str, Team] = {}
    tech_teams: dict[str, Team] = {}
    for code, name, _en, provinces in data.REGIONS:
        regions[code], _created = Region.objects.get_or_create(code=code, defaults={"name": name})
        for province in provinces:  # the region table (admin → regions): intake looks addresses up in it
            RegionArea.objects.get_or_create(province=province_key(province), city="", defaults={"region": regions[code]})
        agent_teams[code], _created = Team.objects.get_or_create(name=f"{name}客服组", defaults={"region": regions[code]})
        tech_teams[code], _created = Team.objects.get_or_create(name=f"{name}技术服务组", defaults={"region": regions[code]})
    return regions, agent_teams, tech_teams


def _user(
    *,
    username: str,
    display_name: str,
    role: Role,
    scope: DataScope,
    rng: random.Random,
    warnings: list[str],
    password: str | None = None,
    region: Region | None = None,
    team: Team | None = None,
    staff: bool = False,
) -> User:
    phone = generate.mobile_e164(rng)
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        # Never change someone's account: the demo password simply won't work for it.
        if password is not None:
            warnings.append(
                _("User “%(username)s” already existed and was left unchanged; its demo password does not apply.")
                % {"username": username}
            )
        return existing
    user = User(
        username=username,
        display_name=display_name,
        email=f"{username}@example.com",
        role=role,
        data_scope=scope,
        region=region,
        team=team,
        phone=phone,
        is_staff=staff,
        is_superuser=staff and role == Role.ADMINISTRATOR,
        language="zh-hans",
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user


def _staff(
    rng: random.Random,
    regions: dict[str, Region],
    agent_teams: dict[str, Team],
    tech_teams: dict[str, Team],
    warnings: list[str],
) -> None:
    logins = {login.username: login for login in DEMO_LOGINS}

    def fixed(username: str, role: Role, scope: DataScope, region: str | None, team: Team | None, *, staff: bool = False) -> User:
        login = logins[username]
        return _user(
            username=username,
            display_name=login.display_name,
            role=role,
            scope=scope,
            rng=rng,
            warnings=warnings,
            password=login.password,
            region=regions[region] if region else None,
            team=team,
            staff=staff,
        )

    # Administrators use Django's admin; everybody else works in the product's own pages.
    fixed("admin", Role.ADMINISTRATOR, DataScope.ALL, None, None, staff=True)
    fixed("agent", Role.AGENT, DataScope.ALL, "east", agent_teams["east"])
    supervisor_east = fixed("supervisor", Role.SUPERVISOR, DataScope.REGION, "east", agent_teams["east"])
    fixed("technician", Role.TECHNICIAN, DataScope.OWN, "east", tech_teams["east"])

    def other(username: str, role: Role, scope: DataScope, region: str | None = None, team: Team | None = None) -> User:
        return _user(
            username=username,
            display_name=generate.person_name(rng),
            role=role,
            scope=scope,
            rng=rng,
            warnings=warnings,
            region=regions[region] if region else None,
            team=team,
        )

    for code, _name, _en, _provinces in data.REGIONS:
        supervisor = supervisor_east if code == "east" else other(f"supervisor-{code}", Role.SUPERVISOR, DataScope.REGION, code)
        # The first agent of each team leads it and sees the team's tickets; the others their own.
        other(f"agent-{code}-1", Role.AGENT, DataScope.TEAM, code, agent_teams[code])
        other(f"agent-{code}-2", Role.AGENT, DataScope.OWN, code, agent_teams[code])
        other(f"technician-{code}-1", Role.TECHNICIAN, DataScope.OWN, code, tech_teams[code])
        other(f"technician-{code}-2", Role.TECHNICIAN, DataScope.OWN, code, tech_teams[code])
        Team.objects.filter(pk__in=[agent_teams[code].pk, tech_teams[code].pk], leader__isnull=True).update(leader=supervisor)
    other("director", Role.SUPERVISOR, DataScope.ALL)  # 售后总监: approves above the regions' limits
    other("quality-1", Role.QUALITY_MANAGER, DataScope.ALL)
    other("quality-2", Role.QUALITY_MANAGER, DataScope.ALL)
    for code in ("east", "south", "north"):
        other(f"warehouse-{code}", Role.WAREHOUSE, DataScope.REGION, code)
    other("marketing-1", Role.MARKETING, DataScope.ALL)
    other("finance-1", Role.FINANCE, DataScope.ALL)


def _catalogue() -> list[ProductModel]:
    policies = {}
    for name, months, basis, parts, labour in data.WARRANTY_POLICIES:
        policies[name], _created = WarrantyPolicy.objects.get_or_create(
            name=name, defaults={"months": months, "basis": basis, "covers_parts": parts, "covers_labour": labour}
        )
    categories = {}
    for code, name, name_en, _prefix, _factories in data.CATEGORIES:
        categories[code], _created = ProductCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
    models = []
    for category, code, name, policy, (year, month) in data.PRODUCT_MODELS:
        model, _created = ProductModel.objects.get_or_create(
            code=code,
            defaults={
                "category": categories[category],
                "name": name,
                "warranty_policy": policies[policy],
                "launched_on": dt.date(year, month, 1),
            },
        )
        models.append(model)
    return models


def _customers(rng: random.Random, regions: dict[str, Region], models: list[ProductModel], warnings: list[str]) -> None:
    """Customers all over China, each registered some time before the demo's 90 days of tickets."""
    today = timezone.localdate()
    model_weights = {"air-conditioner": 30, "refrigerator": 14, "washing-machine": 14, "water-heater": 14}
    weights = [model_weights.get(m.category.code, 6) for m in models]
    serial = 0
    for index in range(DEMO_CUSTOMERS):
        is_company = index >= DEMO_CUSTOMERS - DEMO_COMPANIES
        # The portal customer lives in Shanghai, so the east region's staff handle their tickets.
        where = generate.place(rng, province="上海市" if index == 0 else None)
        registered_on = today - dt.timedelta(days=rng.randint(95, 700))
        units: list[tuple[ProductModel, dt.date, dt.date | None, str, str, int]] = []
        for _unit in range(rng.randint(3, 6) if is_company else (3 if index == 0 else rng.choice((1, 1, 2, 2, 3)))):
            model = rng.choices(models, weights=weights)[0]
            launched = model.launched_on or dt.date(2022, 1, 1)
            latest = registered_on - dt.timedelta(days=20)
            produced = launched + dt.timedelta(days=rng.randint(0, max((latest - launched).days, 0)))
            purchased = min(produced + dt.timedelta(days=rng.randint(15, 150)), registered_on)
            channel = SalesChannel.PROJECT if is_company and rng.random() < 0.5 else _sales_channel(rng)
            units.append(
                (
                    model,
                    produced,
                    None if rng.random() < 0.1 else purchased,
                    channel,
                    generate.store(rng, channel, where),
                    rng.randrange(4),
                )
            )
        name = generate.person_name(rng)
        phone = generate.mobile_e164(rng)
        while Customer.objects.filter(phone=phone).exists():  # someone real already has it
            phone = generate.mobile_e164(rng)
        email = generate.email_for(f"user{rng.randrange(10**6):06d}", rng) if rng.random() < 0.5 else ""
        if is_company:
            company_name, position = generate.company(rng, where)
            tier = CustomerTier.KEY if rng.random() < 0.4 else CustomerTier.LONG_TERM
        else:
            tier = rng.choices((CustomerTier.NORMAL, CustomerTier.LONG_TERM, CustomerTier.KEY), weights=(75, 20, 5))[0]
        marketing = rng.random() < 0.3
        moment = timezone.make_aware(dt.datetime.combine(registered_on, dt.time(rng.randint(9, 20), rng.randrange(60))))
        with simulated_now(moment):
            if is_company:
                customer = customer_create(
                    name=company_name,
                    phone=phone,
                    email=email,
                    kind=CustomerKind.COMPANY,
                    tier=tier,
                    region=regions[where.region_code],
                    consent_marketing=marketing,
                    actor_label=ACTOR_LABEL,
                )
                # Contacts have no service yet: the company's after-sales contact reports for it.
                Contact.objects.create(customer=customer, name=name, phone=phone, email=email, position=position, verified=True)
            else:
                customer = customer_create(
                    name=name,
                    phone=phone,
                    email=email,
                    tier=tier,
                    region=regions[where.region_code],
                    consent_marketing=marketing,
                    actor_label=ACTOR_LABEL,
                )
            customer_add_address(
                customer=customer, province=where.province, city=where.city, district=where.district, detail=where.detail
            )
            for model, produced, bought, channel, store, line in units:
                serial += 1
                category = model.category
                factory = rng.choice(next(c[4] for c in data.CATEGORIES if c[0] == category.code))
                unit_register(
                    serial_number=generate.serial_number(_prefix(category.code), factory, produced, serial),
                    model=model,
                    batch=generate.batch_code(produced, line),
                    factory=factory,
                    production_date=produced,
                    purchase_date=bought,
                    sales_channel=channel,
                    store=store,
                    customer=customer,
                )
        if index == 0:
            portal_user = _portal_user(rng, warnings, phone=phone)
            # No service links a portal account yet; the link is what lets the user see the tickets.
            Customer.objects.filter(pk=customer.pk, user__isnull=True).update(user=portal_user, name=portal_user.display_name)


def _portal_user(rng: random.Random, warnings: list[str], *, phone: str) -> User:
    login = next(lg for lg in DEMO_LOGINS if lg.username == PORTAL_USERNAME)
    user = _user(
        username=login.username,
        display_name=login.display_name,
        role=Role.CUSTOMER,
        scope=DataScope.OWN,
        rng=rng,
        warnings=warnings,
        password=login.password,
    )
    User.objects.filter(pk=user.pk, phone="").update(phone=phone)
    return user


def _sales_channel(rng: random.Random) -> str:
    channels = [c for c in data.SALES_CHANNEL_WEIGHTS if c != SalesChannel.PROJECT]
    return rng.choices(channels, weights=[data.SALES_CHANNEL_WEIGHTS[c] for c in channels])[0]


def _prefix(category_code: str) -> str:
    return next(c[3] for c in data.CATEGORIES if c[0] == category_code)


# --- Reading back --------------------------------------------------------------------------------


def load_base(*, customer_limit: int = 5000) -> DemoBase:
    """The demo base as the story and the bulk loader use it (customers in id order)."""
    regions = {r.code: r for r in Region.objects.all()}
    teams = list(Team.objects.select_related("region"))
    agent_teams = {t.region.code: t for t in teams if t.region and t.name.endswith("客服组")}
    technician_teams = {t.region.code: t for t in teams if t.region and t.name.endswith("技术服务组")}
    staff: dict[str, list[User]] = defaultdict(list)
    agents: dict[str, list[User]] = defaultdict(list)
    technicians: dict[str, list[User]] = defaultdict(list)
    supervisors: dict[str, User] = {}
    region_codes = {r.pk: r.code for r in regions.values()}
    for user in User.objects.filter(is_active=True).order_by("id"):
        staff[user.role].append(user)
        code = region_codes.get(user.region_id or 0)
        if code is None:
            continue
        if user.role == Role.AGENT:
            agents[code].append(user)
        elif user.role == Role.TECHNICIAN:
            technicians[code].append(user)
        elif user.role == Role.SUPERVISOR and user.data_scope == DataScope.REGION:
            supervisors.setdefault(code, user)
    logins = {u.username: u for u in User.objects.filter(username__in=[lg.username for lg in DEMO_LOGINS])}
    models = list(ProductModel.objects.select_related("category").order_by("id"))
    return DemoBase(
        regions=regions,
        agent_teams=agent_teams,
        technician_teams=technician_teams,
        staff=dict(staff),
        agents=dict(agents),
        technicians=dict(technicians),
        supervisors=supervisors,
        logins=logins,
        customers=_customer_views(region_codes, customer_limit),
        models=models,
    )


def _customer_views(region_codes: dict[int, str], limit: int) -> list[CustomerView]:
    customers = list(Customer.objects.order_by("id")[:limit])
    ids = [c.pk for c in customers]
    addresses = {a.customer_id: a for a in Address.objects.filter(customer_id__in=ids, is_default=True)}
    contacts: dict[int, Contact] = {}
    for row in Contact.objects.filter(customer_id__in=ids).order_by("id"):
        contacts.setdefault(row.customer_id, row)
    units: dict[int, list[UnitView]] = defaultdict(list)
    for unit in ProductUnit.objects.filter(customer_id__in=ids).select_related("model__category").order_by("id"):
        units[unit.customer_id or 0].append(
            UnitView(
                id=unit.pk,
                serial_number=unit.serial_number,
                model_id=unit.model_id,
                model_code=unit.model.code,
                category_code=unit.model.category.code,
                product=unit.model.category.name,
                batch=unit.batch,
                factory=unit.factory,
                purchase_date=unit.purchase_date,
            )
        )
    views = []
    for customer in customers:
        address = addresses.get(customer.pk)
        contact = contacts.get(customer.pk)
        phone = (contact.phone if contact else "") or customer.phone
        if address is None or not phone:
            continue  # not a customer the demo can use (e.g. one registered by email only)
        region_code = region_codes.get(customer.region_id or 0) or generate.REGION_OF_PROVINCE.get(address.province, "")
        views.append(
            CustomerView(
                id=customer.pk,
                name=customer.name,
                kind=customer.kind,
                phone=phone,
                email=(contact.email if contact else "") or customer.email,
                contact_name=contact.name if contact else customer.name,
                region_id=customer.region_id,
                region_code=region_code,
                place=generate.Place(region_code, address.province, address.city, address.district, address.detail),
                units=tuple(units.get(customer.pk, ())),
                user_id=customer.user_id,
            )
        )
    return views
