"""Reading a raw email robustly: structure with ``email`` (policy.default), text decoded with
the declared charset where it works and a sensible fallback where it does not (GB2312 and GBK
declared for GB18030 text, Big5 for Big5-HKSCS, undeclared 8-bit headers), HTML sanitised with
nh3's allow-list and remote images dropped. Nothing here touches the database."""

from __future__ import annotations

import codecs
import email
import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message

import nh3
from charset_normalizer import from_bytes
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.hygiene import has_bad_characters, storable_text
from aftersales.core.i18n import Deferred, deferred, rendered

# Declared charsets mapped to the superset that real mailers actually send under that name.
CHARSET_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}
FALLBACK_CHARSETS = ("utf-8", "gb18030", "big5hkscs")
MAX_TEXT_CHARS = 19000
SEVERE_DEFECTS = {"NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect", "MultipartInvariantViolationDefect"}
ADDRESS_RE = re.compile(r"^[^@\s\"<>()\[\],;:\\]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,10}$")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "div", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"lang", "dir"},
}


def english(text: Deferred) -> str:
    """A deferred text in English (the plain ``reason`` column, logs, exception messages)."""
    with translation.override("en"):
        return rendered(text)


class MailFormatError(ValueError):
    """Why a raw message is no usable email; ``text`` is the reason as a deferred text."""

    def __init__(self, text: Deferred) -> None:
        self.text = text
        super().__init__(english(text))


def _charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip('"').lower()
    name = CHARSET_SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset (or its superset), else guess, never raise."""
    declared = _charset(charset)
    for candidate in ([declared] if declared else []) + list(FALLBACK_CHARSETS):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    guess = from_bytes(data).best()
    if guess is not None:
        return str(guess)
    return data.decode(declared or "utf-8", errors="replace")


def _unsurrogate(text: str) -> str:
    """Undeclared 8-bit bytes in a header arrive as surrogate escapes; decode them properly."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"), None)


def decode_header_text(raw: str) -> str:
    """A header's text: RFC 2047 encoded words and raw 8-bit both decoded, folding removed, what
    the database cannot store (NUL) replaced (``core.hygiene.storable_text``)."""
    unfolded = re.sub(r"\r?\n[ \t]+", " ", raw or "").strip()
    try:
        chunks = decode_header(unfolded)
    except Exception:  # noqa: BLE001 - a broken encoded word is shown as it came
        return storable_text(_unsurrogate(unfolded))
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(_unsurrogate(chunk))
        else:
            parts.append(decode_bytes(chunk, charset) if charset else _unsurrogate(chunk.decode("latin-1")))
    return storable_text("".join(parts).strip())


def _raw_header(msg: Message, name: str) -> str | None:
    for key, value in msg.raw_items() if isinstance(msg, EmailMessage) else msg.items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _raw_headers(msg: Message, name: str) -> list[str]:
    """Every occurrence of a header, in the message's order, unfolded and decoded."""
    items = msg.raw_items() if isinstance(msg, EmailMessage) else msg.items()
    return [decode_header_text(str(value)) for key, value in items if key.lower() == name.lower()]


def _address_list(msg: Message, name: str) -> list[tuple[str, str]]:
    """[(display name, address)] of an address header, each address lower-cased."""
    result: list[tuple[str, str]] = []
    for value in msg.get_all(name, []) or []:
        addresses = getattr(value, "addresses", None)
        if addresses is None:
            continue
        for address in addresses:
            addr = (address.addr_spec or "").strip()
            if ADDRESS_RE.match(addr):
                local, _, domain = addr.rpartition("@")
                result.append((_unsurrogate(address.display_name or ""), f"{local}@{domain.lower()}"))
    return result


def sanitize_html(raw_html: str) -> str:
    """Allow-listed tags and attributes only; images keep no source, so nothing remote loads."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return None
        return value

    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=attribute_filter,
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(raw_html: str) -> str:
    marked = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li|h[1-6]|table|blockquote)>", "\n", raw_html)
    text = html_lib.unescape(nh3.clean(marked, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


QUOTE_MARKERS = re.compile(
    r"^(>|On .{0,200} wrote:$|在.{0,200}(写道|寫道)[:：]$|-{2,}\s*(Original Message|原始邮件|原始郵件)\s*-{2,}|(发件人|寄件者|From)\s*[:：])",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The new part of a reply: up to the first quoted line or "original message" marker."""
    kept = []
    for line in text.splitlines():
        if QUOTE_MARKERS.match(line.strip()):
            break
        kept.append(line)
    return "\n".join(kept).strip() or text.strip()


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    from_name: str
    from_address: str
    from_count: int
    recipients: list[str]
    references: list[str]
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    defects: list[str] = field(default_factory=list)
    # Every Authentication-Results header (RFC 8601), topmost (newest hop) first.
    authentication_results: list[str] = field(default_factory=list)


def message_id_of(raw: bytes) -> tuple[str, str]:
    """(Message-ID, sha256 of the raw bytes); a missing or unusable Message-ID becomes one made
    from the hash, so identical bytes are still recognised as a duplicate."""
    digest = hashlib.sha256(raw).hexdigest()
    message_id = ""
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
        value = msg.get("Message-ID")
        if value is not None:
            found = re.search(r"<[^<>\s]+>", str(value))
            message_id = found.group(0) if found else ""
    except Exception:  # noqa: BLE001 - storing must not depend on parsing
        message_id = ""
    if not message_id or len(message_id) > 250 or has_bad_characters(message_id):
        message_id = f"<sha256.{digest}@aftersales.invalid>"
    return message_id, digest


def part_text(part: Message) -> str:
    """A leaf part's text, decoded with its declared charset or a sensible fallback."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a broken parameter must not lose the attachment
        name = ""
    if "=?" in name:
        name = decode_header_text(name)
    return _unsurrogate(name).replace("\x00", "").strip()[:200]


def parse(raw: bytes) -> ParsedMail:
    """Parse ``raw``; raise ``MailFormatError`` (a ``ValueError``) with the reason when it is not
    a usable email."""
    if not raw.strip():
        raise MailFormatError(deferred(_("empty message")))
    msg = email.message_from_bytes(raw, policy=policy.default)
    if not isinstance(msg, EmailMessage) or not list(msg.keys()):
        raise MailFormatError(deferred(_("no headers")))
    severe = SEVERE_DEFECTS & {type(d).__name__ for part in msg.walk() for d in part.defects}
    if severe:
        raise MailFormatError(deferred(_("broken MIME structure (%(defects)s)"), defects=", ".join(sorted(severe))))
    message_id, _digest = message_id_of(raw)
    senders = _address_list(msg, "From")
    if not senders:
        raise MailFormatError(deferred(_("no valid From address")))
    recipients = [addr for key in ("To", "Cc", "Delivered-To", "X-Original-To") for _name, addr in _address_list(msg, key)]
    references = re.findall(
        r"<[^<>\s]+>", " ".join(filter(None, (_raw_header(msg, "In-Reply-To"), _raw_header(msg, "References"))))
    )
    text_part = html_part = None
    try:
        text_part = msg.get_body(preferencelist=("plain",))
        html_part = msg.get_body(preferencelist=("html",))
    except Exception:  # noqa: BLE001 - odd structures: fall back to walking the parts below
        text_part = html_part = None
    if text_part is None and html_part is None and not msg.is_multipart():
        text_part = msg
    raw_html = part_text(html_part) if html_part is not None else ""
    text = part_text(text_part) if text_part is not None else ""
    if not text.strip() and raw_html:
        text = html_to_text(raw_html)
    attachments = []
    for part in msg.walk():
        if part.is_multipart() or part is text_part or part is html_part:
            continue
        filename = _filename(part)
        if not filename and part.get_content_disposition() != "attachment":
            continue
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            attachments.append(Attachment(filename or "attachment", part.get_content_type(), data))
    headers = {}
    for name in ("Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence", "X-Auto-Response-Suppress",
                 "Return-Path", "X-Aftersales-Ticket", "X-Aftersales-Notification", "List-Id"):  # fmt: skip
        value = _raw_header(msg, name)
        if value is not None:
            headers[name.lower()] = decode_header_text(value)
    return ParsedMail(
        message_id=message_id,
        subject=decode_header_text(_raw_header(msg, "Subject") or "")[:255],
        from_name=storable_text(senders[0][0]),
        from_address=senders[0][1],
        from_count=len(senders),
        recipients=recipients,
        references=references,
        text=storable_text(text.replace("\r\n", "\n").strip()),
        html=storable_text(sanitize_html(raw_html)) if raw_html else "",
        attachments=attachments,
        headers=headers,
        content_type=msg.get_content_type(),
        defects=[type(d).__name__ for d in msg.defects],
        authentication_results=_raw_headers(msg, "Authentication-Results"),
    )


def is_bounce(mail: ParsedMail) -> bool:
    """A delivery status notification (退信): a ``multipart/report``, from the mail system
    (MAILER-DAEMON, postmaster, Exchange's ``MicrosoftExchange<hex>``), or with an empty
    Return-Path (RFC 5321's null sender of every bounce)."""
    local = mail.from_address.partition("@")[0].lower()
    return (
        mail.content_type == "multipart/report"
        or local in {"mailer-daemon", "postmaster"}
        or re.fullmatch(r"microsoftexchange[0-9a-f]{32}", local) is not None
        or mail.headers.get("return-path", "x").strip() == "<>"
    )


def automatic_reason_text(mail: ParsedMail) -> Deferred | None:
    """Why this is an automatic message that must get no automatic answer, if it is one (a
    deferred text, said in the reader's language)."""
    h = mail.headers
    if is_bounce(mail):
        return deferred(_("Bounce (delivery status notification)."))
    if h.get("auto-submitted", "no").strip().lower() not in {"", "no"}:
        return deferred(_("Automatic reply (%(header)s: %(value)s)."), header="Auto-Submitted", value=h["auto-submitted"][:40])
    if "x-autoreply" in h or "x-autorespond" in h:
        return deferred(_("Automatic reply (%(header)s)."), header="X-Autoreply")
    if h.get("precedence", "").strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return deferred(_("Automatic or bulk mail (Precedence: %(value)s)."), value=h["precedence"][:20])
    if "x-auto-response-suppress" in h:
        return deferred(_("Automatic reply (%(header)s)."), header="X-Auto-Response-Suppress")
    return None


def automatic_reason(mail: ParsedMail) -> str | None:
    """``automatic_reason_text`` in English."""
    text = automatic_reason_text(mail)
    return english(text) if text is not None else None
