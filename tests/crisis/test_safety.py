"""The safety-word detector (``crisis.safety.detect``) on the built-in defaults and on the
configured rows. The borderline cases are listed with the decision made."""

import pytest

from aftersales.crisis.models import SafetyWord, SafetyWordKind
from aftersales.crisis.safety import DEFAULT_RULES, current_rules, detect

HITS = [
    ("热水器插头冒烟了", "冒烟"),  # the example
    ("空调着火了，快来人", "着火"),  # a variant: 着火了
    ("插座那边有烟，还有焦糊味", "有烟"),
    ("洗衣机漏电，手摸上去麻手", "漏电"),
    ("燃气灶旁边燃气泄漏", "燃气泄漏"),
    ("孩子被热水烫伤了", "烫伤"),
    ("插头冒烟了，但没有起火", "冒烟"),  # the negation covers 起火 only, in its own clause
    ("烤箱一直不停冒烟", "冒烟"),  # 不停 = "keeps on", no negation
    ("开机时冒了一股烟", "一股烟"),
    ("The heater caught fire last night", "caught fire"),
    ("I got an electric shock from the washer", "electric shock"),
    ("ＦＩＲＥ in the kitchen", "fire"),  # full-width letters are normalised
]

NOT_HITS = [
    "冒烟的烤鸭很好吃",  # decided: food, not a hazard (exclusion rule)
    "没有冒烟，只是不制冷",  # negated
    "不冒烟也不漏电，就是噪音大",  # both negated
    "无漏电，无异味",
    "烟雾报警器一直响，想换电池",  # a product name
    "油烟机吸力不够",  # a range hood, not smoke
    "客服态度让我很火大",  # anger, not fire
    "家里吃火锅时跳闸了",  # hot pot
    "The smoke detector beeps",  # a product name
    "There is no smoke, it just does not heat",
    "Firewall blocks the app",  # not on a word boundary
    "电视画面有雪花",
]


@pytest.mark.parametrize(("text", "word"), HITS)
def test_hits(text: str, word: str) -> None:
    hit = detect(text, rules=DEFAULT_RULES)
    assert hit is not None, text
    assert word in hit.words


@pytest.mark.parametrize("text", NOT_HITS)
def test_not_hits(text: str) -> None:
    assert detect(text, rules=DEFAULT_RULES) is None


def test_words_are_listed_once_in_order() -> None:
    hit = detect("先是冒烟，然后起火，又冒烟", rules=DEFAULT_RULES)
    assert hit is not None
    assert hit.words == ("冒烟", "起火")
    assert "冒烟" in hit.snippet


@pytest.mark.django_db
def test_the_admin_list_decides(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    # The migration stored the defaults; an administrator adds a word and an exclusion.
    assert SafetyWord.objects.filter(kind=SafetyWordKind.HAZARD, text="冒烟").exists()
    assert detect("电饭煲发出异响") is None
    SafetyWord.objects.create(kind=SafetyWordKind.HAZARD, text="异响")
    assert detect("电饭煲发出异响") is not None
    SafetyWord.objects.create(kind=SafetyWordKind.EXCLUSION, text="电饭煲发出异响")
    assert detect("电饭煲发出异响") is None
    with django_assert_max_num_queries(0):
        current_rules()  # cached until a row changes
