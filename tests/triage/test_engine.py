"""The triage engine's interface (``triage.engine.suggest``) and its model file.

The texts here are written for the tests (no dev.csv text)."""

from pathlib import Path

import numpy as np
import pytest

from aftersales.triage import engine
from aftersales.triage.classifier import SHIPPED_MODEL, KeywordModel, TriageModel, load_shipped
from aftersales.triage.engine import CATEGORY_BY_LABEL, CATEGORY_CODES, REQUEST_TYPES, URGENCY_LEVELS, suggest
from aftersales.triage.features import HASH_BUCKETS, analyse
from aftersales.triage.training import Config, Labelled, fit

pytestmark = pytest.mark.django_db  # the safety words are configurable rows

SMALL = [
    Labelled("快递太慢了，一个星期才到，包装也破了", "logistics", "complaint", "0", "normal"),
    Labelled("物流送货员态度差，东西放门口就走", "logistics", "complaint", "0", "normal", "service_attitude"),
    Labelled("配送延迟三天，箱子压坏了", "logistics", "compensation", "0", "important"),
    Labelled("用了两天就黑屏死机，要求换货", "product_quality", "exchange", "0", "important"),
    Labelled("屏幕有坏点，触摸失灵，申请退货", "product_quality", "return", "0", "important"),
    Labelled("电池不耐用，充不进电，想维修", "product_quality", "repair", "0", "important"),
    Labelled("安装师傅乱收材料费，安装费太贵", "installation", "complaint", "0", "normal"),
    Labelled("装不上xp系统，驱动也找不到", "installation", "consultation", "0", "normal"),
    Labelled("热水器安装了一周还没有调试好", "installation", "installation", "0", "important"),
    Labelled("充电器冒烟起火了，差点烧到人", "product_quality", "compensation", "1", "urgent"),
]


def test_the_interface() -> None:
    result = suggest("热水器插头冒烟了，客服一直不回复")
    assert result.category.value in CATEGORY_CODES
    assert result.request_type.value in REQUEST_TYPES
    assert result.urgency.value in URGENCY_LEVELS
    assert result.safety.value == "1"
    assert result.urgency.value == "urgent"  # a hazard is urgent
    for guess in (result.category, result.request_type, result.urgency, result.safety):
        assert 0 <= guess.confidence <= 1
    assert any(reason.startswith("safety:") and "冒烟" in reason for reason in result.reasons)
    assert result.model_version
    assert set(CATEGORY_BY_LABEL.values()) == set(CATEGORY_CODES)


def test_no_hazard_in_a_figurative_text() -> None:
    result = suggest("这手机烂到爆炸，客服态度让我很受伤")
    assert result.safety.value == "0"
    assert any(reason.startswith("not_hazard:") for reason in result.reasons)


def test_full_width_text_reads_as_half_width() -> None:
    assert analyse("装ＸＰ系统").hashed == analyse("装xp系统").hashed
    assert analyse("\ufeff装xp系统").hashed == analyse("装xp系统").hashed


def test_empty_text() -> None:
    result = suggest("")
    assert result.category.value in CATEGORY_CODES
    assert result.safety.value == "0"


def test_the_shipped_model_is_numbers_only() -> None:
    assert SHIPPED_MODEL.exists(), "train it: manage.py triage_train --from ../shared/triage/dev.csv"
    with np.load(SHIPPED_MODEL, allow_pickle=False) as data:  # no pickled objects
        for name in data.files:
            assert data[name].dtype.kind in "fiu", name  # floats, ints (the JSON header as bytes)
    model = load_shipped()
    assert isinstance(model, TriageModel)
    for head in model.heads.values():
        assert head.cols.max() < HASH_BUCKETS  # hashed buckets, no vocabulary


def test_fit_save_load_round_trip(tmp_path: Path) -> None:
    model = fit(SMALL, config=Config(embedding_scale=0.0))
    path = tmp_path / "m.npz"
    model.save(path)
    again = TriageModel.load(path)
    text = "快递送货太慢了，箱子都破了"
    assert again.suggest(text) == model.suggest(text)
    assert again.suggest(text).category.value == "logistics"
    assert model.suggest("屏幕黑屏死机，要换货").category.value == "product_quality"


def test_keyword_fallback_without_a_model_file(tmp_path: Path) -> None:
    model = load_shipped(tmp_path / "missing.npz")
    assert isinstance(model, KeywordModel)
    result = model.suggest("快递三天才送到")
    assert result.category.value == "logistics"
    assert result.model_version == KeywordModel.version


def test_the_model_is_loaded_once() -> None:
    engine.reset()
    suggest("屏幕坏了")
    first = engine._loaded
    suggest("又坏了")
    assert engine._loaded is first
