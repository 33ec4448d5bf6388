"""The request-type rule groups (features.REQUEST_RULES, docs/triage.md "How it decides") and the
decision on TRIAGE_URGENT_CONFIDENCE measured on the hand-written safety phrases (issue 20).
The texts are written for the tests from the labelling rules, not taken from the dev set."""

import numpy as np
import pytest

from aftersales.triage.classifier import TriageModel, load_shipped
from aftersales.triage.features import (
    LEXICON_GROUPS,
    REQUEST_RULE_GROUPS,
    RULE_GROUPS,
    analyse,
    request_rule_hits,
    request_rule_vector,
)
from aftersales.triage.training import Labelled, fit
from tests.crisis.test_safety_phrases import HAZARDS, NOT_HAZARDS

# The default of TRIAGE_URGENT_CONFIDENCE recommended in docs/triage.md ("The threshold").
RECOMMENDED_URGENT_CONFIDENCE = 0.7


def wishes(text: str) -> dict[str, tuple[str, ...]]:
    return analyse(text).wishes


def test_a_wish_the_customer_asks_for() -> None:
    assert "ask_return" in wishes("屏幕有坏点，申请退货")
    assert "ask_exchange" in wishes("要求给我换一台新的")
    assert "ask_repair" in wishes("麻烦尽快安排上门维修")
    assert "ask_compensation" in wishes("耽误了工作，要求赔偿损失")
    assert "ask_consultation" in wishes("请问这个型号支持快充吗")


def test_a_price_drop_is_a_refund_wish() -> None:
    # The labelling rule: a price drop or price-protection dispute is a refund (of the difference).
    assert "ask_refund" in wishes("买了没两周就降价两百，差价不给补")
    assert "ask_refund" in wishes("申请价格保护被拒")


def test_a_declined_wish_does_not_count() -> None:
    assert "ask_return" not in wishes("不想退货了，太麻烦")
    assert "ask_exchange" not in wishes("懒得换货了，凑合用吧")
    assert "ask_return" in request_rule_hits("退货太麻烦")  # no declining word before it
    # A refusal by the seller still shows what the customer wanted.
    assert "ask_return" in wishes("客服不给退货")


def test_new_faulty_unit_and_unit_used_a_while() -> None:
    new = wishes("刚买三天就黑屏了")
    assert "new_faulty" in new and "used_faulty" not in new
    used = wishes("用了半年就坏了")
    assert "used_faulty" in used and "new_faulty" not in used
    assert not {"new_faulty", "used_faulty"} & set(wishes("刚买三天，很喜欢"))  # no fault, no rule


def test_no_wish_is_the_rules_complaint() -> None:
    at = REQUEST_RULE_GROUPS.index("no_wish")
    assert request_rule_vector(wishes("外观一般，手感也不好"))[at] == 1.0
    assert request_rule_vector(wishes("请问怎么退款"))[at] == 0.0
    assert request_rule_vector(wishes("不想退货了"))[at] == 1.0  # a declined wish is none


SMALL = [
    Labelled("快递太慢了，一个星期才到，包装也破了", "logistics", "complaint", "0", "normal"),
    Labelled("配送延迟三天，箱子压坏了，要求赔偿", "logistics", "compensation", "0", "important"),
    Labelled("刚买两天就黑屏死机，要求换货", "product_quality", "exchange", "0", "important"),
    Labelled("屏幕有坏点，触摸失灵，申请退货", "product_quality", "return", "0", "important"),
    Labelled("用了半年就坏了，充不进电，想维修", "product_quality", "repair", "0", "important"),
    Labelled("安装师傅乱收材料费，安装费太贵", "installation", "complaint", "0", "normal"),
    Labelled("买完就降价了，差价不给退", "other", "refund", "0", "normal"),
    Labelled("外观很漂亮，就是有点贵", "other", "complaint", "0", "normal"),
]


@pytest.mark.django_db
def test_the_request_rules_are_features_of_the_request_type_only() -> None:
    model = fit(SMALL)
    start = len(LEXICON_GROUPS) + len(RULE_GROUPS)
    at = slice(start, start + len(REQUEST_RULE_GROUPS))
    assert np.abs(model.heads["request_type"].w_dense[:, at]).sum() > 0
    assert np.abs(model.heads["category"].w_dense[:, at]).sum() == 0
    assert np.abs(model.heads["urgency"].w_dense[:, at]).sum() == 0
    assert model.request_rule_scale > 0
    # The page's reasons name the words of the wish.
    suggestion = model.suggest("刚买两天就坏了，要求换货")
    if suggestion.request_type.value == "exchange":
        assert any(r.startswith("request_type:") and "换货" in r for r in suggestion.reasons)


@pytest.mark.django_db
def test_the_urgent_threshold_on_the_hand_written_phrases() -> None:
    """At the recommended threshold every hand-written hazard escalates at once, and no
    hand-written non-hazard does (the false escalations a supervisor would have to reverse)."""
    model = load_shipped()
    assert isinstance(model, TriageModel)
    false_escalations = [
        t for t in NOT_HAZARDS if (s := model.suggest(t).safety).value == "1" and s.confidence >= RECOMMENDED_URGENT_CONFIDENCE
    ]
    assert false_escalations == []
    waiting = [t for t in HAZARDS if (s := model.suggest(t).safety).value != "1" or s.confidence < RECOMMENDED_URGENT_CONFIDENCE]
    assert waiting == []
    # The rule's lowest hazard level, calibrated: where the threshold must stay below to escalate
    # every flag (docs/triage.md).
    hazard_levels = [v for k, v in model.safety_calibration.items() if k.startswith("1:")]
    assert min(hazard_levels) >= RECOMMENDED_URGENT_CONFIDENCE
