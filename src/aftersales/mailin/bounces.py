"""Reading a bounce (退信): which of our e-mails it is about, to which address, and whether the
delivery failed for good or is only delayed (docs/email-intake.md, "Bounces"). Nothing here
touches the database.

* **RFC 3464 delivery status notifications** (``multipart/report; report-type=delivery-status``:
  Postfix, Exim, Exchange, Gmail, QQ邮箱, 网易163 …): a ``message/delivery-status`` part with one
  block per recipient (``Final-Recipient``, ``Original-Recipient``, ``Action: failed | delayed``,
  ``Status: 5.1.1``, ``Diagnostic-Code``) and the original message (``message/rfc822``) or its
  headers (``text/rfc822-headers``).
* **Other forms**: a text that says it ("Delivery Status Notification (Failure)", "Undelivered
  Mail Returned to Sender", "退信", "系统退信", "(Delay)", "延迟") with the SMTP reply ("550 5.1.1
  …") and the original attached or its headers quoted in the text.

The original is found by what our outgoing mail carries (``threading.outgoing_headers``): its
``X-Aftersales-Notification`` header (``<pk>.<signature>``) and its Message-ID
(``<as.n<pk>.t<ticket>.<signature>@…>``, without a ticket ``<as.n<pk>.<signature>@…>``); the
signature proves that we issued it, and only a notification so proven is taken. The header's old
form, the bare id (mail sent before the header was signed), and the old unsigned Message-ID
without a ticket are noted as ``claimed`` and taken only where a signed Message-ID in the same
bounce names the same notification: a guessed id alone moves nothing. The stdlib ``email``
package does the MIME work.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import HeaderParser

from .parsing import decode_header_text, html_to_text, part_text
from .threading import is_our_message_id, notification_from_header, notification_from_message_id

FAILED, DELAYED, UNKNOWN = "failed", "delayed", "unknown"
MAX_CANDIDATES = 5  # a bounce is about one message; a few ids at most are looked up
MAX_TEXT_CHARS = 200_000

_OUR_ID = re.compile(r"<as\.n\d{1,18}(?:\.t\d{1,18})?(?:\.[0-9a-f]{1,40})?@[^<>\s]{1,253}>", re.IGNORECASE)
_NOTIFICATION_HEADER = re.compile(
    r"^[ \t>]*X-Aftersales-Notification:[ \t]*(\d{1,18}(?:\.[0-9a-f]{1,40})?)(?![0-9a-z.])", re.IGNORECASE | re.MULTILINE
)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,10}")
# An enhanced status code (RFC 3463): "5.1.1", not a version or an IP address ("5.6.7.8").
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
# An SMTP reply code at the start of a line or after "said:" ("550 Mailbox not found").
_SMTP_REPLY = re.compile(r"(?:^|[\s:：])([45][0-5]\d)[ -](?=[A-Za-z#<(\[])", re.MULTILINE)
_DELAY_SUBJECT = re.compile(r"delay|延迟|延时|仍在投递|暂未投递", re.IGNORECASE)
_DELAY_TEXT = re.compile(
    r"will (?:retry|continue trying|keep trying)|still trying|not yet been delivered|仍在(?:尝试|重试)|将(?:继续|会)?(?:尝试|重试)",
    re.IGNORECASE,
)
_FAILURE_WORDS = re.compile(
    r"failure|failed|undeliver|returned to sender|could not be delivered|couldn't be delivered|wasn't delivered|"
    r"not be delivered|delivery has failed|退信|失败|无法(?:投递|送达)|未能(?:投递|送达)|投递失败|发送失败",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class BouncedRecipient:
    """One recipient block of a delivery status report (lower-cased addresses)."""

    addresses: frozenset[str]  # Final-Recipient and Original-Recipient
    action: str  # failed, delayed, delivered, relayed, expanded, or ""
    status: str  # "5.1.1", or ""
    diagnostic: str  # the receiving server's words ("smtp; 550 5.1.1 User unknown")

    @property
    def kind(self) -> str:
        """Failed for good (``Action: failed`` or a 5.x.x status), delayed (``Action: delayed``
        or 4.x.x), else unknown (a success report, or nothing said)."""
        if self.action == "failed" or (self.status.startswith("5") and self.action not in {"delivered", "relayed", "expanded"}):
            return FAILED
        if self.action == "delayed" or (self.status.startswith("4") and not self.action):
            return DELAYED
        return UNKNOWN


@dataclass(frozen=True)
class Outcome:
    """What a bounce says about one address: failed, delayed or unknown, with the code and words."""

    kind: str
    code: str
    detail: str


@dataclass
class Bounce:
    """What a bounce tells: the recipient blocks of its report (none in the non-standard forms),
    the notifications it names (``signed``: by a signed ``X-Aftersales-Notification`` header or
    Message-ID whose signature we checked; ``claimed``: by an unsigned one — the old bare header,
    the old Message-ID without a ticket — never taken on its own), every address it mentions, and
    the text-level verdict for the forms without a report."""

    recipients: list[BouncedRecipient] = field(default_factory=list)
    signed: list[int] = field(default_factory=list)
    claimed: list[int] = field(default_factory=list)
    addresses: set[str] = field(default_factory=set)
    text_outcome: Outcome = field(default_factory=lambda: Outcome(UNKNOWN, "", ""))

    @property
    def notification_ids(self) -> list[int]:
        """The notifications the bounce proves it is about (a verified signature), at most
        ``MAX_CANDIDATES``. An unsigned id (``claimed``) counts only where a signature proves the
        same notification, so it adds none: a forged bounce with a guessed id names nothing."""
        return list(dict.fromkeys(self.signed))[:MAX_CANDIDATES]

    def names(self, address: str) -> bool:
        """Whether the bounce mentions ``address`` (the report, the original's headers, the text)."""
        return address.strip().lower() in self.addresses

    def outcome_for(self, address: str) -> Outcome | None:
        """The outcome for ``address``: its recipient block when the report has one; the text's
        verdict when the bounce has no report; None when the report names only other addresses."""
        key = address.strip().lower()
        if self.recipients:
            block = next((r for r in self.recipients if key in r.addresses), None)
            if block is None:
                return None
            return Outcome(block.kind, block.status, block.diagnostic)
        return self.text_outcome


def _header(block: Message, name: str) -> str:
    value = block.get(name)
    return decode_header_text(str(value)) if value is not None else ""


def _typed_address(value: str) -> str:
    """``rfc822; Zhang@Example.com`` → ``zhang@example.com``; "" for anything else."""
    kind, _sep, address = value.partition(";")
    address = (address if _sep else kind).strip().strip("<>").strip()
    return address.lower() if _ADDRESS.fullmatch(address) else ""


def _status(value: str) -> str:
    found = _ENHANCED.search(value)
    return ".".join(found.groups()) if found else ""


def _status_blocks(part: Message) -> list[Message]:
    """The header blocks of a ``message/delivery-status`` part (the ``email`` package splits them
    into messages; a part it kept as text is split here)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = part_text(part) if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(chunk.strip() + "\n") for chunk in re.split(r"\r?\n[ \t]*\r?\n", text) if chunk.strip()]


def _recipients(blocks: Iterable[Message]) -> list[BouncedRecipient]:
    found = []
    for block in blocks:
        addresses = {_typed_address(_header(block, name)) for name in ("Final-Recipient", "Original-Recipient")} - {""}
        if not addresses:
            continue  # the per-message block (Reporting-MTA, Arrival-Date)
        status = _status(_header(block, "Status"))
        diagnostic = _header(block, "Diagnostic-Code")
        found.append(BouncedRecipient(frozenset(addresses), _header(block, "Action").lower(), status, diagnostic[:255]))
    return found


def _notification_of(message_id: str) -> tuple[int, bool] | None:
    """(notification id, signed) of one of our Message-IDs: signed when its signature verifies;
    the old unsigned form without a ticket (``<as.n12@…>``) unsigned; None for another's or a
    forged one."""
    if not is_our_message_id(message_id):
        return None
    signed = notification_from_message_id(message_id)
    if signed is not None:
        return signed, True
    plain = re.fullmatch(r"<?as\.n(\d{1,18})@[^<>\s]+>?", message_id.strip(), re.IGNORECASE)
    return (int(plain.group(1)), False) if plain else None


def _note_header(bounce: Bounce, value: str) -> None:
    """An ``X-Aftersales-Notification`` value: signed (``12.<signature>``) when it verifies, the
    old bare id (``12``) claimed; a forged signature counts for nothing."""
    value = value.strip()
    signed = notification_from_header(value)
    if signed is not None:
        bounce.signed.append(signed)
    elif value.isdigit() and len(value) < 19:
        bounce.claimed.append(int(value))


def _note_original(bounce: Bounce, headers: Message) -> None:
    """The original message's headers: its notification, Message-ID and recipients."""
    _note_header(bounce, _header(headers, "X-Aftersales-Notification"))
    _note_text(bounce, _header(headers, "Message-ID"))
    for name in ("To", "Cc"):
        bounce.addresses.update(a.lower() for a in _ADDRESS.findall(_header(headers, name)))


def _note_text(bounce: Bounce, text: str) -> None:
    """Our Message-IDs and notification headers quoted in a text, and the addresses it names."""
    for found in _OUR_ID.findall(text):
        named = _notification_of(found)
        if named is not None:
            (bounce.signed if named[1] else bounce.claimed).append(named[0])
    for value in _NOTIFICATION_HEADER.findall(text):
        _note_header(bounce, value)
    bounce.addresses.update(a.lower() for a in _ADDRESS.findall(text))


def _text_outcome(subject: str, text: str) -> Outcome:
    """The verdict of a bounce without a report, from its subject and words: delayed when it says
    so, failed when it says it failed or gives a 5.x.x / 5xx reply, delayed on a 4.x.x / 4xx reply
    alone, else unknown. The code is the first enhanced status (else the SMTP reply) it gives; the
    detail the line that carries it."""
    codes = [(m.start(), ".".join(m.groups())) for m in _ENHANCED.finditer(text) if m.group(1) in "45"]
    codes += [(m.start(1), m.group(1)) for m in _SMTP_REPLY.finditer(text)]
    first = min(codes) if codes else None
    code = next((c for _pos, c in sorted(codes) if "." in c), first[1] if first else "")
    detail = ""
    if first is not None:
        start = text.rfind("\n", 0, first[0]) + 1
        end = text.find("\n", first[0])
        detail = " ".join(text[start : end if end >= 0 else None].split())[:255]
    if _DELAY_SUBJECT.search(subject) or (_DELAY_TEXT.search(text) and not _FAILURE_WORDS.search(subject)):
        return Outcome(DELAYED, code, detail)
    if _FAILURE_WORDS.search(subject) or _FAILURE_WORDS.search(text) or code.startswith("5"):
        return Outcome(FAILED, code, detail)
    if code.startswith("4"):
        return Outcome(DELAYED, code, detail)
    return Outcome(UNKNOWN, code, detail)


def read_bounce(raw: bytes) -> Bounce:
    """Read ``raw`` (a message already recognised as a bounce: ``parsing.automatic_reason_text``)."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    bounce = Bounce()
    texts: list[str] = []
    skipped: set[int] = set()  # the header blocks of a report and the parts of an attached original
    for part in msg.walk():
        if id(part) in skipped:
            continue
        kind = part.get_content_type()
        if kind in {"message/delivery-status", "message/global-delivery-status"}:
            blocks = _status_blocks(part)
            skipped.update(id(block) for block in blocks)
            bounce.recipients.extend(_recipients(blocks))
        elif kind in {"message/rfc822", "message/global"}:
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(original, Message):
                _note_original(bounce, original)
                skipped.update(id(inner) for inner in original.walk())
        elif kind in {"text/rfc822-headers", "message/global-headers"}:
            _note_original(bounce, HeaderParser().parsestr(part_text(part)))
        elif kind in {"text/plain", "text/html"} and part.get_content_disposition() != "attachment":
            text = part_text(part)
            texts.append(html_to_text(text) if kind == "text/html" else text)
    text = "\n".join(texts)[:MAX_TEXT_CHARS]
    _note_text(bounce, text)
    for block in bounce.recipients:
        bounce.addresses.update(block.addresses)
    bounce.signed = list(dict.fromkeys(bounce.signed))
    bounce.claimed = [pk for pk in dict.fromkeys(bounce.claimed) if pk not in bounce.signed]
    bounce.text_outcome = _text_outcome(decode_header_text(str(msg.get("Subject", ""))), text)
    return bounce
