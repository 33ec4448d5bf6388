"""The hand-written hazard / non-hazard list of the safety detector (issue 20, docs/triage.md
"Safety phrases"). Written from the labelling rules and common usage, not from the dev set.
Each line is a decision: a hazard flags (recall first), a figurative or negated use does not."""

import pytest

from aftersales.crisis.safety import DEFAULT_RULES, assess, detect

HAZARDS = [
    "充电器爆炸了，吓死人",
    "热水器插头冒烟，有焦糊味",
    "手机充电时起火，床单烧了个洞",
    "洗衣机外壳漏电，摸上去麻手",
    "水壶干烧也不断电",
    "开水壶空烧，差点出事",
    "烧水壶漏水，烫伤了孩子的手",
    "倒水时烫到手了",
    "电池鼓包，后盖都顶起来了",
    "用了半年电池鼓起来了",
    "电源适配器烧坏了，插座都熏黑了",
    "插上电就短路，跳闸",
    "差点没电死我",  # 差点没 = nearly: no negation
    "冒着生命危险在用这台热水器",
    "喝了以后拉肚子，还呕吐",
    "用了这个洗发水头皮过敏，起疹子",
    "燃气热水器漏气，一屋子煤气味",
    "The charger exploded on my desk",
]

NOT_HAZARDS = [
    "晚上去吃烧烤了，顺便买的",  # 烧烤: a barbecue
    "作为一个发烧友，这音质太差",  # 发烧友: an enthusiast
    "对焦很慢，拍照模糊",  # 对焦: focusing
    "质量烂到爆炸",  # slang: "awful beyond words"
    "客服的态度让我很受伤",  # hurt feelings
    "心灵受伤了，再也不买",
    "电池漏电太快，一晚上掉电一半",  # 漏电 as battery drain
    "待机漏电严重",
    "充电的时候有点烫，正常吗",  # hot to the touch is no hazard
    "机身发烫，玩游戏很烫手",
    "担心会烧坏适配器",  # a worry of damage, no event
    "没有冒烟，只是不加热",  # negated
    "不漏电，就是噪音大",
    "充电到80%就充不进去了",  # 电到 inside 充电到
    "手机带电池和充电器",  # 带电 inside 带电池
    "屏幕有划伤，像是二手的",  # a scratched product, nobody hurt
    "信息爆炸的时代",
]


@pytest.mark.parametrize("text", HAZARDS)
def test_hazards_flag(text: str) -> None:
    assert detect(text, rules=DEFAULT_RULES) is not None, text
    result = assess(text, rules=DEFAULT_RULES)
    assert result.hazard
    assert 0.5 < result.confidence <= 1


@pytest.mark.parametrize("text", NOT_HAZARDS)
def test_non_hazards_do_not_flag(text: str) -> None:
    hit = detect(text, rules=DEFAULT_RULES)
    assert hit is None, (text, hit)
    assert not assess(text, rules=DEFAULT_RULES).hazard


def test_event_words_are_surer_than_ambiguous_ones() -> None:
    assert assess("充电器爆炸了", rules=DEFAULT_RULES).confidence > assess("插上就短路", rules=DEFAULT_RULES).confidence


def test_a_ruled_out_word_lowers_the_no() -> None:
    plain = assess("屏幕颜色偏黄", rules=DEFAULT_RULES)
    negated = assess("没有冒烟，屏幕颜色偏黄", rules=DEFAULT_RULES)
    assert not plain.hazard and not negated.hazard
    assert negated.confidence < plain.confidence
    assert "冒烟" in negated.words


def test_a_regular_expression_hazard_reports_the_matched_text() -> None:
    hit = detect("用了半年电池鼓起来了", rules=DEFAULT_RULES)
    assert hit is not None
    assert all(not w.startswith("re:") for w in hit.words)
