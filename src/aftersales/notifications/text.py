"""How a message's text is put together: greeting, sentences, link, sign-off, in one language.

Every message the product sends is built here, so that the rules hold for all of them instead of
string by string:

* **One language.** The whole message is rendered in the recipient's language (the customer's,
  or zh-hans; the staff user's); only user data (names, the diagnosis, a reason) stays as typed.
* **The greeting is added, never written into a message.** ``greeting()`` gives "尊敬的赵敏："
  (no space between 尊敬的 and the name) or "Dear Zhao Min,"; a customer message's body
  continues after it, so its English msgid starts in lower case ("we have registered …") and
  an e-mail, where the body starts on its own line, capitalises that first letter.
* **Punctuation once.** User data put inside a sentence loses its own closing punctuation
  (``clause()``), each sentence ends with exactly one mark (``sentence()``), and ``tidy()`` takes
  out what still doubles ("。。", "。.", "，。", a space after 尊敬的 or around full-width
  punctuation).
* **The link last, alone.** An action's link ends the message, after its label ("查看并确认处理方案：",
  "Review and accept the plan here:"), with nothing after it that a phone could take for part
  of the URL. In e-mail it stands on its own line.
* **Sign-off.** E-mails end with the team's name in the recipient's language; SMS carry none in
  the body: the SMS provider adds the registered signature (【…】) that Chinese carriers require.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

DEFAULT_LANGUAGE = "zh-hans"

# Closing marks a sentence may end with; what user data loses before it goes into a sentence.
TERMINAL = "。！？.!?"
TRAILING_IN_DATA = "。．.，,、；;：: \t\r\n\u3000"

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_DOUBLED_FULL = re.compile(r"([。！？])[。．.]+")
_COMMA_BEFORE_STOP = re.compile(r"[，,、；;：:]+(?=[。！？])")
_DOUBLED_HALF = re.compile(r"(?<![.\d])([!?.])\.(?![.\d])")
_GREETING_SPACE = re.compile(r"尊敬的[ \t\u3000]+")
_SPACE_BEFORE_FULL = re.compile(r"[ \t\u3000]+([，。：；！？、）》])")
_SPACE_AFTER_FULL = re.compile(r"([，。：；！？、（《])[ \t\u3000]+")


def is_chinese(language: str) -> bool:
    return (language or DEFAULT_LANGUAGE).lower().startswith("zh")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


class Verbatim(str):
    """User data that goes into a message exactly as typed, its own punctuation kept (a ticket's
    title, a reason that is the whole message): ``render`` and ``prepared`` leave it alone."""


def clause(value: object) -> str:
    """User data to be put inside a sentence: trimmed, without its own closing punctuation
    ("排水管堵塞，需上门清理。" → "排水管堵塞，需上门清理")."""
    return str(value).strip().rstrip(TRAILING_IN_DATA)


def sentence(text: str, *, language: str) -> str:
    """``text`` ending in exactly one closing mark (。 in Chinese, . in English)."""
    text = text.strip()
    if not text or text[-1] in TERMINAL:
        return text
    # Chinese user data closing an English staff message keeps a Chinese full stop.
    return text + ("。" if is_chinese(language) or has_cjk(text[-1]) else ".")


def tidy(text: str, *, language: str) -> str:
    """Take out doubled punctuation and stray spaces (never applied to a URL)."""
    text = _GREETING_SPACE.sub("尊敬的", text)
    text = _COMMA_BEFORE_STOP.sub("", text)
    text = _DOUBLED_FULL.sub(r"\1", text)
    if is_chinese(language):
        text = _SPACE_BEFORE_FULL.sub(r"\1", text)
        text = _SPACE_AFTER_FULL.sub(r"\1", text)
    return _DOUBLED_HALF.sub(r"\1", text)


def greeting(name: str, *, language: str) -> str:
    """The greeting: "尊敬的赵敏：" / "Dear Zhao Min," ("尊敬的客户：" / "Dear customer," without a name)."""
    name = " ".join(str(name or "").split())
    with translation.override(language):
        text = _("Dear %(name)s,") % {"name": name} if name else _("Dear customer,")
    return tidy(text, language=language)


def render(text: Any, values: Mapping[str, Any] | None = None) -> str:
    """A message part in the active language: a lazy translation is formatted with ``values``
    (string values lose their closing punctuation, see ``clause``); a plain string is taken as
    it is (it was rendered already, or it is user data and may contain "%")."""
    if isinstance(text, Promise) and values is not None:
        cleaned = {
            key: clause(value) if isinstance(value, str) and not isinstance(value, Verbatim) else value
            for key, value in values.items()
        }
        return str(text) % cleaned
    return str(text)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def link_line(link_text: str, link: str, *, language: str) -> str:
    """The label and the URL: "查看并确认处理方案：https://…" / "Review the plan here: https://…"."""
    label = link_text.strip()
    if not label:
        return link
    if is_chinese(language):
        return label.rstrip("：:") + "：" + link
    return f"{label} {link}"


def compose_customer(*, language: str, name: str, body: str, link: str = "", link_text: str = "", email: bool = False) -> str:
    """A customer message: greeting, the body (already rendered in ``language``), the link.

    SMS, WeChat and in-app: one paragraph ("尊敬的赵敏：……。查看并确认处理方案：https://…",
    "Dear Zhao Min, we have … Review and accept the plan here: https://…"). E-mail: greeting,
    body, link and the sign-off each on their own lines.
    """
    chinese = is_chinese(language)
    text = sentence(body, language=language)
    with translation.override(language):
        if email:
            parts = [greeting(name, language=language), tidy(text if chinese else _capitalised(text), language=language)]
            if link:
                parts.append(f"{link_text.strip()}\n{link}" if link_text else link)
            parts.append(_("Your after-sales service team"))
            return "\n\n".join(parts)
        head = greeting(name, language=language) + ("" if chinese else " ") + text
        message = tidy(head, language=language)
        if link:
            message += ("" if chinese else " ") + link_line(link_text, link, language=language)
        return message


def compose_staff(*, language: str, body: str, link: str = "", link_text: str = "") -> str:
    """A staff message: the body, then the link on its own line ("查看工单：https://…")."""
    text = tidy(sentence(body, language=language), language=language)
    if link:
        text += "\n" + link_line(link_text, link, language=language)
    return text
