"""The measured effect of an improvement action aimed at a factory, a component supplier or a model:
batches before vs after the change, the same months in the field on both sides (only batches all of
whose units have been in the field that long; only faults within that window), and the verdict
(fell / did not fall / too early to say) with its figures."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.catalog.models import ProductModel
from aftersales.catalog.warranty import add_months
from aftersales.core.errors import ValidationFailed
from aftersales.parts.models import Part
from aftersales.quality.effect import measure_effect, suggested_outcome
from aftersales.quality.models import ImprovementAction
from aftersales.quality.services import ActionInput, action_raise, action_update

from .factories_rates import fit, part, register
from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date
FOSHAN, HEFEI = "佛山工厂", "合肥工厂"
HUADE, TONGBAO, MEIZHI = "宁波华德", "佛山通宝", "广东美芝"


def _next_month(day: dt.date) -> dt.date:
    return D(day.year + day.month // 12, day.month % 12 + 1, 1)


def _batch(
    m: ProductModel,
    batch: str,
    produced: dt.date,
    *,
    shipped: int | None = 1000,
    faults: tuple[tuple[int, Part | None], ...] = (),
    factory: str = "",
    components: dict[str, str] | None = None,
) -> None:
    """A registered batch made on ``produced``, shipped the month after, with one faulty unit per
    ``(months in service, part fitted)`` in ``faults``."""
    register(m, batch, factory=factory, month=produced.replace(day=1), components=components)
    if shipped:
        ship(m, batch, shipped, _next_month(produced))
    bought = produced + dt.timedelta(days=10)
    for months, fitted in faults:
        u = unit(m, batch, production_date=produced, purchase_date=bought)
        ticket = fault(u, on=add_months(bought, months) + dt.timedelta(days=5))
        if fitted is not None:
            fit(ticket, fitted)


def _action(m: ProductModel | None = None, **scope: object) -> ImprovementAction:
    actor = engineer()
    action = action_raise(actor=actor, title="整改", problem="故障集中", origin="fault_cluster", model=m)
    data = ActionInput.of(action)
    data.change_kind, data.change_content = "process", "改进工艺"
    for name, value in scope.items():
        setattr(data, name, value)
    return action_update(action=action, actor=actor, data=data, expected_version=action.version)


@pytest.fixture
def plants():  # type: ignore[no-untyped-def]
    """佛山 before the change on 2025-06-01: P1 (10 faulty in month 1 and one in month 5), P2 (8);
    after: P3 (none), P4 (1), P5 (made in October: young). 合肥's H1 (20 faulty) is another factory."""
    m = model("KFR-35GW")
    _batch(m, "P1", D(2025, 3, 5), faults=((1, None),) * 10 + ((5, None),), factory=FOSHAN)
    _batch(m, "P2", D(2025, 4, 5), faults=((2, None),) * 8, factory=FOSHAN)
    _batch(m, "P3", D(2025, 6, 3), factory=FOSHAN)
    _batch(m, "P4", D(2025, 7, 3), faults=((0, None),), factory=FOSHAN)
    _batch(m, "P5", D(2025, 10, 3), factory=FOSHAN)
    _batch(m, "H1", D(2025, 7, 3), faults=((1, None),) * 20, factory=HEFEI)
    refresh()
    return m


def test_a_factory_action_compares_its_batches_in_the_same_months_in_the_field(plants):  # type: ignore[no-untyped-def]
    action = _action(factory=FOSHAN, effective_date=D(2025, 6, 1))
    effect = measure_effect(action, today=D(2026, 1, 15))
    assert effect.window_months == 3 and effect.cut == D(2025, 6, 1)
    # P1's fault in its sixth month is outside the three-month window; 合肥's H1 is not in scope.
    assert (effect.before_units, effect.before_faulty, effect.after_units, effect.after_faulty) == (2000, 18, 2000, 1)
    assert [(b.batch, b.after, b.mature) for b in effect.batches] == [
        ("P1", False, True),
        ("P2", False, True),
        ("P3", True, True),
        ("P4", True, True),
        ("P5", True, False),
    ]
    # P5 was shipped in November: every unit of it has been in the field three months from 2026-03-01.
    young = effect.batches[-1]
    assert young.counted == D(2026, 3, 1) and young.months_in_field == 1
    assert effect.verdict == "fell" and effect.p_value is not None and effect.p_value < 0.001
    assert suggested_outcome(effect.verdict) == "effective"
    # A six-month window takes P1's late fault in; in mid-February it counts P3 (shipped in July)
    # and not yet P4 (shipped in August: from 2026-03-01).
    action.effect_window_months = 6
    assert measure_effect(action, today=D(2026, 1, 15)).reason == "not_mature"
    longer = measure_effect(action, today=D(2026, 2, 15))
    assert (longer.before_faulty, longer.after_units, longer.after_faulty) == (19, 1000, 0)


def test_too_early_to_say_until_an_after_batch_has_been_in_the_field_long_enough(plants):  # type: ignore[no-untyped-def]
    action = _action(factory=FOSHAN, effective_date=D(2025, 6, 1))
    early = measure_effect(action, today=D(2025, 9, 15))
    # P3 shipped in July: in the field from August, three months from November. No after figure yet.
    assert early.verdict == "too_early" and early.reason == "not_mature" and early.ready_on == D(2025, 11, 1)
    assert (early.after_units, early.after_faulty) == (0, 0) and early.before_units == 2000
    assert suggested_outcome(early.verdict) == ""
    # Nothing made after the change at all (an effective date in the future of the register).
    action.effective_date = D(2025, 12, 1)
    none_yet = measure_effect(action, today=D(2026, 1, 15))
    assert none_yet.verdict == "too_early" and none_yet.reason == "no_after_batches" and none_yet.ready_on is None


def test_too_few_units_after_the_change_is_too_early_not_a_drop():  # type: ignore[no-untyped-def]
    """200 units after the change at the before rate of 9 per 1,000 would show 1.8 faulty units:
    none is no evidence of a drop (fewer than five expected)."""
    m = model("KFR-50LW")
    _batch(m, "B1", D(2025, 2, 5), faults=((1, None),) * 9)
    _batch(m, "B2", D(2025, 6, 5), shipped=200)
    refresh()
    action = _action(m, effective_date=D(2025, 6, 1))
    effect = measure_effect(action, today=D(2026, 1, 15))
    assert (effect.before_units, effect.before_faulty, effect.after_units, effect.after_faulty) == (1000, 9, 200, 0)
    assert effect.verdict == "too_early" and effect.reason == "too_few_units" and effect.p_value is not None


def test_a_rate_that_stayed_is_did_not_fall():  # type: ignore[no-untyped-def]
    m = model("KFR-51LW")
    _batch(m, "B1", D(2025, 2, 5), faults=((1, None),) * 9)
    _batch(m, "B2", D(2025, 6, 5), shipped=2000, faults=((2, None),) * 20)
    refresh()
    effect = measure_effect(_action(m, effective_date=D(2025, 6, 1)), today=D(2026, 1, 15))
    assert (effect.before_faulty, effect.after_units, effect.after_faulty) == (9, 2000, 20)
    assert effect.verdict == "not_fell" and suggested_outcome(effect.verdict) == "not_effective"


def test_a_supplier_action_counts_the_faults_of_its_component_in_its_batches():  # type: ignore[no-untyped-def]
    """华德's capacitor is in S1 (before) and S3 (after); S2 has 通宝's. Only capacitor faults
    count for 华德 — not the compressor faults of the same batches."""
    m = model("KFR-72LW")
    cap, comp = part("C35", "启动电容"), part("YS1", "压缩机")
    _batch(m, "S1", D(2025, 3, 5), faults=((1, cap),) * 6 + ((1, comp),) * 5, components={"启动电容": HUADE, "压缩机": MEIZHI})
    _batch(m, "S2", D(2025, 4, 5), faults=((1, cap),) * 7, components={"启动电容": TONGBAO, "压缩机": MEIZHI})
    _batch(m, "S3", D(2025, 7, 5), faults=((1, comp),) * 3, components={"启动电容": HUADE, "压缩机": MEIZHI})
    refresh()
    action = _action(supplier=HUADE, component="启动电容", effective_date=D(2025, 6, 1))
    effect = measure_effect(action, today=D(2026, 1, 15))
    assert [b.batch for b in effect.batches] == ["S1", "S3"]
    assert (effect.before_units, effect.before_faulty, effect.after_units, effect.after_faulty) == (1000, 6, 1000, 0)
    # One-sided Fisher: C(1000,6)/C(2000,6) ≈ 0.0155.
    assert effect.p_value == pytest.approx(0.01546, rel=0.01) and effect.verdict == "fell"
    # 美芝's compressor is in every batch: its faults only (5 before, 3 after).
    compressor = measure_effect(_action(supplier=MEIZHI, effective_date=D(2025, 6, 1)), today=D(2026, 1, 15))
    assert [b.batch for b in compressor.batches] == ["S1", "S2", "S3"]
    assert (compressor.before_units, compressor.before_faulty, compressor.after_faulty) == (2000, 5, 3)


def test_no_denominator_no_start_and_no_time_in_service_are_said_apart(plants):  # type: ignore[no-untyped-def]
    # A batch of the factory with faults and no shipment volume; a faulty unit of no known time in service.
    _batch(plants, "P9", D(2025, 7, 20), shipped=None, faults=((1, None),) * 4, factory=FOSHAN)
    fault(unit(plants, "P3", production_date=None, purchase_date=None), on=D(2025, 9, 1))
    refresh()
    effect = measure_effect(_action(factory=FOSHAN, effective_date=D(2025, 6, 1)), today=D(2026, 1, 15))
    assert effect.unshipped_batches == 1 and "P9" not in [b.batch for b in effect.batches]
    assert effect.unknown_months_units == 1
    assert (effect.after_units, effect.after_faulty) == (2000, 1)


def test_no_scope_no_date_and_no_baseline_give_no_verdict(plants):  # type: ignore[no-untyped-def]
    bare = _action()
    assert measure_effect(bare).reason == "no_scope" and measure_effect(bare).verdict == ""
    assert measure_effect(_action(factory=FOSHAN)).reason == "no_change_date"
    # The first batch named: the cut is its start.
    by_batch = measure_effect(_action(factory=FOSHAN, first_batch="P3"), today=D(2026, 1, 15))
    assert by_batch.cut == D(2025, 6, 1) and by_batch.after_units == 2000
    assert measure_effect(_action(factory=FOSHAN, first_batch="X9"), today=D(2026, 1, 15)).reason == "unknown_first_batch"
    # 合肥 made nothing before the change: no baseline, no verdict (never a rate against nothing).
    early_cut = measure_effect(_action(factory=HEFEI, effective_date=D(2025, 7, 1)), today=D(2026, 1, 15))
    assert early_cut.verdict == "" and early_cut.reason == "no_before_batches" and early_cut.after_units == 1000


def test_the_scope_is_chosen_from_the_production_register(plants):  # type: ignore[no-untyped-def]
    register(plants, "S1", factory=FOSHAN, components={"启动电容": HUADE})
    other = model("KFR-99")
    with pytest.raises(ValidationFailed) as unknown:
        _action(factory="北京工厂")
    assert set(unknown.value.errors) == {"factory"}
    with pytest.raises(ValidationFailed) as wrong_model:
        _action(other, factory=FOSHAN)
    assert set(wrong_model.value.errors) == {"factory"}
    with pytest.raises(ValidationFailed) as component:
        _action(supplier=HUADE, component="压缩机")
    assert set(component.value.errors) == {"component"}
    with pytest.raises(ValidationFailed) as supplier:
        _action(supplier="无名厂")
    assert set(supplier.value.errors) == {"supplier"}
    with pytest.raises(ValidationFailed) as elsewhere:
        _action(factory=HEFEI, supplier=HUADE)
    assert set(elsewhere.value.errors) == {"supplier"}
    with pytest.raises(ValidationFailed) as window:
        _action(factory=FOSHAN, effect_window_months=0)
    assert set(window.value.errors) == {"effect_window_months"}
    # The register's part number or name both name its component.
    ok = _action(plants, factory=FOSHAN, supplier=HUADE, component="C35 启动电容")
    assert (ok.factory, ok.supplier, ok.component) == (FOSHAN, HUADE, "C35 启动电容")
