"""The triage's calibrated confidences (triage.calibration, docs/triage.md "Confidences").

A temperature per answer is fitted on out-of-fold scores during training and stored with the
weights; the safety rule's levels are mapped to the share of right answers at each level. These
tests fail when the calibration is dropped (a temperature of 1, an empty safety table, a
confidence computed without them). The texts are written for the tests (no dev.csv text)."""

from pathlib import Path

import numpy as np
import pytest

from aftersales.crisis.safety import assess
from aftersales.triage.calibration import (
    SAFETY_PRIOR_WEIGHT,
    ece,
    fit_safety,
    fit_temperature,
    reliability,
    safety_confidence,
    safety_key,
    softmax,
)
from aftersales.triage.classifier import SHIPPED_MODEL, TriageModel, load_shipped
from aftersales.triage.features import analyse
from aftersales.triage.training import Labelled, fit

pytestmark = pytest.mark.django_db  # the safety words are configurable rows


def test_the_fitted_temperature_recovers_the_one_that_made_the_labels() -> None:
    rng = np.random.default_rng(7)
    scores = rng.normal(0, 3, size=(4000, 4))
    truth = np.array([rng.choice(4, p=p) for p in softmax(scores, 2.5)])
    assert fit_temperature(scores, truth) == pytest.approx(2.5, rel=0.12)
    # Labels drawn from the sharper scores: a temperature below 1.
    sharp = np.array([rng.choice(4, p=p) for p in softmax(scores, 0.5)])
    assert fit_temperature(scores, sharp) < 0.7


def test_an_acceptable_second_answer_counts_in_the_fit() -> None:
    # Class 0 is the label but class 1 leads; class 1 is acceptable too: with the alternative
    # counted, every answer is right and the fit is sure (low T); without it, it is unsure.
    scores = np.array([[1.9, 2.0, -3.0]] * 50)
    truth = np.zeros(50, dtype=int)
    alone = fit_temperature(scores, truth)
    with_alt = fit_temperature(scores, truth, np.ones(50, dtype=int))
    assert with_alt < alone


def test_ece_of_calibrated_and_over_confident_answers() -> None:
    rng = np.random.default_rng(3)
    conf = rng.uniform(0.5, 1.0, 5000)
    right = rng.uniform(0, 1, 5000) < conf  # right as often as it says
    assert ece(conf, right) < 0.03
    assert ece(np.minimum(conf + 0.2, 1.0), right) > 0.15  # says 20 points more than it is
    bins = reliability(conf, right)
    assert sum(n for _lo, _hi, n, _c, _a in bins) == 5000
    assert all(lo >= 0.5 for lo, _hi, _n, _c, _a in bins)


def test_the_safety_levels_become_the_share_of_right_answers() -> None:
    answers = [(True, 0.8)] * 8 + [(True, 0.95)] * 5 + [(False, 0.97)] * 10
    truth = [True] * 6 + [False] * 2 + [True] * 5 + [False] * 10
    table = fit_safety(answers, truth)
    # 6 of 8 right, shrunk towards the rule's 0.8 by two pseudo-texts.
    expected = (6 + SAFETY_PRIOR_WEIGHT * 0.8) / (8 + SAFETY_PRIOR_WEIGHT)
    assert table[safety_key(True, 0.8)] == pytest.approx(expected, abs=1e-4)
    assert table[safety_key(True, 0.95)] == pytest.approx((5 + 2 * 0.95) / 7, abs=1e-4)
    assert safety_confidence(table, True, 0.8) == pytest.approx(0.76)
    assert safety_confidence(table, False, 0.85) == 0.85  # a level never seen: the rule's own


TRAIN = [
    Labelled("快递太慢了，一个星期才到，包装也破了", "logistics", "complaint", "0", "normal"),
    Labelled("物流送货员态度差，东西放门口就走", "logistics", "complaint", "0", "normal", "service_attitude"),
    Labelled("配送延迟三天，箱子压坏了，要求赔偿", "logistics", "compensation", "0", "important"),
    Labelled("快递员把箱子摔了，送货太慢", "logistics", "complaint", "0", "normal"),
    Labelled("发货太慢，等了十天才收到货", "logistics", "complaint", "0", "normal"),
    Labelled("用了两天就黑屏死机，要求换货", "product_quality", "exchange", "0", "important"),
    Labelled("屏幕有坏点，触摸失灵，申请退货", "product_quality", "return", "0", "important"),
    Labelled("电池不耐用，充不进电，想维修", "product_quality", "repair", "0", "important"),
    Labelled("开不了机，自动关机，质量太差", "product_quality", "complaint", "0", "important"),
    Labelled("摄像头模糊，按键失灵，做工很差", "product_quality", "complaint", "0", "normal"),
    Labelled("安装师傅乱收材料费，安装费太贵", "installation", "complaint", "0", "normal"),
    Labelled("装不上xp系统，驱动也找不到", "installation", "consultation", "0", "normal"),
    Labelled("热水器安装了一周还没有调试好", "installation", "installation", "0", "important"),
    Labelled("师傅上门安装打孔把墙弄坏了", "installation", "complaint", "0", "normal"),
    Labelled("充电器冒烟起火了，差点烧到人", "product_quality", "compensation", "1", "urgent"),
    Labelled("外壳漏电，摸上去麻手", "product_quality", "return", "1", "urgent"),
]


def test_training_fits_and_stores_the_calibration(tmp_path: Path) -> None:
    model = fit(TRAIN)
    assert any(head.temperature != 1.0 for head in model.heads.values())
    assert model.safety_calibration  # one calibrated level per level of the rule seen in training
    path = tmp_path / "m.npz"
    model.save(path)
    again = TriageModel.load(path)
    assert {n: h.temperature for n, h in again.heads.items()} == pytest.approx({n: h.temperature for n, h in model.heads.items()})
    assert again.safety_calibration == model.safety_calibration


def test_the_suggested_confidence_is_the_calibrated_one() -> None:
    model = fit(TRAIN)
    text = "快递送货太慢，箱子破了"
    item = analyse(text)
    dense = model.dense(item, text)
    for name in ("category", "request_type"):
        head = model.heads[name]
        raw = float(np.max(softmax(head.scores(item.hashed, dense))))
        calibrated = float(np.max(softmax(head.scores(item.hashed, dense), head.temperature)))
        got = getattr(model.suggest(text), name).confidence
        assert got == pytest.approx(round(calibrated, 3))
        if abs(head.temperature - 1.0) > 0.05:
            assert got != pytest.approx(round(raw, 3), abs=1e-4)


def test_the_shipped_model_is_calibrated() -> None:
    assert SHIPPED_MODEL.exists()
    model = load_shipped()
    assert isinstance(model, TriageModel)
    for name, head in model.heads.items():
        assert head.temperature != 1.0, name
        assert 0.05 <= head.temperature <= 20
    # The safety flag's confidence is the calibrated level, not the rule's raw one.
    text = "插头冒烟，有焦糊味"
    raw = assess(text)
    assert raw.hazard
    assert model.suggest(text).safety.confidence == pytest.approx(
        round(safety_confidence(model.safety_calibration, True, raw.confidence), 3)
    )
    assert safety_key(True, raw.confidence) in model.safety_calibration
