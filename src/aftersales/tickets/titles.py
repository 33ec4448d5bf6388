"""A ticket's title when nobody gave one: the description's first line, shortened for a list.

Intake and the detail correction (``services.intake``, ``services.details``) both call
``title_from_description``. A first line longer than ``TITLE_FROM_DESCRIPTION_MAX`` characters is
cut where a reader expects a break and ends with "…" (the ellipsis counts in the length): Chinese,
Japanese and Korean text between any two characters (each is a word), Latin text at a space,
never inside a word — unless one word alone fills more than half the room (a long URL or
part number), which is then cut where the room ends. Punctuation and spaces left at the end of
the cut are dropped before the "…".
"""

from __future__ import annotations

import unicodedata

TITLE_FROM_DESCRIPTION_MAX = 60
ELLIPSIS = "…"
_TRAILING = " \t,;:.-–—，、；：。"


def _wide(ch: str) -> bool:
    """A character of a script without spaces between words (CJK, full-width forms)."""
    return unicodedata.east_asian_width(ch) in {"W", "F"}


def _break_allowed(line: str, at: int) -> bool:
    """May ``line`` be cut between ``line[at - 1]`` and ``line[at]``?"""
    before, after = line[at - 1], line[at]
    return before.isspace() or after.isspace() or _wide(before) or _wide(after)


def shorten_title(line: str, limit: int = TITLE_FROM_DESCRIPTION_MAX) -> str:
    """``line`` trimmed; when longer than ``limit``, cut at a sensible boundary with "…" (at most
    ``limit`` characters in all)."""
    line = " ".join(line.split())  # tabs and runs of spaces as one space
    if len(line) <= limit:
        return line
    room = limit - len(ELLIPSIS)
    cut = next((at for at in range(room, room // 2, -1) if _break_allowed(line, at)), room)
    return line[:cut].rstrip(_TRAILING) + ELLIPSIS


def title_from_description(description: str, limit: int = TITLE_FROM_DESCRIPTION_MAX) -> str:
    """The title a ticket takes from its description: its first line that says anything,
    shortened (``shorten_title``)."""
    first = next((line for line in description.splitlines() if line.strip()), "")
    return shorten_title(first, limit)
