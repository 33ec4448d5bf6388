"""A production batch's key components as one text: ``压缩机=凌达; 主控板=拓邦`` (component =
supplier, pairs separated by ``;``). The import's "Key components" cell and the audit log's before /
after of an import use it; ``components_text`` writes the canonical form (sorted by component)."""

from __future__ import annotations

import re

MAX_COMPONENT = 128
MAX_SUPPLIER = 128
MAX_COMPONENTS = 30

_PAIRS = re.compile(r"[;；\n|]+")
_EQUALS = re.compile(r"\s*[=＝:：]\s*")


class ComponentsInvalid(ValueError):
    """The text is not a list of component = supplier pairs; ``code`` says why, ``value`` where."""

    def __init__(self, code: str, value: str = "", limit: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.value = value
        self.limit = limit


def parse_components(text: str) -> list[tuple[str, str]]:
    """The (component, supplier) pairs of ``text``, sorted by component (case ignored)."""
    pairs: dict[str, tuple[str, str]] = {}
    for raw in _PAIRS.split(text or ""):
        item = raw.strip()
        if not item:
            continue
        parts = _EQUALS.split(item, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ComponentsInvalid("component_pair_invalid", value=item[:60])
        component, supplier = parts[0].strip(), parts[1].strip()
        if len(component) > MAX_COMPONENT or len(supplier) > MAX_SUPPLIER:
            raise ComponentsInvalid("component_too_long", value=item[:60], limit=MAX_COMPONENT)
        key = component.casefold()
        if key in pairs:
            raise ComponentsInvalid("component_repeated", value=component[:60])
        pairs[key] = (component, supplier)
    if len(pairs) > MAX_COMPONENTS:
        raise ComponentsInvalid("too_many_components", limit=MAX_COMPONENTS)
    return [pairs[k] for k in sorted(pairs)]


def components_text(pairs: list[tuple[str, str]]) -> str:
    """The canonical text of ``pairs`` (sorted by component, case ignored)."""
    return "; ".join(f"{c}={s}" for c, s in sorted(pairs, key=lambda p: p[0].casefold()))
