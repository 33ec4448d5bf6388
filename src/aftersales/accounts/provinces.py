"""China's provincial-level divisions and the normalisation of what people type for them.

Pure functions and data (no models): the region table (``RegionArea``), its data migration and
the lookup (``accounts.regions``) share them, so a row and a ticket's address compare equal
however either was written — 江苏 / 江苏省 / Jiangsu / Jiangsu Province, 广西 / 广西壮族自治区 /
Guangxi, 内蒙古 / Inner Mongolia, 上海 / 上海市 / Shanghai.

``province_name`` gives the official full name (江苏省) or "" for a name it does not know;
``city_key`` gives the form a city is stored and compared in (苏州市 → 苏州, "Suzhou City" →
suzhou).
"""

from __future__ import annotations

import re
import unicodedata

# (official full name, short name, romanised/English names) — the 34 provincial-level divisions.
PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("北京市", "北京", ("beijing", "peking")),
    ("天津市", "天津", ("tianjin",)),
    ("上海市", "上海", ("shanghai",)),
    ("重庆市", "重庆", ("chongqing",)),
    ("河北省", "河北", ("hebei",)),
    ("山西省", "山西", ("shanxi",)),
    ("辽宁省", "辽宁", ("liaoning",)),
    ("吉林省", "吉林", ("jilin",)),
    ("黑龙江省", "黑龙江", ("heilongjiang",)),
    ("江苏省", "江苏", ("jiangsu",)),
    ("浙江省", "浙江", ("zhejiang",)),
    ("安徽省", "安徽", ("anhui",)),
    ("福建省", "福建", ("fujian",)),
    ("江西省", "江西", ("jiangxi",)),
    ("山东省", "山东", ("shandong",)),
    ("河南省", "河南", ("henan",)),
    ("湖北省", "湖北", ("hubei",)),
    ("湖南省", "湖南", ("hunan",)),
    ("广东省", "广东", ("guangdong",)),
    ("海南省", "海南", ("hainan",)),
    ("四川省", "四川", ("sichuan",)),
    ("贵州省", "贵州", ("guizhou",)),
    ("云南省", "云南", ("yunnan",)),
    ("陕西省", "陕西", ("shaanxi",)),
    ("甘肃省", "甘肃", ("gansu",)),
    ("青海省", "青海", ("qinghai",)),
    ("台湾省", "台湾", ("taiwan",)),
    ("内蒙古自治区", "内蒙古", ("neimenggu", "neimongol", "innermongolia")),
    ("广西壮族自治区", "广西", ("guangxi", "guangxizhuang")),
    ("西藏自治区", "西藏", ("xizang", "tibet")),
    ("宁夏回族自治区", "宁夏", ("ningxia", "ningxiahui")),
    ("新疆维吾尔自治区", "新疆", ("xinjiang", "xinjianguygur", "xinjianguyghur", "xinjianguighur")),
    ("香港特别行政区", "香港", ("hongkong", "xianggang")),
    ("澳门特别行政区", "澳门", ("macau", "macao", "aomen")),
)

# Every accepted spelling (already through ``_clean``) → the official full name.
_ALIASES: dict[str, str] = {}
for _full, _short, _latin in PROVINCES:
    for _alias in (_full, _short, *_latin):
        _ALIASES[_alias] = _full
# Chinese names longest first, for "江苏省南京市…" typed into the province field.
_CHINESE_PREFIXES = sorted((a for a in _ALIASES if not a.isascii()), key=len, reverse=True)

# Suffixes of romanised names ("Jiangsu Province", "Guangxi Zhuang Autonomous Region", "Hong Kong SAR").
_LATIN_SUFFIX = re.compile(r"(province|municipality|autonomousregion|specialadministrativeregion|sar|sheng|shi|city)$")
_SEPARATORS = re.compile(r"[\s\-_'’.,·]+")


def _clean(text: str) -> str:
    """Full-width to half-width (NFKC), no spaces or separators, lower case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def province_name(text: str) -> str:
    """The official full name of the province ``text`` names (江苏省), or "" when it names none.

    Accepts the full and the short Chinese name, the romanised or English name in any case and
    spacing, with or without "Province"/"Autonomous Region"/"SAR", and Chinese text that starts
    with a province's name (江苏南京市)."""
    key = _clean(text)
    if not key:
        return ""
    if key in _ALIASES:
        return _ALIASES[key]
    if key.isascii():
        # "jiangsuprovince" → "jiangsu"; "guangxizhuangautonomousregion" → "guangxizhuang".
        stripped = _LATIN_SUFFIX.sub("", key)
        return _ALIASES.get(stripped, "")
    for alias in _CHINESE_PREFIXES:
        if key.startswith(alias):
            return _ALIASES[alias]
    return ""


def province_key(text: str) -> str:
    """What a province is stored and compared as: the official name when known, else the cleaned
    text (an unknown name still matches itself)."""
    return province_name(text) or unicodedata.normalize("NFKC", text or "").strip()


def city_key(text: str) -> str:
    """What a city is stored and compared as: 苏州市 → 苏州, " Suzhou City " → suzhou."""
    key = _clean(text)
    if key.isascii():
        return key.removesuffix("city") if len(key) > len("city") else key
    if key.endswith("市") and len(key) > 2:
        return key[:-1]
    return key
