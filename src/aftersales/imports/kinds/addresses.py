"""A customer's address in an import row: how it is compared with the stored ones, and a whole
address written in one cell (江苏省南京市鼓楼区中山北路100号, a sheet with one 地址 column) split into
its province, city, district and street."""

from __future__ import annotations

import re

from aftersales.accounts.provinces import PROVINCES, city_key, province_key, province_name

# A prefecture-level name after the province: 南京市, 延边朝鲜族自治州, 大兴安岭地区, 锡林郭勒盟.
_CITY = re.compile(r"^(.{1,12}?(?:市|自治州|地区|盟))")
# A district after the city: 鼓楼区, 沛县, 额济纳旗 (at most eight characters, else it is the street).
_DISTRICT = re.compile(r"^(.{1,8}?(?:区|县|旗))")


def address_key(province: str, city: str, district: str, detail: str) -> tuple[str, str, str, str]:
    """An address as compared with the stored ones: 江苏/江苏省, 南京/南京市 are one place, spaces in
    the street do not count."""
    return (province_key(province), city_key(city), district.strip(), "".join(detail.split()))


def split_full_address(text: str) -> tuple[str, str, str, str] | None:
    """(province, city, district, street) of a whole address in one cell, or None when it does
    not start with a province and a city (a municipality, 上海市…, is its own city)."""
    value = "".join(text.split())
    province = province_name(value)
    if not province or value.isascii():
        return None
    full, short = next((f, s) for f, s, _latin in PROVINCES if f == province)
    written = full if value.startswith(full) else short if value.startswith(short) else ""
    if not written:
        return None
    rest = value[len(written) :]
    if province.endswith("市"):  # 北京市, 上海市, 天津市, 重庆市: the city is the municipality
        city = province
        rest = rest.removeprefix(short + "市").removeprefix("市辖区")
    else:
        found = _CITY.match(rest)
        if found is None:
            return None
        city = found[1]
        rest = rest[len(city) :]
    if not rest:
        return None
    district_found = _DISTRICT.match(rest)
    district = district_found[1] if district_found and len(district_found[1]) < len(rest) else ""
    return province, city, district, rest[len(district) :]
