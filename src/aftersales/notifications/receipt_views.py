"""The providers' delivery receipt callbacks (docs/notifications.md, "Delivery receipts"). No
sign-in: each is verified as its provider allows — the SMS providers by the secret in the
address configured in their console (``SMS_RECEIPT_TOKEN``; neither signs its push), WeChat by
its server signature (``WECHAT_TOKEN``). Every receipt is applied on its own
(``delivery.receipt_record``: idempotent; an unknown message is ignored with a log line) and the
answer is the one the provider documents, so that it does not push again."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core.outage import DATABASE_DOWN

from .delivery import receipt_record
from .receipts import MalformedReceipt, Receipt, aliyun_receipts, tencent_receipts, token_matches, wechat_receipt
from .receipts import wechat_signature_matches as wechat_signed

logger = logging.getLogger("aftersales.notifications")

MAX_BODY = 1_000_000  # a push carries a few hundred receipts at most


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or "").strip()


def _record_all(receipts: list[Receipt]) -> int:
    return sum(1 for receipt in receipts if receipt_record(receipt=receipt) is not None)


def _sms_callback(
    request: HttpRequest, token: str, parse: Callable[[bytes], list[Receipt]], ok: dict[str, object], refused: dict[str, object]
) -> HttpResponse:
    if not _setting("SMS_RECEIPT_TOKEN"):
        return JsonResponse(refused, status=404)  # receipts are not taken by push here
    if not token_matches(token, _setting("SMS_RECEIPT_TOKEN")):
        logger.warning("SMS receipt callback with a wrong token from %s: refused", request.META.get("REMOTE_ADDR", "-"))
        return JsonResponse(refused, status=403)
    if len(request.body) > MAX_BODY:
        return JsonResponse(refused, status=413)
    try:
        receipts = parse(request.body)
    except MalformedReceipt as exc:
        logger.warning("SMS receipt callback with a malformed body: %s", exc)
        return JsonResponse(refused, status=400)
    try:
        _record_all(receipts)
    except DATABASE_DOWN:
        return JsonResponse(refused, status=503)  # the provider pushes again later
    return JsonResponse(ok)


@csrf_exempt
@require_POST
def aliyun_receipts_callback(request: HttpRequest, token: str) -> HttpResponse:
    """Aliyun SMS's SmsReport (HTTP batch push): answers ``{"code": 0, "msg": "接收成功"}``."""
    return _sms_callback(request, token, aliyun_receipts, {"code": 0, "msg": "接收成功"}, {"code": 1, "msg": "refused"})


@csrf_exempt
@require_POST
def tencent_receipts_callback(request: HttpRequest, token: str) -> HttpResponse:
    """Tencent Cloud SMS's status callback: answers ``{"result": 0, "errmsg": "OK"}``."""
    return _sms_callback(request, token, tencent_receipts, {"result": 0, "errmsg": "OK"}, {"result": 1, "errmsg": "refused"})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_receipts_callback(request: HttpRequest) -> HttpResponse:
    """The Official Account's server address (or the address the WeChat backend forwards its
    events to): GET answers WeChat's address check (``echostr``); POST takes the template
    message's result (``TEMPLATESENDJOBFINISH``) and answers "success"; other events are
    answered and left alone. Plain-text (明文) or compatible mode."""
    token = _setting("WECHAT_TOKEN")
    if not token:
        return HttpResponse(status=404)
    signed = wechat_signed(
        token=token,
        signature=request.GET.get("signature", ""),
        timestamp=request.GET.get("timestamp", ""),
        nonce=request.GET.get("nonce", ""),
    )
    if not signed:
        logger.warning("WeChat callback with a wrong signature from %s: refused", request.META.get("REMOTE_ADDR", "-"))
        return HttpResponse(status=403)
    if request.method == "GET":
        return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
    if len(request.body) > MAX_BODY:
        return HttpResponse(status=413)
    try:
        receipt = wechat_receipt(request.body)
    except MalformedReceipt as exc:
        logger.warning("WeChat callback with a malformed body: %s", exc)
        return HttpResponse(status=400)
    if receipt is not None:
        try:
            _record_all([receipt])
        except DATABASE_DOWN:
            return HttpResponse(status=503)
    return HttpResponse("success", content_type="text/plain")
