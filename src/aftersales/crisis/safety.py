"""The safety-word detector: one module, one entry point (``detect(text) -> SafetyHit | None``).

Intake calls it for every ticket of every channel (``receivers.ticket_opened``); the triage
(issue 20) will reuse it. The rules, in order:

1. The text is normalised: full-width letters and digits to half-width, lower case, spaces
   collapsed.
2. **Exclusions** are blanked out first (a phrase that contains a hazard word but is no hazard:
   烟雾报警器, 油烟机, 抽烟, 火锅, "smoke detector"; ``re:`` starts a regular expression such as
   the food rule ``(冒烟|冒火)的(烤鸭|烤肉…)``).
3. Each **hazard word** is searched (Chinese as a substring, so 着火了 / 着火啦 match 着火;
   English on word boundaries, so "fire" matches "on fire" but not "firewall").
4. An occurrence is **negated** when a negation (没有, 没, 不, 无, 未, no, not, without…) stands
   within the four characters before it in the same clause ("没有冒烟", "不冒烟", "no smoke");
   "不停/不断" (keeps on) negate nothing. A clause ends at punctuation, so "插头冒烟了，但没有
   起火" is still a hit (冒烟).

The lists are configurable in /admin/ (``SafetyWord``: hazard words and exclusions); with no
active row of a kind, the defaults below apply. Decisions on the borderline cases are listed in
``tests/crisis/test_safety.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.db import DatabaseError

from .models import SAFETY_WORDS_CACHE_KEY, SafetyWord, SafetyWordKind

DEFAULT_HAZARD_WORDS: tuple[str, ...] = (
    # Fire and smoke
    "起火",
    "着火",
    "失火",
    "自燃",
    "冒火",
    "火苗",
    "火花",
    "冒烟",
    "有烟",
    "冒了烟",
    "一股烟",
    "烧焦",
    "焦糊味",
    "烧糊",
    "烧坏了插座",
    "烧坏",
    "烧毁",
    "烧黑",
    "熏黑",
    "短路",
    "空烧",
    "干烧",
    # Electricity
    "漏电",
    "触电",
    "电击",
    "电到",
    "电死",
    "麻手",
    "电麻",
    "带电",
    # Gas and explosion
    "燃气泄漏",
    "煤气泄漏",
    "天然气泄漏",
    "漏气",
    "燃气味",
    "煤气味",
    "爆炸",
    "炸了",
    "爆裂",
    "鼓包",
    "re:电池[^，,。.！!？?；;]{0,6}(鼓|胀|膨胀|瓢)",
    # People hurt
    "受伤",
    "烫伤",
    "烧伤",
    "划伤",
    "烫到",
    "伤人",
    "送医",
    "生命危险",
    # Harm from a consumable (food, cosmetics)
    "拉肚子",
    "腹泻",
    "呕吐",
    "食物中毒",
    "过敏",
    "起疹",
    "红肿",
    # English
    "fire",
    "caught fire",
    "smoke",
    "smoking",
    "sparks",
    "spark",
    "electric shock",
    "shocked",
    "gas leak",
    "leaking gas",
    "explosion",
    "exploded",
    "burnt",
    "burned",
    "injured",
    "injury",
    "scalded",
)

DEFAULT_EXCLUSIONS: tuple[str, ...] = (
    "烟雾报警器",
    "烟雾报警",
    "烟感",
    "抽烟",
    "吸烟",
    "香烟",
    "烟灰",
    "烟花",
    "吸油烟机",
    "抽油烟机",
    "油烟机",
    "烟机",
    "油烟",
    "火锅",
    "火车",
    "火速",
    "火爆",
    "上火",
    "发火",
    "火大",
    "恼火",
    "防火",
    "防漏电",
    "漏电保护",
    "re:(冒烟|冒火|起火|着火)的(烤鸭|烤肉|烧烤|烤串|火锅|菜|饭菜|美食|羊肉串)",
    # Figurative and non-hazard uses (issue 20): the word is there, the hazard is not.
    "烧烤",
    "发烧友",
    "发烧级",
    "烧钱",
    "烧录",
    "对焦",
    "焦点",
    "焦距",
    "焦虑",
    "焦急",
    "爆炸式",
    "信息爆炸",
    "re:(烂|差|慢|卡|贵|坑|丑|垃圾|无语|郁闷|气|烦|坑爹)到?爆炸",
    "re:(很|好|太|真|挺|最|心灵|感情|心理|心里|心都|幼小的心灵|心)受伤",
    "受伤的心",
    "受伤害",
    "re:(电池|电量|待机|耗电|费电|掉电|续航)[^，,。.！!？?；;]{0,8}漏电",
    "re:漏电[^，,。.！!？?；;]{0,8}(电池|电量|待机|掉电|耗电|费电|没电|续航|%)",
    "re:(担心|怕|害怕|万一|以免|防止|避免|恐怕)[^，,。.！!？?；;]{0,6}(烧坏|烧毁|短路)",
    "re:烫到(不|没法|无法|受不了|握不住|拿不住)",
    "re:(充|通|断|来|停|用|耗|掉|放|省)电到",
    "re:带电(池|源|量|脑|视|话|线)",
    "re:(屏幕|屏|机身|外壳|表面|后盖|壳|边框|镜头|漆)[^，,。.！!？?；;]{0,4}划伤",
    "re:(屏幕|屏|玻璃|钢化膜|贴膜|膜)[^，,。.！!？?；;]{0,3}(爆裂|炸了)",
    "smoke detector",
    "smoke alarm",
    "fire alarm",
    "fire extinguisher",
    "fired",
    "firewall",
    "no smoking",
)

NEGATIONS: tuple[str, ...] = (
    "没有",
    "并没有",
    "没",
    "不",
    "无",
    "未",
    "并未",
    "不会",
    "no ",
    "not ",
    "without ",
    "never ",
    "n't ",
)
# "keeps on" and "nearly" (差点没电死 = nearly electrocuted) negate nothing.
NOT_NEGATIONS: tuple[str, ...] = ("不停", "不断", "不住", "差点没", "差一点没", "差点儿没", "险些没")
CLAUSE_END = re.compile(r"[，,。.！!？?；;：:\n]")
NEGATION_REACH = 4


@dataclass(frozen=True)
class SafetyHit:
    """The hazard words found (each once, in order of first occurrence) and a snippet around the first."""

    words: tuple[str, ...]
    snippet: str


@dataclass(frozen=True)
class Rules:
    hazards: tuple[str, ...]
    exclusions: tuple[str, ...]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"\s+", " ", text)


def _is_ascii(word: str) -> bool:
    return all(ord(ch) < 128 for ch in word)


@lru_cache(maxsize=512)
def _pattern(word: str) -> re.Pattern[str]:
    if word.startswith("re:"):
        return re.compile(word[3:])
    escaped = re.escape(normalise(word))
    if _is_ascii(word):
        return re.compile(rf"(?<![a-z]){escaped}(?![a-z])")
    return re.compile(escaped)


def _negated(text: str, start: int) -> bool:
    """Whether a negation stands shortly before ``start`` in the same clause."""
    clause = CLAUSE_END.split(text[max(0, start - 24) : start])[-1]
    for phrase in NOT_NEGATIONS:
        clause = clause.replace(phrase, "□" * len(phrase))
    near = clause[-NEGATION_REACH:]
    english = " " + clause[-20:]
    return any((neg in english) if _is_ascii(neg) else (neg in near) for neg in NEGATIONS)


def detect(text: str, *, rules: Rules | None = None) -> SafetyHit | None:
    """The hazard words of ``text`` (a ticket's title and description), or None."""
    rules = rules or current_rules()
    body = normalise(text)
    if not body:
        return None
    for exclusion in rules.exclusions:
        body = _pattern(exclusion).sub(lambda m: "□" * len(m.group(0)), body)
    found: list[tuple[int, str]] = []
    for word in rules.hazards:
        for match in _pattern(word).finditer(body):
            if not _negated(body, match.start()):
                found.append((match.start(), match.group(0) if word.startswith("re:") else word))
                break
    if not found:
        return None
    found.sort()
    words: list[str] = []
    for _start, word in found:
        if word not in words:
            words.append(word)
    first = found[0][0]
    plain = normalise(text)
    return SafetyHit(words=tuple(words), snippet=plain[max(0, first - 20) : first + 30].strip())


def current_rules() -> Rules:
    """The configured words (``SafetyWord`` rows, cached until one is saved), else the defaults."""
    stored = cache.get(SAFETY_WORDS_CACHE_KEY)
    if stored is None:
        try:
            rows = list(SafetyWord.objects.filter(active=True).values_list("kind", "text"))
        except DatabaseError:  # no database (an offline evaluation): the built-in lists
            return DEFAULT_RULES
        hazards = tuple(t for k, t in rows if k == SafetyWordKind.HAZARD) or DEFAULT_HAZARD_WORDS
        exclusions = tuple(t for k, t in rows if k == SafetyWordKind.EXCLUSION) or DEFAULT_EXCLUSIONS
        stored = (hazards, exclusions)
        cache.set(SAFETY_WORDS_CACHE_KEY, stored, 300)
    return Rules(hazards=tuple(stored[0]), exclusions=tuple(stored[1]))


DEFAULT_RULES = Rules(hazards=DEFAULT_HAZARD_WORDS, exclusions=DEFAULT_EXCLUSIONS)


# -- The triage's reading (issue 20): the same rule, with a confidence ----------------------------

# Words that name the event itself; the others (漏电, 短路, 过敏…) are more often something else.
STRONG_WORDS: frozenset[str] = frozenset(
    {
        "起火", "着火", "失火", "自燃", "冒火", "火苗", "冒烟", "冒了烟", "一股烟", "烧焦", "焦糊味",
        "烧坏了插座", "烧毁", "烧黑", "触电", "电击", "电死", "爆炸", "燃气泄漏", "煤气泄漏",
        "天然气泄漏", "烫伤", "烧伤", "生命危险", "空烧", "干烧", "食物中毒", "鼓包",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SafetyAssessment:
    """``hazard``: whether the text reports a hazard; ``confidence`` (0..1) in that answer;
    ``words``: the hazard words found (for a non-hazard: those ruled out as negated or figurative)."""

    hazard: bool
    confidence: float
    words: tuple[str, ...]
    reasons: tuple[str, ...] = ()


def _ruled_out(text: str, rules: Rules) -> tuple[str, ...]:
    """The hazard words that stand in the raw text but were negated or excluded."""
    body = normalise(text)
    return tuple(w for w in rules.hazards if not w.startswith("re:") and w in body)


def assess(text: str, *, rules: Rules | None = None) -> SafetyAssessment:
    """``detect`` read as a yes/no answer with a confidence (the triage's safety flag).

    A hazard word that names the event (冒烟, 起火, 爆炸, 触电, 烫伤…) gives 0.95, any other word
    0.8 — a missed fire is worse than a false alarm, so any hit flags. No hit gives 0.97, or 0.85
    when a hazard word was there but negated or used figuratively (没有冒烟, 发烧友, 烂到爆炸)."""
    rules = rules or current_rules()
    hit = detect(text, rules=rules)
    if hit is not None:
        strong = any(w in STRONG_WORDS for w in hit.words) or len(hit.words) > 1
        return SafetyAssessment(hazard=True, confidence=0.95 if strong else 0.8, words=hit.words)
    ruled_out = _ruled_out(text, rules)
    if ruled_out:
        return SafetyAssessment(hazard=False, confidence=0.85, words=ruled_out, reasons=("negated or figurative use",))
    return SafetyAssessment(hazard=False, confidence=0.97, words=())
