"""The urgency rule groups (features.URGENCY_RULES, docs/triage.md "How it decides") and the
urgency's mixed head (fitting.mix_heads). The texts are written for the tests from the labelling
rule, not taken from the dev set."""

import numpy as np
import pytest

from aftersales.triage.classifier import Head
from aftersales.triage.features import (
    LEXICON_GROUPS,
    REQUEST_RULE_GROUPS,
    RULE_GROUPS,
    URGENCY_RULE_GROUPS,
    analyse,
    urgency_rule_vector,
)
from aftersales.triage.fitting import OutOfFold, mix_heads, mix_selected
from aftersales.triage.training import Config, fit
from tests.triage.test_request_rules import SMALL  # the same small labelled set


def urgency(text: str) -> dict[str, tuple[str, ...]]:
    return analyse(text).urgency


def test_a_fault_that_needs_action() -> None:
    hits = urgency("用了两天就死机，要求换货")
    assert {"defect", "remedy_wish", "open_fault"} <= set(hits)
    assert "nothing_to_act_on" not in hits


def test_a_fault_given_up_or_resolved_is_not_open() -> None:
    given_up = urgency("屏幕有坏点，不想退货了，凑合用吧")
    assert "declined" in given_up and "resigned" in given_up
    assert "open_fault" not in given_up and "remedy_wish" not in given_up
    assert "open_fault" not in urgency("黑屏了，后来客服给换了一台，问题解决了")


def test_price_gifts_and_opinions_have_nothing_to_act_on() -> None:
    price = urgency("刚买就降价了，赠品也没送")
    assert "price_gift" in price and "nothing_to_act_on" in price
    opinion = urgency("分辨率一般，性价比不高，大家慎重")
    assert {"spec_opinion", "warn_others", "nothing_to_act_on"} <= set(opinion)


def test_repeated_failures_escalation_and_pending_service() -> None:
    hits = urgency("修了三次还是坏，再不解决就去12315投诉")
    assert {"repeated", "escalation"} <= set(hits)
    assert "unresolved" in urgency("报修一周了一直没人处理")
    assert "time_pressure" in urgency("工作急用，耽误工作了")


def test_the_vector_has_one_value_per_group() -> None:
    vec = urgency_rule_vector(urgency("刚买就降价了"))
    assert vec.shape == (len(URGENCY_RULE_GROUPS),)
    assert vec[URGENCY_RULE_GROUPS.index("nothing_to_act_on")] == 1.0
    assert vec[URGENCY_RULE_GROUPS.index("open_fault")] == 0.0


def test_mixing_two_heads_mixes_their_calibrated_scores() -> None:
    first = Head(
        classes=("important", "normal"),
        cols=np.array([3, 7], dtype=np.int64),
        w_hash=np.array([[1.0, -1.0], [-1.0, 1.0]], dtype=np.float32),
        w_dense=np.array([[0.5, 0.0], [-0.5, 0.0]], dtype=np.float32),
        bias=np.array([0.1, -0.1], dtype=np.float32),
        temperature=2.0,
    )
    second = Head(
        classes=("important", "normal"),
        cols=np.zeros(0, dtype=np.int64),
        w_hash=np.zeros((2, 0), dtype=np.float32),
        w_dense=np.array([[0.0, 2.0], [0.0, -2.0]], dtype=np.float32),
        bias=np.array([0.3, -0.3], dtype=np.float32),
        temperature=0.5,
    )
    mixed = mix_heads(first, second, 0.3)
    hashed, dense = {3: 0.6, 7: 0.2, 11: 0.5}, np.array([1.0, 0.5], dtype=np.float32)
    expected = 0.7 * first.scores(hashed, dense) / 2.0 + 0.3 * second.scores(hashed, dense) / 0.5
    assert np.allclose(mixed.scores(hashed, dense), expected, atol=1e-5)
    assert mixed.temperature == 1.0
    with pytest.raises(ValueError):
        mix_heads(first, Head(("a", "b", "c"), second.cols, second.w_hash, np.zeros((3, 2)), np.zeros(3)), 0.3)


def test_the_mixed_head_gets_a_temperature_from_the_out_of_fold_scores() -> None:
    dense = np.zeros((2, 1), dtype=np.float32)
    empty, no_cols = np.zeros(0, dtype=np.int64), np.zeros((2, 0), dtype=np.float32)
    first = Head(("important", "normal"), empty, no_cols, dense, np.zeros(2, dtype=np.float32), temperature=2.0)
    second = Head(("important", "normal"), empty, no_cols, dense, np.zeros(2, dtype=np.float32), temperature=0.5)
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 200)
    # Over-confident out-of-fold scores: right 70 % of the time at a margin of 8.
    right = rng.random(200) < 0.7
    winner = np.where(right, truth, 1 - truth)
    scores = np.where(np.arange(2)[None, :] == winner[:, None], 4.0, -4.0)
    oof: OutOfFold = {"rows": np.arange(200), "scores": scores, "truth": truth, "classes": ["important", "normal"]}
    mixed = mix_selected(first, oof, second, oof, 0.3)
    assert mixed.temperature > 1.0  # softened: the mixture (margin 0.7 × 4 + 0.3 × 16) is over-confident
    # Without out-of-fold scores there is nothing to fit.
    assert mix_selected(first, {}, second, {}, 0.3).temperature == 1.0


@pytest.mark.django_db
def test_the_urgency_rules_are_features_of_the_urgency_only() -> None:
    model = fit(SMALL)
    start = len(LEXICON_GROUPS) + len(RULE_GROUPS) + len(REQUEST_RULE_GROUPS)
    at = slice(start, start + len(URGENCY_RULE_GROUPS))
    assert np.abs(model.heads["urgency"].w_dense[:, at]).sum() > 0
    assert np.abs(model.heads["category"].w_dense[:, at]).sum() == 0
    assert np.abs(model.heads["request_type"].w_dense[:, at]).sum() == 0
    assert model.urgency_rule_scale > 0
    assert model.heads["urgency"].temperature != 1.0  # the mixed head is calibrated too
    # Without the mix, the urgency is the n-gram head alone and does not see them.
    plain = fit(SMALL, config=Config(urgency_mix=0.0))
    assert np.abs(plain.heads["urgency"].w_dense[:, at]).sum() == 0
