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
    # Electricity
    "漏电",
    "触电",
    "电击",
    "电到",
    "麻手",
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
    # People hurt
    "受伤",
    "烫伤",
    "烧伤",
    "划伤",
    "伤人",
    "送医",
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
NOT_NEGATIONS: tuple[str, ...] = ("不停", "不断", "不住")
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
                found.append((match.start(), word))
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
        rows = list(SafetyWord.objects.filter(active=True).values_list("kind", "text"))
        hazards = tuple(t for k, t in rows if k == SafetyWordKind.HAZARD) or DEFAULT_HAZARD_WORDS
        exclusions = tuple(t for k, t in rows if k == SafetyWordKind.EXCLUSION) or DEFAULT_EXCLUSIONS
        stored = (hazards, exclusions)
        cache.set(SAFETY_WORDS_CACHE_KEY, stored, 300)
    return Rules(hazards=tuple(stored[0]), exclusions=tuple(stored[1]))


DEFAULT_RULES = Rules(hazards=DEFAULT_HAZARD_WORDS, exclusions=DEFAULT_EXCLUSIONS)
