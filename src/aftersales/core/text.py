"""Text normalisation shared by the triage, the duplicate detection and the ticket search.

``normalise(text)`` makes two spellings of the same words equal:

* Unicode NFKC: full-width letters, digits and punctuation become their half-width forms
  (ＭＰ３ → MP3, ＸＰ → XP, ，→ ,), compatibility characters their plain form;
* Latin letters in lower case (mp3 == MP3);
* the byte-order mark U+FEFF, zero-width characters and other control/format characters
  removed (a text pasted from another system often starts with U+FEFF);
* every run of white space (including the ideographic space U+3000) collapsed to one space,
  and the ends stripped.

Chinese characters are left as they are (no traditional → simplified conversion).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Format (Cf: U+FEFF, U+200B…U+200F, U+2060…) and control (Cc) characters other than white space.
_KEEP_CONTROLS = frozenset("\t\n\r\x0b\x0c")


def _visible(ch: str) -> bool:
    if ch in _KEEP_CONTROLS:
        return True
    return unicodedata.category(ch) not in ("Cc", "Cf")


def normalise(text: str | None) -> str:
    """The text in the one form the search, the triage and the duplicate detection compare."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if _visible(ch))
    return _SPACES.sub(" ", text.lower()).strip()


def normalise_query(text: str | None) -> str:
    """The same normalisation for a search query (kept apart so a caller names its intent)."""
    return normalise(text)
