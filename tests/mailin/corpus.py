"""Real-world-shaped emails, built byte by byte as mail clients send them (Outlook, Foxmail,
QQ Mail, Apple Mail, Gmail, mailer daemons): multipart/alternative, attachments with Chinese
file names, GBK/GB18030/Big5 bodies, encoded-word subjects, auto-replies, bounces, malformed."""

from __future__ import annotations

import base64
import datetime as dt
import struct
import zlib
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

DATE = format_datetime(dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC))
SUPPORT = "support@aftersales.example.cn"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _headers(
    msg, *, sender: str, subject: str | Header, to: str = SUPPORT, message_id: str | None = None, extra: dict | None = None
):  # type: ignore[no-untyped-def]
    msg["From"] = formataddr(parseaddr(sender), charset="utf-8")
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = DATE
    msg["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    for name, value in (extra or {}).items():
        msg[name] = value
    return msg


def plain(
    *,
    sender: str = "李娜 <li.na@example.com>",
    subject: str = "空调漏水",
    body: str = "您好，我家的空调室内机一直滴水。",
    charset: str = "utf-8",
    **kw,
) -> bytes:  # type: ignore[no-untyped-def]
    msg = MIMEText(body, "plain", charset)
    return _headers(msg, sender=sender, subject=Header(subject, charset) if charset != "utf-8" else subject, **kw).as_bytes()


def alternative(
    *,
    sender: str = "Wang Fang <wang.fang@example.com>",
    subject: str = "洗衣机不脱水",
    text: str = "洗衣机不脱水，显示E21。",
    html: str | None = None,
    **kw,
) -> bytes:  # type: ignore[no-untyped-def]
    msg = MIMEMultipart("alternative")
    msg.attach(MIMEText(text, "plain", "utf-8"))
    msg.attach(MIMEText(html or f"<p>{text}</p>", "html", "utf-8"))
    return _headers(msg, sender=sender, subject=subject, **kw).as_bytes()


def html_only(*, html: str, sender: str = "zhao@example.com", subject: str = "HTML only", **kw) -> bytes:  # type: ignore[no-untyped-def]
    msg = MIMEText(html, "html", "utf-8")
    return _headers(msg, sender=sender, subject=subject, **kw).as_bytes()


def with_attachments(
    *,
    files: list[tuple[str, bytes, str]],
    sender: str = "陈静 <chen.jing@example.com>",
    subject: str = "附件：故障照片",
    text: str = "照片见附件。",
    filename_style: str = "rfc2231",
    **kw,
) -> bytes:  # type: ignore[no-untyped-def]
    msg = MIMEMultipart("mixed")
    msg.attach(MIMEText(text, "plain", "utf-8"))
    for name, data, subtype in files:
        part = MIMEApplication(data, _subtype=subtype)
        if filename_style == "rfc2231":
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        elif filename_style == "rfc2231-gbk":
            part.add_header("Content-Disposition", "attachment", filename=("gbk", "", name))
        else:  # what many Chinese clients do: an RFC 2047 encoded word inside the quotes
            encoded = "=?GBK?B?" + base64.b64encode(name.encode("gbk")).decode() + "?="
            part["Content-Disposition"] = f'attachment; filename="{encoded}"'
        msg.attach(part)
    return _headers(msg, sender=sender, subject=subject, **kw).as_bytes()


def legacy(
    *,
    subject: str,
    body: str,
    charset: str,
    encoder: str | None = None,
    sender: str = "刘强 <liu.qiang@example.com>",
    transfer: str = "base64",
) -> bytes:
    """A body and an encoded-word subject in a legacy Chinese charset, as Foxmail or Outlook
    send them. ``encoder`` is the codec really used when it differs from the declared one
    (GB18030 text declared as GB2312 or GBK is common)."""
    codec = encoder or charset
    word = "=?" + charset.upper() + "?B?" + base64.b64encode(subject.encode(codec)).decode() + "?="
    name, _, address = sender.partition(" <")
    from_word = "=?" + charset.upper() + "?B?" + base64.b64encode(name.encode(codec)).decode() + "?= <" + address
    data = body.encode(codec)
    payload = base64.encodebytes(data) if transfer == "base64" else data
    return (
        f"From: {from_word}\r\nTo: {SUPPORT}\r\nSubject: {word}\r\nDate: {DATE}\r\n"
        f"Message-ID: {make_msgid(domain='foxmail.example.com')}\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: text/plain; charset="{charset}"\r\nContent-Transfer-Encoding: {transfer}\r\n\r\n'
    ).encode() + payload


def raw_8bit(*, sender: bytes, subject: bytes, body: bytes, charset: str) -> bytes:
    """Undeclared 8-bit headers (some old clients) and an 8-bit body in a legacy charset."""
    return (
        b"From: " + sender + b"\r\nTo: " + SUPPORT.encode() + b"\r\nSubject: " + subject + b"\r\nDate: " + DATE.encode()
        + b"\r\nMessage-ID: " + make_msgid(domain="legacy.example.com").encode()
        + b"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=" + charset.encode()
        + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )  # fmt: skip


def auto_reply(kind: str, **kw) -> bytes:  # type: ignore[no-untyped-def]
    headers = {
        "auto-submitted": {"Auto-Submitted": "auto-replied"},
        "x-autoreply": {"X-Autoreply": "yes"},
        "precedence": {"Precedence": "auto_reply"},
        "bulk": {"Precedence": "bulk"},
        "exchange": {"X-Auto-Response-Suppress": "All"},
    }[kind]
    return plain(subject="自动回复: 休假中", body="我正在休假，11月30日返回。", extra=headers, **kw)


def bounce(*, original_message_id: str = "<as.n1.t1.0000@aftersales.example.cn>") -> bytes:
    """A Postfix delivery status notification (RFC 3464) for one of our emails."""
    return (
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n"
        f"To: {SUPPORT}\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: {DATE}\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.com')}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.com. I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--B1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_message_id}\r\nSubject: ticket\r\n"
        "--B1--\r\n"
    ).encode()


def reply(
    *, to_message, sender: str, body: str = "好的，明天上午家里有人。", via: str = "in-reply-to", to: str = SUPPORT
) -> bytes:  # type: ignore[no-untyped-def]
    """A customer's reply to one of our emails (``to_message``: the email.message we sent),
    quoting it as mail clients do; threaded by In-Reply-To/References, the Reply-To address, or both."""
    text = to_message.get_body(preferencelist=("plain",)) or to_message  # our mail: text + HTML alternative
    quoted = "\n".join("> " + line for line in text.get_payload(decode=True).decode("utf-8").splitlines()[:3])
    msg = MIMEText(f"{body}\n\n在 2026年11月24日 09:00，售后服务 写道：\n{quoted}", "plain", "utf-8")
    extra = {}
    if via in {"in-reply-to", "both"}:
        extra = {"In-Reply-To": to_message["Message-ID"], "References": to_message["Message-ID"]}
    if via in {"reply-to", "both"}:
        to = to_message["Reply-To"]
    return _headers(msg, sender=sender, subject="Re: " + str(to_message["Subject"]), to=to, extra=extra).as_bytes()
