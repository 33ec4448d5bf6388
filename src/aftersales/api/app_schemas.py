"""API v1 schemas of the customer's app: the plan's answer, the WeChat binding and the sign-in by
SMS code (``routers/agreements.py``, ``routers/wechat.py``, ``routers/signin.py``; docs/api-app.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StrictBool

from aftersales.tickets.action_schemas import Input, ShortText

# --- The customer's app: the plan's answer, the WeChat binding ----------------------------------

SIGNATURE_DOC = "data:image/png;base64,… the signature drawn in the app (at most 512 KiB), as the portal's signature pad."


class PlanAnswerIn(Input):
    """The customer's answer to the plan offered (``POST /tickets/{number}/plan-answer``)."""

    accepted: StrictBool = Field(description="true: accept (and sign) the plan; false: decline it.")
    note: ShortText = Field("", description="Anything for us; when declining, why (so that we propose something better).")
    signature: Annotated[str, Field(max_length=700_000)] | None = Field(
        None, description=f"Accepting only: {SIGNATURE_DOC} Required when the plan needs the signed agreement."
    )


class WeChatBindIn(Input):
    openid: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]{1,64}$")] = Field(
        description="The customer's openid for the company's WeChat Official Account (it sends the messages)."
    )


class WeChatContactOut(Schema):
    customer_id: int
    openid: str
    bound_at: dt.datetime


# --- The app's sign-in (``routers/signin.py``) --------------------------------------------------

Phone = Annotated[str, Field(min_length=1, max_length=32, description="A mobile number as typed: 139 1234 5678, +86 139….")]
SmsCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The six digits of the SMS.")]
DeviceName = Annotated[str, Field(max_length=100)]
DEVICE_DOC = "What the customer's list of devices shows (e.g. “iPhone 15 of 赵敏”); default: the User-Agent."


class CodeRequestIn(Input):
    phone: Phone
    purpose: Literal["sign_in", "sign_up"] = Field(
        "sign_in", description="sign_in: a code for the customer's account; sign_up: a code to open one."
    )


class CodeRequestOut(Schema):
    purpose: str
    detail: str = Field(description="The same words for every number: whether a code went out is never told.")
    code_minutes: int = Field(description="How long the code is valid.")
    resend_seconds: int = Field(description="A new code for the number after this many seconds.")


class TokenIn(Input):
    phone: Phone
    code: SmsCode
    device_name: DeviceName | None = Field(None, description=DEVICE_DOC)


class SignUpIn(Input):
    phone: Phone
    code: SmsCode = Field(description="The six digits of the sign-up code (POST /auth/code with purpose sign_up).")
    name: Annotated[str, Field(min_length=1, max_length=64)] = Field(description="The customer's name.")
    password: Annotated[str, Field(min_length=1, max_length=128)] = Field(
        description="The account's password (the portal's rules), for signing in on the web as well."
    )
    privacy_accepted: StrictBool = Field(description="true: the customer agreed to the privacy notice (required).")
    marketing: StrictBool = Field(False, description="true: we may send offers and news.")
    device_name: DeviceName | None = Field(None, description=DEVICE_DOC)


class TokenOut(Schema):
    token: str = Field(
        description="Send it as “Authorization: Bearer <token>”. Shown only now: keep it in the device's secure store."
    )
    token_id: int = Field(description="The id of this device in GET /me/tokens.")
    prefix: str
    device_name: str
    scopes: list[str]
    expires_at: dt.datetime
    username: str
    customer_id: int | None = Field(description="The customer's own record.")


class DeviceTokenOut(Schema):
    id: int
    device_name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    current: bool = Field(description="true: the token of this call.")
