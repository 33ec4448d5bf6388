"""The calendars and SLA policies the product seeds itself (migration ``0002``), by stable code.

A seeded row keeps the name it came with (Chinese, the site's language: ``0004``) in ``name``,
which the administrator may change like any other. While it is unchanged, pages show the
translated label of the row's ``code`` instead, so an English page reads "Default" where a
Chinese one reads 默认 (SPEC: no string of the other language on a page). A renamed row is the
customer's own: its name is shown as they wrote it, in every language.

The Chinese translation of each label is the seeded name itself (``locale/zh_Hans``), so a
Chinese page shows exactly what it showed before. The labels have their own context: "24×7" and
"Default" are also used elsewhere with other translations.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Seed:
    name: str  # as seeded, stored in ``name``
    label: Promise  # shown while ``name`` is unchanged


SEEDED_CALENDARS: dict[str, Seed] = {
    "office": Seed("办公日历", pgettext_lazy("seeded calendar", "Office hours")),
    "always": Seed("全天候", pgettext_lazy("seeded calendar", "24×7")),
}

SEEDED_POLICIES: dict[str, Seed] = {
    "urgent": Seed("紧急", pgettext_lazy("seeded SLA policy", "Urgent")),
    "important": Seed("重要", pgettext_lazy("seeded SLA policy", "Important")),
    "key_customer": Seed("重要客户", pgettext_lazy("seeded SLA policy", "Key customer")),
    "default": Seed("默认", pgettext_lazy("seeded SLA policy", "Default")),
}


def seeded_label(seeds: dict[str, Seed], *, code: str, name: str) -> str:
    """How a row named ``name`` with seed code ``code`` is shown in the active language: the
    label of its code while it has its seeded name, else its name."""
    seed = seeds.get(code) if code else None
    if seed is not None and name == seed.name:
        return str(seed.label)
    return name
