"""Delivery receipts fetched from the SMS provider, for a site whose address the provider cannot
push to (``SMS_RECEIPT_POLL``; docs/notifications.md, "Delivery receipts"):

* **Aliyun** ``QuerySendDetails`` (2017-05-25): the details of one sent message by its number,
  ``BizId`` and day; ``SendStatus`` 1 waiting for the receipt, 2 failed, 3 delivered.
* **Tencent** ``PullSmsSendStatus`` (2021-01-11): the receipts not yet pulled, up to 100 a call,
  each with the ``SessionContext`` the message was sent with (the outbox row's id). Tencent pushes
  or lets pull, not both: pulling returns nothing while a callback address is configured.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.sms.v20210111 import models, sms_client

from ..models import Notification, NotificationChannel
from ..receipts import ALIYUN, CHINA, Receipt, tencent_receipts
from ..senders import PermanentSendError, TransientSendError
from . import aliyun, tencent
from .common import required, setting

logger = logging.getLogger("aftersales.notifications")

ALIYUN_PENDING, ALIYUN_FAILED, ALIYUN_DELIVERED = 1, 2, 3
TENCENT_PULL_LIMIT = 100


def _aliyun_time(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(text or ""), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:
        return None


def aliyun_receipt(notification: Notification) -> Receipt | None:
    """The receipt of one message sent through Aliyun (None: none yet). ``TransientSendError``
    when Aliyun cannot answer now, ``PermanentSendError`` when it refuses the query."""
    config = required(*aliyun.REQUIRED_SETTINGS)
    sender = aliyun.AliyunSmsSender()
    sent = (notification.sent_at or notification.created_at).astimezone(CHINA)
    params = {
        "AccessKeyId": config["ALIYUN_SMS_ACCESS_KEY_ID"],
        "Action": "QuerySendDetails",
        "BizId": notification.provider_ref,
        "CurrentPage": "1",
        "Format": "JSON",
        "PageSize": "10",
        "PhoneNumber": aliyun.phone_for_aliyun(notification.recipient),
        "RegionId": sender.region,
        "SendDate": sent.strftime("%Y%m%d"),
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": aliyun.API_VERSION,
    }
    params["Signature"] = aliyun.signature(params, config["ALIYUN_SMS_ACCESS_KEY_SECRET"])
    answer = sender._post(params)
    code = str(answer.get("Code", ""))
    if code != "OK":
        text = f"Aliyun QuerySendDetails {code}: {answer.get('Message', '')}"
        raise TransientSendError(text) if aliyun.is_transient(code) else PermanentSendError(text, code)
    details = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
    for detail in details if isinstance(details, list) else []:
        status = int(detail.get("SendStatus") or 0)
        if status not in {ALIYUN_FAILED, ALIYUN_DELIVERED}:
            continue
        out_id = str(detail.get("OutId") or "")
        if out_id and out_id != str(notification.pk):
            continue
        return Receipt(
            provider=ALIYUN,
            channel=NotificationChannel.SMS,
            notification_id=notification.pk,
            provider_ref=notification.provider_ref,
            delivered=status == ALIYUN_DELIVERED,
            code=str(detail.get("ErrCode") or "")[:64],
            detail="",
            at=_aliyun_time(detail.get("ReceiveDate")),
            address=str(detail.get("PhoneNum") or ""),
        )
    return None


def tencent_pull() -> list[Receipt]:
    """The receipts Tencent has not handed out yet (up to ``TENCENT_PULL_LIMIT``)."""
    config = required(*tencent.REQUIRED_SETTINGS)
    request = models.PullSmsSendStatusRequest()
    request.Limit = TENCENT_PULL_LIMIT
    request.SmsSdkAppId = config["TENCENT_SMS_SDK_APP_ID"]
    client = sms_client.SmsClient(
        credential.Credential(config["TENCENT_SMS_SECRET_ID"], config["TENCENT_SMS_SECRET_KEY"]),
        setting("TENCENT_SMS_REGION", tencent.DEFAULT_REGION) or tencent.DEFAULT_REGION,
        ClientProfile(httpProfile=tencent.http_profile()),
    )
    try:
        response = client.PullSmsSendStatus(request)
    except TencentCloudSDKException as exc:
        code = str(exc.get_code() or "")
        text = f"Tencent PullSmsSendStatus {code}: {exc.get_message()}"
        raise TransientSendError(text) if tencent.is_transient(code) else PermanentSendError(text, code) from exc
    items = json.loads(response.to_json_string()).get("PullSmsSendStatusSet") or []
    return tencent_receipts(items) if items else []
