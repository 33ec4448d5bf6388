"""Settings of the messages sent to customers — the SMS and WeChat providers, short links — and of
the portal's codes and invitations sent through them; read into ``aftersales.settings``. Every
value comes from the environment (docs/notifications.md, docs/portal.md)."""

from __future__ import annotations

import os

# --- SMS and WeChat providers (docs/notifications.md, "SMS and WeChat providers") -----------
# Without a provider, the log-only sender writes one-time codes (sign-up, sign-in, reset) in full on
# a developer's machine (AFTERSALES_ENV=local, the default of `make run`: the worker's console), so a
# portal sign-up can be finished there; elsewhere, and always in production, they are masked.
NOTIFICATION_LOG_SECRETS = os.environ.get("AFTERSALES_ENV", "local") == "local" and os.environ.get(
    "NOTIFICATION_LOG_SECRETS", "1"
).strip().lower() in {"1", "true", "yes", "on"}
# SMS: "aliyun" or "tencent"; empty: SMS only written to the log. *_TEMPLATES: JSON, message kind →
# {"template": …, "params": …}; a kind without a template is skipped. WeChat sends when its app
# id is set.
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "").strip().lower()
SMS_TEMPLATES = os.environ.get("SMS_TEMPLATES", "{}")
ALIYUN_SMS_ACCESS_KEY_ID = os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = os.environ.get("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_REGION = os.environ.get("ALIYUN_SMS_REGION", "cn-hangzhou")
ALIYUN_SMS_ENDPOINT = os.environ.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
TENCENT_SMS_SECRET_ID = os.environ.get("TENCENT_SMS_SECRET_ID", "")
TENCENT_SMS_SECRET_KEY = os.environ.get("TENCENT_SMS_SECRET_KEY", "")
TENCENT_SMS_SDK_APP_ID = os.environ.get("TENCENT_SMS_SDK_APP_ID", "")
TENCENT_SMS_SIGN_NAME = os.environ.get("TENCENT_SMS_SIGN_NAME", "")
TENCENT_SMS_REGION = os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = os.environ.get("TENCENT_SMS_ENDPOINT", "")  # empty: the SDK's default
WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = os.environ.get("WECHAT_APP_SECRET", "")
WECHAT_TEMPLATES = os.environ.get("WECHAT_TEMPLATES", "{}")
WECHAT_API_BASE_URL = os.environ.get("WECHAT_API_BASE_URL", "https://api.weixin.qq.com/cgi-bin/")
NOTIFICATION_PROVIDER_TIMEOUT_SECONDS = float(os.environ.get("NOTIFICATION_PROVIDER_TIMEOUT_SECONDS", "10"))
# Days a message's short link (/s/<code>) opens, where its target sets no lifetime of its own.
SHORT_LINK_DAYS = int(os.environ.get("SHORT_LINK_DAYS", "30"))

# Delivery receipts (docs/notifications.md, "Delivery receipts"): the secret in the SMS providers'
# callback address, WeChat's server token (its SHA-1 signature), and polling for providers that
# push nothing.
SMS_RECEIPT_TOKEN = os.environ.get("SMS_RECEIPT_TOKEN", "")
WECHAT_TOKEN = os.environ.get("WECHAT_TOKEN", "")
SMS_RECEIPT_POLL = os.environ.get("SMS_RECEIPT_POLL", "").strip().lower() in {"1", "true", "yes", "on"}

# --- Portal accounts (docs/portal.md, "Getting an account") ------------------------------------
# Sign-up and sign-in codes by SMS: a new code for a number after this many seconds, at most so
# many an hour per number and per client address, and so many code entries an hour per address;
# a staff invitation's link lasts this many days, at most so many invitations a customer a day.
PHONE_CODE_RESEND_SECONDS = int(os.environ.get("PHONE_CODE_RESEND_SECONDS", "60"))
PHONE_CODE_PER_HOUR = int(os.environ.get("PHONE_CODE_PER_HOUR", "5"))
PHONE_CODE_PER_IP_HOUR = int(os.environ.get("PHONE_CODE_PER_IP_HOUR", "20"))
PHONE_CODE_CHECK_PER_IP_HOUR = int(os.environ.get("PHONE_CODE_CHECK_PER_IP_HOUR", "30"))
PORTAL_INVITE_MAX_AGE_DAYS = int(os.environ.get("PORTAL_INVITE_MAX_AGE_DAYS", "7"))
PORTAL_INVITES_PER_DAY = int(os.environ.get("PORTAL_INVITES_PER_DAY", "3"))
# Against SMS pumping (docs/security.md): a picture check before a code is sent when a client or a
# number range asks for many ("suspicious"; or "always", "never"), and a cap of codes a day per
# calling code (JSON; "*": any other), which alerts the administrators once when reached.
PHONE_CODE_HUMAN_CHECK = os.environ.get("PHONE_CODE_HUMAN_CHECK", "suspicious")
PHONE_CODE_HUMAN_CHECK_IP_HOUR = int(os.environ.get("PHONE_CODE_HUMAN_CHECK_IP_HOUR", "5"))
PHONE_CODE_HUMAN_CHECK_PREFIX_HOUR = int(os.environ.get("PHONE_CODE_HUMAN_CHECK_PREFIX_HOUR", "30"))
PHONE_CODE_DAILY_CAPS = os.environ.get("PHONE_CODE_DAILY_CAPS", '{"86": 20000, "*": 200}')
# A recycled number (docs/portal.md): a sign-up to a record with a history asks a second proof;
# so many wrong answers per number a day; a record without a ticket for so many days counts too.
PORTAL_PHONE_CHECK_TRIES = int(os.environ.get("PORTAL_PHONE_CHECK_TRIES", "3"))
PORTAL_PHONE_STALE_DAYS = int(os.environ.get("PORTAL_PHONE_STALE_DAYS", "365"))

# --- Whom customers call (docs/portal.md, "Someone to call") -----------------------------------
# The service hotline (portal pages, the request for information); a number that reaches whoever
# handles a visit (forwards to the technician on duty; empty: the hotline). Empty: "our service
# hotline" in words.
SERVICE_HOTLINE = os.environ.get("SERVICE_HOTLINE", "")
SERVICE_VISIT_PHONE = os.environ.get("SERVICE_VISIT_PHONE", "")
