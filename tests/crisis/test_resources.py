"""Resources of a crisis: parts reserved from an emergency reserve (never below zero, released on
recovery), technicians, budget and expenses; their cost in the review; pages and API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.crisis import services
from aftersales.crisis.models import CrisisStatus, CrisisType, Currency, PartReservation
from aftersales.parts.models import Stock
from tests.api.conftest import api_client
from tests.clock import freeze_time
from tests.factories import UserFactory
from tests.parts.factories import PartFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def reserve_stock(db):  # type: ignore[no-untyped-def]
    part = PartFactory(number="P-VALVE", name="泄压阀", unit_cost=Decimal("35.50"))
    warehouse = WarehouseFactory(code="central-er", name="中央应急仓")
    return Stock.objects.create(warehouse=warehouse, part=part, on_hand=10, reserved=2, emergency_reserve=5)


@pytest.fixture
def crisis(supervisor, level_ii):  # type: ignore[no-untyped-def]
    with freeze_time(T0):
        return services.crisis_open(
            actor=supervisor, title="泄压阀批量失效", crisis_type=CrisisType.QUALITY_BATCH, level=level_ii
        )


@pytest.fixture
def technician(db):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.TECHNICIAN, username="tech-wang", display_name="王师傅")


def _walk_to(crisis, actor, *statuses):  # type: ignore[no-untyped-def]
    for status in statuses:
        crisis = services.crisis_transition(crisis=crisis, actor=actor, to=status)
    return crisis


def test_parts_are_reserved_never_below_zero_and_released_on_recovery(supervisor, crisis, reserve_stock) -> None:  # type: ignore[no-untyped-def]
    reservation = services.crisis_reserve_parts(crisis=crisis, actor=supervisor, stock=reserve_stock, quantity=6)
    reserve_stock.refresh_from_db()
    # 10 on hand, 2 promised before: 8 available, the emergency reserve (5) included for a crisis.
    assert (reserve_stock.on_hand, reserve_stock.reserved) == (10, 8)
    assert reservation.unit_cost == Decimal("35.50") and reservation.value == Decimal("213.00")
    with pytest.raises(DomainError) as refused:
        services.crisis_reserve_parts(crisis=crisis, actor=supervisor, stock=reserve_stock, quantity=3)
    assert refused.value.code == "insufficient_stock"
    reserve_stock.refresh_from_db()
    assert reserve_stock.reserved == 8 and reserve_stock.available == 2
    with pytest.raises(ValidationFailed):
        services.crisis_reserve_parts(crisis=crisis, actor=supervisor, stock=reserve_stock, quantity=0)
    assert AuditEvent.objects.filter(action="crisis.parts_reserved").count() == 1

    _walk_to(crisis, supervisor, CrisisStatus.CONFIRMED, CrisisStatus.CONTAINED, CrisisStatus.RECOVERED)
    reserve_stock.refresh_from_db()
    assert reserve_stock.reserved == 2  # the crisis's 6 are back; the earlier promise stands
    reservation.refresh_from_db()
    assert reservation.released_at is not None and reservation.released_by == supervisor
    assert AuditEvent.objects.filter(action="crisis.parts_released").count() == 1
    with pytest.raises(Conflict):  # no more reservations once recovered
        services.crisis_reserve_parts(crisis=crisis, actor=supervisor, stock=reserve_stock, quantity=1)


def test_only_a_location_with_an_emergency_reserve_and_released_once(supervisor, crisis, reserve_stock) -> None:  # type: ignore[no-untyped-def]
    plain = Stock.objects.create(warehouse=reserve_stock.warehouse, part=PartFactory(number="P-PLAIN"), on_hand=50)
    with pytest.raises(ValidationFailed) as refused:
        services.crisis_reserve_parts(crisis=crisis, actor=supervisor, stock=plain, quantity=1)
    assert refused.value.code == "no_emergency_reserve"
    reservation = services.crisis_reserve_parts(crisis=crisis, actor=supervisor, stock=reserve_stock, quantity=4)
    services.crisis_release_parts(reservation=reservation, actor=supervisor)
    services.crisis_release_parts(reservation=reservation, actor=supervisor)  # twice: nothing more
    reserve_stock.refresh_from_db()
    assert reserve_stock.reserved == 2


def test_technicians_budget_expenses_and_the_cost_in_the_review(supervisor, crisis, reserve_stock, technician) -> None:  # type: ignore[no-untyped-def]
    agent = UserFactory(role=Role.AGENT, username="agent-li")
    with pytest.raises(ValidationFailed):
        services.crisis_assign_technician(crisis=crisis, actor=supervisor, user=agent)
    services.crisis_assign_technician(crisis=crisis, actor=supervisor, user=technician, note="上海片区")
    services.crisis_assign_technician(crisis=crisis, actor=supervisor, user=technician)  # once only
    assert crisis.technicians.count() == 1
    crisis = services.crisis_set_budget(crisis=crisis, actor=supervisor, amount="50000", currency=Currency.CNY)
    with pytest.raises(ValidationFailed):
        services.crisis_set_budget(crisis=crisis, actor=supervisor, amount="-1")
    services.crisis_record_expense(crisis=crisis, actor=supervisor, amount="1200.50", description="加急物流")
    services.crisis_record_expense(crisis=crisis, actor=supervisor, amount=Decimal("800"), description="上门检测")
    with pytest.raises(ValidationFailed) as fixed:
        services.crisis_set_budget(crisis=crisis, actor=supervisor, amount="50000", currency=Currency.USD)
    assert fixed.value.code == "currency_fixed"
    services.crisis_reserve_parts(crisis=crisis, actor=supervisor, stock=reserve_stock, quantity=2)
    crisis = _walk_to(crisis, supervisor, CrisisStatus.CONFIRMED, CrisisStatus.CONTAINED, CrisisStatus.RECOVERED)
    crisis = services.crisis_transition(crisis=crisis, actor=supervisor, to=CrisisStatus.REVIEWED, lessons="应急库存充足。")
    cost = crisis.review["cost"]
    assert cost["parts_value"] == "71.00" and cost["parts_reserved"] == 2
    assert cost["spent"] == "2000.50" and cost["budget"] == "50000.00" and cost["currency"] == "CNY"
    assert cost["total"] == "2071.50" and cost["technicians"] == 1
    with pytest.raises(Conflict):
        services.crisis_record_expense(crisis=crisis, actor=supervisor, amount="1", description="迟到的发票")
    for action in ("crisis.technician_assigned", "crisis.budget_set", "crisis.expense_recorded"):
        assert AuditEvent.objects.filter(action=action).exists(), action


def test_only_crisis_roles_allocate(crisis, reserve_stock, technician) -> None:  # type: ignore[no-untyped-def]
    agent = UserFactory(role=Role.AGENT, username="agent-zhao")
    with pytest.raises(PermissionDenied):
        services.crisis_reserve_parts(crisis=crisis, actor=agent, stock=reserve_stock, quantity=1)
    with pytest.raises(PermissionDenied):
        services.crisis_assign_technician(crisis=crisis, actor=technician, user=technician)
    with pytest.raises(PermissionDenied):
        services.crisis_record_expense(crisis=crisis, actor=agent, amount="1", description="x")


def test_the_page_allocates_and_shows_the_resources(client, supervisor, crisis, reserve_stock, technician) -> None:  # type: ignore[no-untyped-def]
    client.force_login(supervisor)
    step = lambda name: reverse("crisis:step", args=[crisis.pk, name])  # noqa: E731
    client.post(step("parts"), {"stock": reserve_stock.pk, "quantity": 3})
    client.post(step("technician"), {"user": technician.pk, "note": "待命"})
    client.post(step("budget"), {"amount": "10000", "currency": "CNY", "version": crisis.version + 2})
    client.post(step("expense"), {"amount": "300", "description": "加急物流"})
    page = client.get(reverse("crisis:detail", args=[crisis.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "P-VALVE" in html and "王师傅" in html and "10000.00 CNY" in html and "300.00 CNY" in html
    assert PartReservation.objects.filter(crisis=crisis, quantity=3).exists()
    reservation = PartReservation.objects.get(crisis=crisis)
    client.post(step("parts-release"), {"reservation": reservation.pk})
    reservation.refresh_from_db()
    assert reservation.released_at is not None
    # Too many: refused with a message, nothing reserved, no error page.
    refused = client.post(step("parts"), {"stock": reserve_stock.pk, "quantity": 99}, follow=True)
    assert refused.status_code == 200
    assert PartReservation.objects.filter(crisis=crisis).count() == 1


def test_the_api_reserves_assigns_budgets_and_reads(supervisor, crisis, reserve_stock, technician) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    api = api_client(supervisor)
    base = f"/api/v1/crisis/crises/{crisis.pk}"
    made = api.post(
        f"{base}/parts",
        {"part": "P-VALVE", "warehouse": reserve_stock.warehouse_id, "quantity": 2},
        headers={"Idempotency-Key": "r-1"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["value"] in ("71.00", "71.0", 71.0)
    too_many = api.post(
        f"{base}/parts",
        {"part": "P-VALVE", "warehouse": reserve_stock.warehouse_id, "quantity": 50},
        headers={"Idempotency-Key": "r-2"},
    )
    assert too_many.status_code == 409 and "insufficient_stock" in too_many.content.decode()
    assigned = api.post(f"{base}/technicians", {"username": "tech-wang"}, headers={"Idempotency-Key": "t-1"})
    assert assigned.status_code == 201
    read = api.get(f"/api/v1/crisis/crises/{crisis.pk}")
    assert api.post(f"{base}/budget", {"amount": "5000"}).status_code == 428
    budget = api.post(f"{base}/budget", {"amount": "5000", "currency": "CNY"}, headers={"If-Match": read["ETag"]})
    assert budget.status_code == 200, budget.content
    spent = api.post(f"{base}/expenses", {"amount": "120.00", "description": "物流"}, headers={"Idempotency-Key": "e-1"})
    assert spent.status_code == 201
    resources = api.get(f"{base}/resources").json()
    assert resources["cost"]["spent"] == "120.00" and resources["cost"]["total"] == "191.00"
    assert [t["username"] for t in resources["technicians"]] == ["tech-wang"]
    released = api.post(f"{base}/parts/{made.json()['id']}/release")
    assert released.status_code == 200 and released.json()["released_at"]


def test_the_api_hides_another_regions_crisis(east, north, level_ii) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="boss")
    theirs = services.crisis_open(actor=boss, title="华北停服", crisis_type=CrisisType.SERVICE, level=level_ii)
    type(theirs).objects.filter(pk=theirs.pk).update(region=north)
    regional = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=east, username="east-sup")
    api = api_client(regional)
    assert api.get(f"/api/v1/crisis/crises/{theirs.pk}/resources").status_code == 404
    spent = api.post(
        f"/api/v1/crisis/crises/{theirs.pk}/expenses", {"amount": "1", "description": "x"}, headers={"Idempotency-Key": "x-1"}
    )
    assert spent.status_code == 404


def test_the_demo_allocates_resources_once(supervisor, reserve_stock, technician) -> None:  # type: ignore[no-untyped-def]
    import io

    from aftersales.crisis.models import Crisis
    from aftersales.demo.crisis import load_crisis_demo
    from tests.factories import ProductModelFactory, make_ticket

    UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, username="admin")
    UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="supervisor")
    from aftersales.tickets.choices import Channel

    make_ticket(channel=Channel.SOCIAL, description="微博吐槽", phone="13900009999", customer_name="网友")
    make_ticket(description="热水器插头冒烟了", product_model_code=ProductModelFactory().code)
    load_crisis_demo(io.StringIO())
    load_crisis_demo(io.StringIO())  # a second run changes nothing
    crisis = Crisis.objects.get(is_drill=False)
    assert crisis.technicians.get().user == technician
    assert crisis.budget_amount == Decimal("50000.00") and crisis.expenses.count() == 1
    assert crisis.part_reservations.get().quantity == 1
    reserve_stock.refresh_from_db()
    assert reserve_stock.reserved == 3
