"""The customer signs in to the company's app through the API (docs/api-app.md, "Sign the
customer in"): ``POST /auth/code`` sends the SMS code, ``POST /auth/token`` exchanges it for a
sign-in token (one per device), ``POST /auth/signup`` opens a portal account and gives the first
token, ``DELETE /auth/token`` signs this device out; ``GET /me/tokens`` lists the customer's
signed-in devices and ``DELETE /me/tokens/{token_id}`` signs one out.

The first three take no credentials. They answer alike for every number (a code goes out only
for a customer's account, which the answer never tells) and are limited as the portal's pages
are (``accounts.login_code``: per number, per client address, attempts per code). A token is
never kept for an ``Idempotency-Key`` replay: the secret exists only in the first answer.
"""

import datetime as dt
from typing import Annotated, Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Path, Router
from pydantic import Field, StrictBool

from aftersales.accounts.login_code import (
    DAILY_CAP,
    RESEND_WAIT,
    PhoneCodeThrottled,
    phone_code_request,
    resend_seconds,
    seconds_to_next_day,
)
from aftersales.accounts.models import PhoneCodePurpose
from aftersales.accounts.sms_reset import code_minutes
from aftersales.core import clock
from aftersales.core.web import private_no_store

from .. import app_schemas
from ..auth import caller_of
from ..problems import ApiProblem
from ..selectors import api_own_customer_id, api_sign_in_tokens_of
from ..services import CreatedKey
from ..signin import app_sign_in, app_sign_out, app_sign_up, app_token_revoke, device_name, mobile_phone, require_customer
from .common import MAX_ID, problems

router = Router(tags=["auth"])
TokenId = Annotated[int, Path(ge=1, le=MAX_ID)]
HOUR = 3600
NO_CREDENTIALS = " No credentials: send no Authorization header."


class AppSignUpIn(app_schemas.SignUpIn):
    """The sign-up, with the answer to the second proof when the number's record asks for it."""

    history_answer: Annotated[str, Field(max_length=64)] | None = Field(
        None,
        description="Only after 422 history_check_required: one detail of the earlier records the question names "
        "(the full name on the record, the last 4 characters of a registered product's serial number, or a service "
        "request number). Send it with the same code.",
    )
    history_decline: StrictBool = Field(
        False,
        description="true after 422 history_check_required: the earlier records are not the customer's (or they know "
        "none of the details): the account opens without them and staff review the records.",
    )


class SignUpTokenOut(app_schemas.TokenOut):
    linked: bool = Field(
        description="true: the account shows the customer's earlier records (tickets, units) that we knew by the "
        "number; false: a new customer."
    )


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _throttled(exc: PhoneCodeThrottled, field: str) -> ApiProblem:
    """The limits' refusal as a 429 naming ``field``, with the seconds to wait (at most)."""
    seconds = {RESEND_WAIT: resend_seconds(), DAILY_CAP: seconds_to_next_day()}.get(str(exc.code), HOUR)
    return ApiProblem(429, exc.message, code=exc.code, field=field, headers={"Retry-After": str(max(1, seconds))})


def _token(response: HttpResponse, created: CreatedKey) -> tuple[int, app_schemas.TokenOut]:
    key = created.key
    private_no_store(response)  # a credential: kept by no cache
    return 201, app_schemas.TokenOut(
        token=created.secret,
        token_id=key.pk,
        prefix=key.prefix,
        device_name=key.name,
        scopes=list(key.scopes),
        expires_at=cast(dt.datetime, key.expires_at),  # a sign-in token always expires (api.signin)
        username=key.owner.get_username(),
        customer_id=api_own_customer_id(key.owner),
    )


@router.post(
    "/auth/code",
    auth=None,
    response={202: app_schemas.CodeRequestOut, **problems()},
    summary="Send the customer a sign-in (or sign-up) code by SMS",
    description="The same answer for every number: a sign-in code goes only to a customer's account, never to staff. "
    "429 (Retry-After) when asked again within the minute (code_resend_wait: the last code is on its way) or too often."
    + NO_CREDENTIALS,
)
def request_code(request: HttpRequest, payload: app_schemas.CodeRequestIn) -> Any:
    phone = mobile_phone(payload.phone)
    try:
        phone_code_request(purpose=payload.purpose, phone=phone, client_ip=_client_ip(request), language=_language())
    except PhoneCodeThrottled as exc:
        raise _throttled(exc, "phone") from None
    if payload.purpose == PhoneCodePurpose.SIGN_UP:
        detail = _("A six-digit code is on its way by SMS.")
    else:
        detail = _("If the number belongs to a customer's account, the code is on its way.")
    return 202, app_schemas.CodeRequestOut(
        purpose=payload.purpose, detail=str(detail), code_minutes=code_minutes(), resend_seconds=resend_seconds()
    )


@router.post(
    "/auth/token",
    auth=None,
    response={201: app_schemas.TokenOut, **problems()},
    summary="Sign the customer in: the SMS code for a token for this device (shown once)",
    description="A wrong, used or expired code is a 422 naming code (five wrong entries kill it). The token acts as "
    "the customer with the app's scopes and expires after API_SIGNIN_TOKEN_DAYS (90 days)." + NO_CREDENTIALS,
)
def sign_in(request: HttpRequest, payload: app_schemas.TokenIn, response: HttpResponse) -> Any:
    phone = mobile_phone(payload.phone)
    name = device_name(payload.device_name, user_agent=request.headers.get("User-Agent", ""))
    try:
        created = app_sign_in(phone=phone, code=payload.code, name=name, client_ip=_client_ip(request))
    except PhoneCodeThrottled as exc:
        raise _throttled(exc, "code") from None
    return _token(response, created)


@router.post(
    "/auth/signup",
    auth=None,
    response={201: SignUpTokenOut, **problems(409)},
    summary="Open the customer's account (the portal's sign-up) and sign this device in",
    description="After POST /auth/code with purpose sign_up. The name, the password and the consent are checked before "
    "the code; a customer we know by the phone gets the account linked to their record. A record with a history "
    "first asks one detail of it: 422 history_check_required (the question in errors[history_answer]): call again "
    "with the same code and history_answer, or history_decline true; 422 history_check_wrong names the tries left; "
    "after the last wrong answer the account opens without the earlier records (linked false). 409 "
    "portal_account_exists: the phone has an account already, sign in instead." + NO_CREDENTIALS,
)
def sign_up(request: HttpRequest, payload: AppSignUpIn, response: HttpResponse) -> Any:
    phone = mobile_phone(payload.phone)
    name = device_name(payload.device_name, user_agent=request.headers.get("User-Agent", ""))
    try:
        result = app_sign_up(
            phone=phone,
            code=payload.code,
            name=payload.name,
            password=payload.password,
            privacy_accepted=payload.privacy_accepted,
            marketing=payload.marketing,
            language=_language(),
            device=name,
            client_ip=_client_ip(request),
            history_answer=payload.history_answer,
            history_decline=payload.history_decline,
        )
    except PhoneCodeThrottled as exc:
        raise _throttled(exc, "code") from None
    status, token = _token(response, result.created)
    return status, SignUpTokenOut(**token.model_dump(), linked=result.linked)


@router.delete(
    "/auth/token",
    response={204: None, **problems(403)},
    summary="Sign this device out: revoke the sign-in token of this call",
    description="Only a token from POST /auth/token or /auth/signup (403 sign_in_token_only for an integration key "
    "or the session). The token answers 401 at once afterwards.",
)
def sign_out(request: HttpRequest) -> Any:
    caller = caller_of(request)
    app_sign_out(key=caller.key, actor=caller.user)
    return HttpResponse(status=204)


@router.get(
    "/me/tokens",
    response={200: list[app_schemas.DeviceTokenOut], **problems(403)},
    summary="The customer's signed-in devices (their live sign-in tokens)",
    description="A customer's own token, key or session (403 customer_only for staff). Newest first.",
)
def list_tokens(request: HttpRequest) -> Any:
    caller = caller_of(request)
    require_customer(caller.user)
    current = caller.key.pk if caller.key is not None else None
    return [
        app_schemas.DeviceTokenOut(
            id=key.pk,
            device_name=key.name,
            prefix=key.prefix,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            expires_at=cast(dt.datetime, key.expires_at),  # a sign-in token always expires (api.signin)
            current=key.pk == current,
        )
        for key in api_sign_in_tokens_of(user=caller.user, now=clock.now())
    ]


@router.delete(
    "/me/tokens/{token_id}",
    response={204: None, **problems(403, 404)},
    summary="Sign one of the customer's devices out (204 also when it was signed out already)",
    description="A customer's own token, key or session (403 customer_only for staff); 404 for an id not theirs.",
)
def revoke_token(request: HttpRequest, token_id: TokenId) -> Any:
    caller = caller_of(request)
    app_token_revoke(user=caller.user, token_id=token_id)
    return HttpResponse(status=204)
