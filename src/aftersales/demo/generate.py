"""Seeded generators of Chinese names, phone numbers, addresses, stores, serials and texts.

Every function takes the ``random.Random`` it draws from, so one seed gives the same data set on
every machine. Phone numbers are checked with libphonenumber before they are handed out.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from itertools import accumulate

import phonenumbers

from . import data

_SURNAME_WEIGHTS = list(accumulate(max(60 - i, 4) for i in range(len(data.SURNAMES))))
_PROVINCE_NAMES = list(data.PROVINCES)
_PROVINCE_WEIGHTS = list(accumulate(data.PROVINCES[name][0] for name in _PROVINCE_NAMES))
REGION_OF_PROVINCE = {province: code for code, _name, _en, provinces in data.REGIONS for province in provinces}


@dataclass(frozen=True)
class Place:
    """A real province, city and district with an invented street address."""

    region_code: str
    province: str
    city: str
    district: str
    detail: str

    @property
    def city_short(self) -> str:
        return self.city.removesuffix("市")


def person_name(rng: random.Random) -> str:
    surname = rng.choices(data.SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]
    given = "".join(rng.choice(data.GIVEN_NAME_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))
    return surname + given


def mobile_e164(rng: random.Random) -> str:
    """A valid mainland mobile number in E.164 (``+8613812345678``)."""
    while True:
        national = rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if is_valid_cn_mobile(national):
            return "+86" + national


def is_valid_cn_mobile(national: str) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(national, "CN"))


def as_typed(e164: str, rng: random.Random) -> str:
    """The way a person types the number: ``13812345678``, ``138 1234 5678`` or ``+86 138-1234-5678``."""
    national = e164.removeprefix("+86")
    style = rng.randrange(3)
    if style == 0:
        return national
    if style == 1:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    return f"+86 {national[:3]}-{national[3:7]}-{national[7:]}"


def email_for(local: str, rng: random.Random) -> str:
    return f"{local}@{rng.choice(data.EMAIL_DOMAINS)}"


def place(rng: random.Random, *, province: str | None = None) -> Place:
    if province is None:
        province = rng.choices(_PROVINCE_NAMES, cum_weights=_PROVINCE_WEIGHTS)[0]
    cities = data.PROVINCES[province][1]
    city = rng.choice(list(cities))
    district = rng.choice(cities[city])
    detail = (
        f"{rng.choice(data.STREETS)}{rng.randint(1, 999)}号{rng.choice(data.COMMUNITIES)}"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
    )
    return Place(REGION_OF_PROVINCE[province], province, city, district, detail)


def company(rng: random.Random, where: Place) -> tuple[str, str]:
    """An invented company in ``where``'s city and the position of its after-sales contact."""
    kind, position = rng.choice(data.COMPANY_KINDS)
    return f"{where.city_short}{rng.choice(data.COMPANY_WORDS)}{kind}", position


def store(rng: random.Random, channel: str, where: Place) -> str:
    return rng.choice(data.STORES[channel]).format(city=where.city_short)


def batch_code(production: dt.date, line: int) -> str:
    """Batches are per month and production line: ``B2025-07-A``."""
    return f"B{production:%Y-%m}-{'ABCD'[line % 4]}"


def serial_number(category_prefix: str, factory: str, production: dt.date, sequence: int, *, width: int = 6) -> str:
    """``KT2507FS000123``: category, year and month of production, factory, running number.

    The demo set uses six digits and the bulk loader eight, so the two can never collide.
    """
    return f"{category_prefix}{production:%y%m}{data.FACTORY_CODES[factory]}{sequence:0{width}d}"


def description(rng: random.Random, scenario: data.Scenario, product: str) -> str:
    opening = rng.choice(data.OPENINGS).format(product=product, when=rng.choice(data.PURCHASE_WHEN))
    closing = rng.choice(data.CLOSINGS[scenario.request_type])
    return f"{opening}{rng.choice(scenario.symptoms)}。{closing}"


def title(scenario: data.Scenario, product: str) -> str:
    return scenario.title.format(product=product)


def scenarios_for(category_code: str | None) -> list[data.Scenario]:
    """Problems that can happen to a product of this category (generic ones included)."""
    return [s for s in data.SCENARIOS if not s.categories or (category_code is not None and category_code in s.categories)]
