"""Aliyun SMS (阿里云短信服务, Dysmsapi ``SendSms``, API version 2017-05-25).

Called through its documented HTTP API (RPC style, signature version 1.0: HMAC-SHA1 over the
sorted, percent-encoded parameters) with the standard library, not the official SDK
``alibabacloud_dysmsapi20170525``: that SDK brings about twenty packages (aiohttp, APScheduler,
darabonba, the credentials chain…) and pins another ``cryptography`` than ours, for one signed
POST (docs/notifications.md, "SMS and WeChat providers").

Settings: ``ALIYUN_SMS_ACCESS_KEY_ID``, ``ALIYUN_SMS_ACCESS_KEY_SECRET`` (a RAM user's key with
``AliyunDysmsFullAccess`` or a SendSms-only policy), ``ALIYUN_SMS_SIGN_NAME`` (签名, approved),
``ALIYUN_SMS_REGION`` (cn-hangzhou), ``ALIYUN_SMS_ENDPOINT`` (https://dysmsapi.aliyuncs.com/),
``SMS_TEMPLATES`` (kind → ``{"template": "SMS_…", "params": {"variable": "value key"}}``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import Request, urlopen

from ..models import Notification
from ..senders import PermanentSendError, TransientSendError
from .common import (
    ConfigurationError,
    filled_fields,
    message_values,
    mobile_number,
    required,
    setting,
    template_or_skip,
    timeout_seconds,
)

logger = logging.getLogger("aftersales.notifications")

API_VERSION = "2017-05-25"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
DEFAULT_REGION = "cn-hangzhou"
REQUIRED_SETTINGS = ("ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET", "ALIYUN_SMS_SIGN_NAME")

# Worth another try later: the platform's own errors, throttling (流控; Aliyun answers a
# number's minute, hour and day limits alike), a reused nonce. Every other code (a bad number,
# template, signature, key, balance, permission) is the message's or the account's fault.
TRANSIENT_CODES = frozenset(
    {
        "isp.SYSTEM_ERROR",
        "isp.GATEWAY_ERROR",
        "isv.BUSINESS_LIMIT_CONTROL",
        "SignatureNonceUsed",
        "ServiceUnavailable",
        "InternalError",
    }
)
TRANSIENT_PREFIXES = ("Throttling", "ServiceUnavailable", "InternalError")


def percent_encode(value: str) -> str:
    """RFC 3986 as Aliyun's signature asks: A–Z a–z 0–9 - _ . ~ kept, a space as %20."""
    return quote(value, safe="-_.~")


def signature(params: Mapping[str, str], secret: str, *, method: str = "POST") -> str:
    """Signature 1.0: HMAC-SHA1 (key: the secret and "&") of ``METHOD&%2F&`` + the encoded,
    sorted query string, base64."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def phone_for_aliyun(recipient: str) -> str:
    """A Chinese mainland mobile without its +86 (``13812345678``); any other with its country
    code and no "+" (``85291234567``, sent with an international template)."""
    mobile = mobile_number(recipient)
    return mobile.national if mobile.country_code == 86 else f"{mobile.country_code}{mobile.national}"


def is_transient(code: str) -> bool:
    return code in TRANSIENT_CODES or code.startswith(TRANSIENT_PREFIXES)


class AliyunSmsSender:
    """Sends the kind's approved template (``SMS_TEMPLATES``) with the message's values."""

    def __init__(self) -> None:
        self.endpoint = setting("ALIYUN_SMS_ENDPOINT", DEFAULT_ENDPOINT) or DEFAULT_ENDPOINT
        self.region = setting("ALIYUN_SMS_REGION", DEFAULT_REGION) or DEFAULT_REGION

    def send(self, notification: Notification) -> None:
        template = template_or_skip("SMS_TEMPLATES", notification, fields_key="params", what="SMS")
        config = required(*REQUIRED_SETTINGS)
        fields = filled_fields(template, message_values(notification))
        params = {
            "AccessKeyId": config["ALIYUN_SMS_ACCESS_KEY_ID"],
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone_for_aliyun(notification.recipient),
            "RegionId": self.region,
            "SignName": config["ALIYUN_SMS_SIGN_NAME"],
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template.code,
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        if fields:
            params["TemplateParam"] = json.dumps(dict(fields), ensure_ascii=False, separators=(",", ":"))
        if notification.pk is not None:
            params["OutId"] = str(notification.pk)  # the delivery receipt names the outbox row
        params["Signature"] = signature(params, config["ALIYUN_SMS_ACCESS_KEY_SECRET"])
        answer = self._post(params)
        code = str(answer.get("Code", ""))
        if code == "OK":
            notification.provider_ref = str(answer.get("BizId", ""))[:64]  # names the message in its receipt
            logger.info("Aliyun SMS: notification %s accepted, BizId %s", notification.pk, notification.provider_ref)
            return
        message = f"Aliyun SMS {code or 'error'}: {answer.get('Message', '')} (RequestId {answer.get('RequestId', '-')})"
        if is_transient(code):
            raise TransientSendError(message)
        raise PermanentSendError(message, code)

    def _post(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The JSON answer (also of an HTTP error that carries one); ``TransientSendError`` when
        the service cannot be reached or answers a server error without one."""
        if urlsplit(self.endpoint).scheme not in {"https", "http"}:
            raise ConfigurationError(f"ALIYUN_SMS_ENDPOINT={self.endpoint!r} is not an http(s) address")
        request = Request(  # noqa: S310 - an http(s) address, checked above
            self.endpoint,
            data=urlencode(params).encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"},
        )
        try:
            with urlopen(request, timeout=timeout_seconds()) as response:  # noqa: S310 - checked above
                status, raw = response.status, response.read()
        except HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (URLError, TimeoutError, OSError) as exc:
            raise TransientSendError(f"Aliyun SMS unreachable: {exc}") from exc
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            answer = None
        if isinstance(answer, dict) and answer.get("Code"):
            return answer
        text = f"Aliyun SMS answered HTTP {status} without a result"
        if status >= 500 or status == 429:
            raise TransientSendError(text)
        raise PermanentSendError(text)
