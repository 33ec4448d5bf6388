"""Tencent Cloud SMS (腾讯云短信, ``SendSms``, API version 2021-01-11), through the official SDK
``tencentcloud-sdk-python-sms`` (it needs only ``tencentcloud-sdk-python-common`` and requests).

Settings: ``TENCENT_SMS_SECRET_ID``, ``TENCENT_SMS_SECRET_KEY`` (a CAM key allowed to send SMS),
``TENCENT_SMS_SDK_APP_ID`` (the SMS application's SdkAppId), ``TENCENT_SMS_SIGN_NAME`` (签名,
approved), ``TENCENT_SMS_REGION`` (ap-guangzhou), ``TENCENT_SMS_ENDPOINT`` (empty: the SDK's
sms.tencentcloudapi.com; a host or ``http(s)://host:port``), ``SMS_TEMPLATES`` (kind →
``{"template": "<template id>", "params": ["value key for {1}", "… for {2}"]}``: Tencent's
template variables are numbered, filled in this order).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from ..models import Notification
from ..senders import PermanentSendError, TransientSendError
from .common import filled_fields, message_values, mobile_number, required, setting, template_or_skip, timeout_seconds

logger = logging.getLogger("aftersales.notifications")

DEFAULT_REGION = "ap-guangzhou"
REQUIRED_SETTINGS = ("TENCENT_SMS_SECRET_ID", "TENCENT_SMS_SECRET_KEY", "TENCENT_SMS_SDK_APP_ID", "TENCENT_SMS_SIGN_NAME")

# Worth another try later: the network, the platform's internal errors, throttling of the API and
# of a number's 30-second / hour / frequency limits. Every other code (a template not approved, a
# bad number, a signature, a key, the balance, a number's daily limit) is refused for good.
TRANSIENT_CODES = frozenset(
    {
        "ClientNetworkError",
        "ServerNetworkError",
        "JSONDecodeError",
        "RequestLimitExceeded",
        "LimitExceeded.PhoneNumberThirtySecondLimit",
        "LimitExceeded.PhoneNumberOneHourLimit",
        "LimitExceeded.DeliveryFrequencyLimit",
    }
)
TRANSIENT_PREFIXES = ("InternalError", "RequestLimitExceeded")
# Internal errors that are the request's own fault (a malformed request, not the platform).
PERMANENT_INTERNAL = frozenset(
    {"InternalError.SigVerificationFail", "InternalError.SigFieldMissing", "InternalError.RestApiInterfaceNotExist"}
)


def is_transient(code: str) -> bool:
    if code in PERMANENT_INTERNAL:
        return False
    return code in TRANSIENT_CODES or code.startswith(TRANSIENT_PREFIXES)


def _failure(text: str, code: str) -> Exception:
    return TransientSendError(text) if is_transient(code) else PermanentSendError(text, code)


def http_profile() -> HttpProfile:
    """The SDK's HTTP settings: our timeout and, when set, another endpoint (a host, or a URL
    with its scheme and port)."""
    profile = HttpProfile(reqTimeout=max(1, round(timeout_seconds())))
    endpoint = setting("TENCENT_SMS_ENDPOINT")
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        profile = HttpProfile(protocol=parts.scheme, endpoint=parts.netloc, reqTimeout=profile.reqTimeout)
    return profile


class TencentSmsSender:
    """Sends the kind's approved template (``SMS_TEMPLATES``) with the message's values in order."""

    def send(self, notification: Notification) -> None:
        template = template_or_skip("SMS_TEMPLATES", notification, fields_key="params", what="SMS")
        config = required(*REQUIRED_SETTINGS)
        fields = filled_fields(template, message_values(notification))
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [mobile_number(notification.recipient).e164]
        request.SmsSdkAppId = config["TENCENT_SMS_SDK_APP_ID"]
        request.SignName = config["TENCENT_SMS_SIGN_NAME"]
        request.TemplateId = template.code
        request.TemplateParamSet = [value for _name, value in fields]
        if notification.pk is not None:
            request.SessionContext = str(notification.pk)  # the delivery receipt names the outbox row
        client = sms_client.SmsClient(
            credential.Credential(config["TENCENT_SMS_SECRET_ID"], config["TENCENT_SMS_SECRET_KEY"]),
            setting("TENCENT_SMS_REGION", DEFAULT_REGION) or DEFAULT_REGION,
            ClientProfile(httpProfile=http_profile()),
        )
        try:
            response = client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = str(exc.get_code() or "")
            text = f"Tencent SMS {code}: {exc.get_message()} (RequestId {exc.get_request_id() or '-'})"
            raise _failure(text, code) from exc
        statuses = list(response.SendStatusSet or [])
        if not statuses:
            raise TransientSendError(f"Tencent SMS answered without a status (RequestId {response.RequestId})")
        status = statuses[0]
        code = str(status.Code or "")
        if code == "Ok":
            notification.provider_ref = str(status.SerialNo or "")[:64]  # its receipt names the message by it (sid)
            logger.info("Tencent SMS: notification %s accepted, SerialNo %s", notification.pk, status.SerialNo)
            return
        raise _failure(f"Tencent SMS {code}: {status.Message} (RequestId {response.RequestId})", code)
