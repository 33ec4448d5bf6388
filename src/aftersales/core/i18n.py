"""Text the system writes into stored records, shown in the language of whoever reads it.

A timeline entry such as "The technician is on the way." is written once and read by a Chinese
agent, an English supervisor and the customer. Rendering it at write time freezes it in the
writer's language (the technician's phone was in Chinese, so the English page showed Chinese).
Instead the writer stores the English message id and its parameters (``deferred``), and every
reader renders them in its own active language (``rendered``). Parameters that are themselves
translatable (choice labels, other lazy messages) are stored as message ids too and translated on
reading; names, numbers and amounts are stored as they are.

Message ids are English (Django's source language), so the English rendering is the id itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

#: The key under which a stored record (e.g. ``TicketEvent.data``) keeps its deferred text.
TEXT_KEY = "text"

#: What ``deferred`` returns and ``rendered`` reads: ``{"m": msgid, "p": params, "t": [lazy params]}``.
Deferred = dict[str, Any]


def _msgid(message: str | Promise) -> str:
    if isinstance(message, Promise):
        # Under "en" a lazy message is its own id (locale/en only rewords the three model help
        # texts whose ids carry Chinese examples; none is ever deferred).
        with translation.override("en"):
            return str(message)
    return message


def _item(value: object) -> Any:
    """One element of a list parameter: a lazy translation becomes a deferred message."""
    if isinstance(value, Promise):
        return {"m": _msgid(value)}
    if isinstance(value, dict) and "m" in value:
        return value
    return "" if value is None else str(value)


def deferred(message: str | Promise, /, **params: object) -> Deferred:
    """A message to render later: ``message`` is a lazy translation (``gettext_lazy``) or an
    English message id; a parameter that is a lazy translation (a choice's label) or another
    ``deferred`` message is translated when read, a list or tuple is joined with the reader's
    list separator ("、" / ", "), anything else is kept as text."""
    stored: dict[str, Any] = {}
    translatable: list[str] = []
    for key, value in params.items():
        if isinstance(value, Promise):
            stored[key] = _msgid(value)
            translatable.append(key)
        elif isinstance(value, dict) and "m" in value:
            stored[key] = value
        elif isinstance(value, list | tuple):
            stored[key] = [_item(item) for item in value]
        elif isinstance(value, bool):
            stored[key] = str(value)
        elif isinstance(value, int | float):
            stored[key] = value
        else:
            stored[key] = "" if value is None else str(value)
    text: dict[str, Any] = {"m": _msgid(message)}
    if stored:
        text["p"] = stored
    if translatable:
        text["t"] = translatable
    return text


def rendered(text: dict[str, Any] | None, fallback: str = "") -> str:
    """``text`` from ``deferred`` in the active language; ``fallback`` when there is none or it
    cannot be rendered (a record written before the message changed its placeholders)."""
    if not text or not isinstance(text, dict) or "m" not in text:
        return fallback
    translatable = set(text.get("t") or ())
    params: dict[str, Any] = {}
    for key, value in (text.get("p") or {}).items():
        if isinstance(value, dict):
            params[key] = rendered(value)
        elif isinstance(value, list):
            params[key] = join_list(rendered(item) if isinstance(item, dict) else item for item in value)
        elif key in translatable:
            params[key] = gettext(value)
        else:
            params[key] = value
    template = gettext(text["m"])
    if not params:
        return template
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return fallback or text["m"]


def rendered_lazy(text: Deferred) -> Promise:
    """``rendered(text)`` when it is turned into a string (a message parameter rendered later in
    its recipient's language)."""
    return cast(Promise, _rendered_lazy(text))


def frozen(text: Deferred) -> str:
    """The rendering of ``text`` kept in the record's plain text column (``TicketEvent.body``)
    for full-text search, exports and old readers: in the site's language (zh-hans), whoever
    wrote it. Pages never show it when the deferred text is there."""
    with translation.override(settings.LANGUAGE_CODE):
        return rendered(text)


def join_list(items: Iterable[object]) -> str:
    """Items of an enumeration in the active language: "电脑板×1、门封条×2" / "Board×1, Seal×2"."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


_rendered_lazy = lazy(rendered, str)


# --- Who did it ---------------------------------------------------------------------------------
#
# A record made without a user (a scheduled job, an e-mail, a survey answered through its link, a
# ticket registered by a channel) names its actor by a stable code in ``actor_label``, never by
# words in the writer's language; ``actor_text`` says it in the reader's language. A label that is
# no code (a person's name, an e-mail sender, an API key's name, a row written before the codes)
# is shown as it is.

ACTOR_SYSTEM = "system"
ACTOR_EMAIL = "email"
ACTOR_SURVEY = "survey"
ACTOR_CUSTOMER = "customer"

ACTORS: dict[str, Promise] = {
    ACTOR_SYSTEM: _("System"),
    ACTOR_EMAIL: _("E-mail intake"),
    ACTOR_SURVEY: _("Customer (survey link)"),
    ACTOR_CUSTOMER: _("Customer"),
    "assign_regions": _("Region assignment (command)"),
    "demo_data": _("Demo data"),
    # Labels written before the codes, in the words of the time.
    "customer (survey link)": _("Customer (survey link)"),
}

# ``"<kind>:<value>"`` codes: the kind's labels, registered by the app that owns them (the
# tickets app registers its channels in its ``ready``: ``"channel:hotline"``).
_ACTOR_KINDS: dict[str, Callable[[str], object]] = {}


def register_actor_kind(kind: str, label: Callable[[str], object]) -> None:
    """Let ``actor_text`` say ``"<kind>:<value>"`` codes: ``label(value)`` (raising
    ``ValueError`` or ``KeyError`` for a value it does not know)."""
    _ACTOR_KINDS[kind] = label


def actor_code(kind: str, value: str) -> str:
    """The stored code of an actor of a registered kind: ``actor_code("channel", "hotline")``."""
    return f"{kind}:{value}"


def actor_text(label: str | None) -> str:
    """An ``actor_label`` in the active language: a code ("system", "channel:hotline") in words,
    anything else as it is; an empty label is the system."""
    if not label:
        return str(ACTORS[ACTOR_SYSTEM])
    known = ACTORS.get(label)
    if known is not None:
        return str(known)
    kind, sep, value = label.partition(":")
    if sep and kind in _ACTOR_KINDS:
        try:
            return str(_ACTOR_KINDS[kind](value))
        except (KeyError, ValueError):
            return label
    return label
