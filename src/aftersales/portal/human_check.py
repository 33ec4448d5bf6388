"""The human check of the web sign-up, before a code goes out by SMS (docs/security.md, "SMS
pumping"; when: ``accounts.login_code.human_check_needed``).

A picture of five digits drawn by the ``captcha`` library (lepture/captcha: offline, Pillow and
the font it ships; no hosted service, nothing fetched, no table, no URL), put in the page as a
``data:`` image (the Content-Security-Policy's ``img-src`` allows ``data:``). Only a keyed hash of
the digits is kept, in the session; it is good for one answer within ten minutes, right or wrong
(a wrong answer gets a new picture). Digits only: no letters to confuse (0/O, 1/l), and the same
in both languages.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from typing import Any

from captcha.image import ImageCaptcha
from django import forms
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .signup_forms import PhoneForm

SESSION_KEY = "portal_human_check"
DIGITS = 5
MAX_AGE_SECONDS = 600
WIDTH, HEIGHT = 200, 70


def _digest(answer: str) -> str:
    return salted_hmac("aftersales.portal.human_check", answer, algorithm="sha256").hexdigest()


def new_digits() -> str:
    """The digits of a new picture (random)."""
    return "".join(secrets.choice("0123456789") for _ in range(DIGITS))


def human_check_picture(request: HttpRequest) -> str:
    """A new picture for this browser (the last one is void): its ``data:`` URI."""
    answer = new_digits()
    request.session[SESSION_KEY] = {"hash": _digest(answer), "at": time.time()}
    png = ImageCaptcha(width=WIDTH, height=HEIGHT).generate(answer, format="png").getvalue()
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def human_check_passed(request: HttpRequest, typed: str) -> bool:
    """Whether ``typed`` are the digits of this browser's picture (shown less than ten minutes
    ago). The picture is spent either way."""
    state: Any = request.session.pop(SESSION_KEY, None)
    if not isinstance(state, dict) or not isinstance(state.get("hash"), str):
        return False
    if time.time() - float(state.get("at") or 0) > MAX_AGE_SECONDS:
        return False
    answer = "".join(ch for ch in (typed or "") if not ch.isspace())
    return hmac.compare_digest(_digest(answer), state["hash"])


class SignupPhoneForm(PhoneForm):
    """The sign-up's number, and the digits of the picture when the page shows one."""

    captcha = forms.CharField(
        label=_("The digits in the picture"),
        required=False,
        max_length=16,
        help_text=_("We ask this when many codes are asked for: it keeps robots from sending our SMS to paid numbers."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "maxlength": DIGITS}),
    )
