"""Sandboxed template text: placeholders in braces, filled from an allow-listed dict.

A template is plain text with placeholders such as ``{工单号}`` or its English alias
``{ticket_number}``. Rendering is one regular-expression substitution from a dict of strings
prepared by the caller: there is no attribute access (``{ticket.customer}`` is simply an unknown
placeholder), no filters, no code and no loops, so a template can reach only the values its
event documents. Validation refuses what would not render: an unknown placeholder, a brace
that is not part of one, an empty text. (Jinja2's sandbox was not chosen: it still evaluates
expressions, and administrators need nothing but substitution.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .text import Verbatim, clause

PLACEHOLDER = re.compile(r"\{([^{}\n]{1,60})\}")


@dataclass(frozen=True)
class Placeholder:
    """A value a template may use: ``key`` (the value's name in the code), its Chinese name and
    English alias (both accepted in a template), what it is, and a sample for previews."""

    key: str
    zh: str
    en: str
    label: Any
    sample_zh: str
    sample_en: str

    def sample(self, language: str) -> str:
        return self.sample_zh if language.startswith("zh") else self.sample_en

    def name(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


def _chinese() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def _names(placeholders: Iterable[Placeholder]) -> dict[str, str]:
    names: dict[str, str] = {}
    for p in placeholders:
        names[p.zh] = p.key
        names[p.en] = p.key
    return names


def template_errors(text: str, placeholders: Iterable[Placeholder], *, required: bool = True) -> list[Any]:
    """What is wrong with ``text`` (translated messages; empty when it renders)."""
    if not text.strip():
        return [_("Write the text; an empty template cannot be sent.")] if required else []
    known = _names(placeholders)
    errors: list[Any] = []
    unknown = [m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1).strip() not in known]
    if unknown:
        listed = ("、" if _chinese() else ", ").join(f"{{{name}}}" for name in dict.fromkeys(unknown))
        errors.append(_("Unknown placeholder %(names)s: use only the placeholders listed for this template.") % {"names": listed})
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        example = "{工单号}" if _chinese() else "{ticket_number}"
        errors.append(
            _("A brace is not part of a placeholder: write placeholders as %(example)s, with both braces.") % {"example": example}
        )
    return errors


def fill(text: str, values: Mapping[str, str], placeholders: Iterable[Placeholder]) -> str:
    """``text`` with each known placeholder replaced by its value (``values`` by key); call
    ``template_errors`` first — an unknown placeholder raises ``KeyError``."""
    known = _names(placeholders)
    return PLACEHOLDER.sub(lambda m: values[known[m.group(1).strip()]], text)


def prepared(values: Mapping[str, Any]) -> dict[str, str]:
    """Values as they go into a sentence: text without its own closing punctuation, translations
    rendered in the active language, nothing missing (an empty string)."""
    result: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            result[key] = ""
        elif isinstance(value, Promise | Verbatim):
            result[key] = str(value)
        else:
            result[key] = clause(value)
    return result


FORMAT_FIELD = re.compile(r"%\((\w+)\)[sdi]|%%")


def msgid(text: Any) -> str:
    """The message id of a lazy translation (the text itself for a plain string)."""
    args = getattr(text, "_args", None)
    if isinstance(text, Promise) and args:
        return str(args[0])
    return str(text)


def placeholder_form(text: Any, placeholders: Iterable[Placeholder], *, language: str) -> str:
    """A shipped message (a translation with ``%(key)s`` or ``%(key)d``) written with the
    language's placeholders ("我们已登记您的服务申请，编号为 {工单号}。"), as an administrator edits it."""
    names = {p.key: "{" + p.name(language) + "}" for p in placeholders}

    def named(match: re.Match[str]) -> str:
        key = match.group(1)
        if key is None:
            return "%"
        return names.get(key, "{" + key + "}")

    return FORMAT_FIELD.sub(named, str(text))


# --- SMS length -----------------------------------------------------------------------------

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsLength:
    characters: int
    segments: int
    encoding: str  # "GSM-7" or "UCS-2"
    per_segment: int


def sms_length(text: str) -> SmsLength:
    """Characters and parts of an SMS: pure ASCII goes as GSM-7 (160 in one message, 153 per
    part of a longer one); anything else (Chinese) as UCS-2 (70, 67 per part). A character
    outside the basic plane counts twice in UCS-2."""
    if all(ord(c) < 128 for c in text):
        count, single, part, encoding = len(text), GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        count = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    if count == 0:
        return SmsLength(0, 0, encoding, single)
    segments = 1 if count <= single else -(-count // part)
    return SmsLength(count, segments, encoding, single if segments == 1 else part)
