"""Delivery receipts (状态报告 / 回执) as the providers send them, read into one shape, and what a
receipt's code means in words (docs/notifications.md, "Delivery receipts").

* **Aliyun SMS** (SmsReport, HTTP batch push): a JSON array of ``{"phone_number", "send_time",
  "report_time", "success", "err_code", "err_msg", "sms_size", "biz_id", "out_id"}``; ``out_id``
  is the outbox row's id (sent as ``OutId``), ``biz_id`` the ``BizId`` SendSms answered.
* **Tencent Cloud SMS** (短信下发状态通知): a JSON array of ``{"user_receive_time",
  "nationcode", "mobile", "report_status" (SUCCESS/FAIL), "errmsg" (the receipt's code, DELIVRD
  …), "description", "sid"}``; ``sid`` is the ``SerialNo`` SendSms answered. Its pull API
  (``PullSmsSendStatus``) gives the same with ``SessionContext`` (the row's id).
* **WeChat** template messages: the event ``TEMPLATESENDJOBFINISH`` pushed to the Official
  Account's server address (XML: ``FromUserName`` the openid, ``MsgID``, ``Status``: ``success``,
  ``failed:user block``, ``failed: system failed``).

Neither SMS provider signs its push: the address configured in its console carries a secret
(``SMS_RECEIPT_TOKEN``), compared in constant time, and each receipt must name a message this
site sent to that number. WeChat signs its pushes (``signature`` = SHA-1 of the sorted token,
timestamp and nonce: ``WECHAT_TOKEN``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import xmltodict
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import deferred, rendered_lazy
from aftersales.core.masking import mask_email, mask_phone

from .models import NotificationChannel

CHINA = ZoneInfo("Asia/Shanghai")
ALIYUN, TENCENT, WECHAT = "aliyun", "tencent", "wechat"
DELIVERED_CODES = frozenset({"DELIVRD", "DELIVERED", "SUCCESS", "0"})


class MalformedReceipt(ValueError):
    """The body is not a receipt of the provider's documented shape."""


@dataclass(frozen=True)
class Receipt:
    """One message's receipt, whatever the provider: ``notification_id`` the outbox row when the
    provider echoes it (Aliyun ``out_id``, Tencent's pulled ``SessionContext``), ``provider_ref``
    the provider's message id, ``delivered`` or not with the provider's ``code`` and its own words
    (``detail``), ``at`` when it was received (or reported), ``address`` the number or openid."""

    provider: str
    channel: str
    notification_id: int | None
    provider_ref: str
    delivered: bool
    code: str
    detail: str
    at: dt.datetime | None
    address: str


def token_matches(given: str, expected: str) -> bool:
    """The secret in the callback's address, compared in constant time ("" never matches)."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def wechat_signature_matches(*, token: str, signature: str, timestamp: str, nonce: str) -> bool:
    """WeChat's server signature: SHA-1 of the token, timestamp and nonce sorted and joined."""
    if not (token and signature and timestamp and nonce):
        return False
    expected = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324 - WeChat's scheme
    return hmac.compare_digest(expected, signature.lower())


def _local_time(text: Any) -> dt.datetime | None:
    """``2026-11-22 10:03:04`` in China time, as both SMS providers write it; None when absent."""
    value = str(text or "").strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:
        return None


def _row_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _items(body: bytes | str | list[Any]) -> list[Mapping[str, Any]]:
    """A JSON array of objects (what both SMS providers push); ``MalformedReceipt`` otherwise."""
    try:
        data = json.loads(body) if isinstance(body, bytes | str) else body
    except ValueError:
        raise MalformedReceipt("not JSON") from None
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, Mapping) for item in data):
        raise MalformedReceipt("not a JSON array of receipts")
    return data


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"true", "1"}


def aliyun_receipts(body: bytes | str | list[Any]) -> list[Receipt]:
    """Aliyun's SmsReport push (one or more receipts)."""
    receipts = []
    for item in _items(body):
        if "biz_id" not in item and "out_id" not in item:
            raise MalformedReceipt("an Aliyun receipt names its message by biz_id and out_id")
        receipts.append(
            Receipt(
                provider=ALIYUN,
                channel=NotificationChannel.SMS,
                notification_id=_row_id(item.get("out_id")),
                provider_ref=str(item.get("biz_id") or "")[:64],
                delivered=_flag(item.get("success")),
                code=str(item.get("err_code") or "")[:64],
                detail=str(item.get("err_msg") or "")[:255],
                at=_local_time(item.get("report_time")) or _local_time(item.get("send_time")),
                address=str(item.get("phone_number") or ""),
            )
        )
    return receipts


def tencent_receipts(body: bytes | str | list[Any]) -> list[Receipt]:
    """Tencent's status callback (``sid``, ``report_status``, ``errmsg``, …) or its pull API's
    status set (``SerialNo``, ``ReportStatus``, ``SessionContext``, …)."""
    receipts = []
    for item in _items(body):
        if "sid" in item:
            nation, mobile = str(item.get("nationcode") or ""), str(item.get("mobile") or "")
            receipts.append(
                Receipt(
                    provider=TENCENT,
                    channel=NotificationChannel.SMS,
                    notification_id=None,
                    provider_ref=str(item.get("sid") or "")[:64],
                    delivered=str(item.get("report_status") or "").upper() == "SUCCESS",
                    code=str(item.get("errmsg") or "")[:64],
                    detail=str(item.get("description") or "")[:255],
                    at=_local_time(item.get("user_receive_time")),
                    address=f"+{nation}{mobile}" if nation and mobile else mobile,
                )
            )
        elif "SerialNo" in item:
            delivered = str(item.get("ReportStatus") or "").upper() == "SUCCESS"
            receipts.append(
                Receipt(
                    provider=TENCENT,
                    channel=NotificationChannel.SMS,
                    notification_id=_row_id(item.get("SessionContext")),
                    provider_ref=str(item.get("SerialNo") or "")[:64],
                    delivered=delivered,
                    code="DELIVRD" if delivered else "FAIL",
                    detail=str(item.get("Description") or "")[:255],
                    at=_local_time(item.get("UserReceiveTime")),
                    address=str(item.get("PhoneNumber") or ""),
                )
            )
        else:
            raise MalformedReceipt("a Tencent receipt names its message by sid (SerialNo)")
    return receipts


def wechat_receipt(body: bytes) -> Receipt | None:
    """The template message's result pushed by WeChat; None for any other event or message (the
    Official Account's server address receives those too)."""
    try:
        # Entities are never expanded (xmltodict's default, said again here).
        message = xmltodict.parse(body, disable_entities=True).get("xml") or {}
    except Exception:  # noqa: BLE001 - expat raises several kinds for a body that is no XML
        raise MalformedReceipt("not XML") from None
    if not isinstance(message, Mapping):
        raise MalformedReceipt("not a WeChat message")
    if str(message.get("MsgType") or "").lower() != "event" or str(message.get("Event") or "") != "TEMPLATESENDJOBFINISH":
        return None
    status = str(message.get("Status") or "").strip()
    created = str(message.get("CreateTime") or "").strip()
    return Receipt(
        provider=WECHAT,
        channel=NotificationChannel.WECHAT,
        notification_id=None,
        provider_ref=str(message.get("MsgID") or "")[:64],
        delivered=status == "success",
        code=status[:64],
        detail="",
        at=dt.datetime.fromtimestamp(int(created), tz=dt.UTC) if created.isdigit() else None,
        address=str(message.get("FromUserName") or ""),
    )


# --- What a code means --------------------------------------------------------------------------

NUMBER_GONE = _("the number does not exist")
OUT_OF_SERVICE = _("number out of service")
SWITCHED_OFF = _("the phone has been switched off or out of coverage too long")
BLACKLISTED = _("the number is on a blacklist (unsubscribed or complained)")
REJECTED = _("the carrier rejected the message")
HANDSET = _("the phone cannot receive messages (inbox full or handset fault)")
NOT_MOBILE = _("the number is not a mobile number")
USER_BLOCKED = _("the customer blocked the Official Account's messages")
NOT_FOLLOWING = _("the customer does not follow the Official Account")
WECHAT_FAILED = _("WeChat could not deliver it")
NOT_CONFIGURED = _("the provider is not configured")
UNREACHABLE = _("the provider could not be reached")
MAILBOX_GONE = _("the mailbox does not exist")
MAILBOX_FULL = _("the mailbox is full")

# Carriers' receipt codes (CMPP/SGIP as the providers pass them on), the providers' own receipt
# codes, WeChat's statuses and the codes this site gives a refusal before or at sending.
REASONS: dict[str, Any] = {
    "UNDELIV": OUT_OF_SERVICE,
    "MOBILE_NOT_ON_SERVICE": OUT_OF_SERVICE,
    "MOBILE_ACCOUNT_ABNORMAL": OUT_OF_SERVICE,
    "DB:0102": OUT_OF_SERVICE,
    "EXPIRED": SWITCHED_OFF,
    "002": SWITCHED_OFF,
    "MI:0024": SWITCHED_OFF,
    "MI:0042": SWITCHED_OFF,
    "MI:0076": SWITCHED_OFF,
    "REJECTD": REJECTED,
    "CONTENT_KEYWORD": REJECTED,
    "-106": REJECTED,
    "MOBILE_IN_BLACK": BLACKLISTED,
    "USER_REJECT": BLACKLISTED,
    "MBBLACK": BLACKLISTED,
    "1015": BLACKLISTED,
    "INVALID_NUMBERS": NUMBER_GONE,
    "INVALID_NUMBER": NUMBER_GONE,
    "ISV.MOBILE_NUMBER_ILLEGAL": NUMBER_GONE,
    "FAILEDOPERATION.PHONENUMBERINBLACKLIST": BLACKLISTED,
    "INVALIDPARAMETERVALUE.INCORRECTPHONENUMBER": NUMBER_GONE,
    "DB:0101": NUMBER_GONE,
    "CB:0053": NUMBER_GONE,
    "MI:0073": NUMBER_GONE,
    "MI:0210": NUMBER_GONE,
    "NUMBER_INVALID": NUMBER_GONE,
    "MOBILE_TERMINAL_ERROR": HANDSET,
    "MI:0099": HANDSET,
    "MI:0208": HANDSET,
    "NOT_MOBILE": NOT_MOBILE,
    "FAILED:USERBLOCK": USER_BLOCKED,
    "FAILED:SYSTEMFAILED": WECHAT_FAILED,
    "43004": NOT_FOLLOWING,
    "NOT_CONFIGURED": NOT_CONFIGURED,
    "UNREACHABLE": UNREACHABLE,
    # E-mail bounces (RFC 3463 enhanced status codes, mailin.bounces).
    "5.1.1": MAILBOX_GONE,
    "5.1.10": MAILBOX_GONE,
    "5.2.2": MAILBOX_FULL,
}


def reason_text(code: str) -> Any:
    """The code in words, to store (``core.i18n.deferred``) or to show: a known code's meaning
    (a lazy translation), else "the provider's code X" (deferred; the provider's own words are
    kept beside it, ``Notification.delivery_detail``)."""
    key = "".join((code or "").split()).upper()
    if key in REASONS:
        return REASONS[key]
    if not key:
        return _("no reason given")
    return deferred(_("the provider's code %(code)s"), code=code)


def reason_for(code: str) -> Any:
    """``reason_text`` as a lazy string: rendered in the reader's (or recipient's) language."""
    text = reason_text(code)
    return rendered_lazy(text) if isinstance(text, dict) else text


def masked_recipient(channel: str, recipient: str) -> str:
    """Where a message went, as staff lists and messages show it (``core.masking``): 138****0000,
    z***@example.com, a WeChat openid's first four characters."""
    if channel == NotificationChannel.SMS:
        return mask_phone(recipient)
    if channel == NotificationChannel.EMAIL:
        return mask_email(recipient)
    if channel == NotificationChannel.WECHAT:
        return f"{recipient[:4]}****" if recipient else ""
    return ""
