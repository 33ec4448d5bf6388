"""Getting a portal account and signing in by SMS code (docs/portal.md, "Getting an account").

* **Sign-up** ``/portal/signup/``: the mobile number → a six-digit code by SMS → the name, a
  password and the consent to the privacy notice → signed in, on ``/portal/``. The phone step
  answers the same for every number (a code goes to every number); only the owner of the phone,
  with the right code, learns whether it already has an account ("sign in"). A suspicious request
  shows a picture of digits first (``human_check``: SMS pumping); a number whose customer record
  has a history asks for one detail of it on the details page (``signup_check``: a number given
  to somebody else).
* **Sign-in by SMS code** ``/portal/signin/code/`` (linked from the login page): for customers'
  accounts only; the same answer for every number.
* **Invitation** ``/portal/invite/<token>/``: the signed link a member of staff sent; the customer
  sets a password.
* **The privacy notice** ``/portal/privacy-notice/``.

Thin: the session keeps the phone between the steps (and, for the sign-up, the id of the verified
code, which the sign-up spends); the services decide (``accounts.login_code``,
``customers.portal_accounts``). Every refusal is shown on its field, never as an error page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from aftersales.accounts.login_code import (
    PROOF_MINUTES,
    RESEND_WAIT,
    HumanCheckRequired,
    PhoneCodeThrottled,
    human_check_needed,
    login_code_sign_in,
    phone_code_request,
    phone_code_verify,
    resend_seconds,
    signup_proof_valid,
)
from aftersales.accounts.models import PhoneCodePurpose, User
from aftersales.accounts.sms_reset import code_minutes
from aftersales.core.errors import DomainError
from aftersales.core.masking import mask_phone
from aftersales.core.view_errors import add_service_errors
from aftersales.customers.models import PhoneCheckOutcome
from aftersales.customers.phone_reuse import phone_check_state
from aftersales.customers.portal_accounts import (
    CHECK,
    EXISTS,
    PRIVACY_NOTICE_VERSION,
    InvitationInvalid,
    PortalAccountExists,
    portal_invite_accept,
    portal_invite_customer,
    portal_signup,
    portal_signup_state,
)

from .human_check import SignupPhoneForm, human_check_passed, human_check_picture
from .signup_check import check_step
from .signup_forms import CodeForm, PasswordConsentForm, PhoneForm, SignupForm

SIGN_UP = "portal_signup"  # {"phone": E.164, "proof": the verified code's id}
CODE_SIGN_IN = "portal_code_sign_in"  # {"phone": E.164, "next": a path of this site}


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _state(request: HttpRequest, key: str) -> dict[str, Any]:
    state = request.session.get(key)
    return state if isinstance(state, dict) and isinstance(state.get("phone"), str) else {}


def _safe_next(request: HttpRequest, target: str) -> str:
    """``target`` when it is a page of this site (no open redirect), else ""."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _sign_in(request: HttpRequest, user: User) -> None:
    """Sign ``user`` in (a new session: Django's ``login`` cycles the key) with the backend that
    reads users back, the last of ``AUTHENTICATION_BACKENDS`` (the first is the lockout check)."""
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])


def _signed_in_elsewhere(request: HttpRequest) -> HttpResponse | None:
    """A signed-in person needs no sign-up nor sign-in page: their home instead."""
    return redirect("home") if request.user.is_authenticated else None


def _ask_code(request: HttpRequest, form: PhoneForm, purpose: str, human_checked: bool | None = None) -> tuple[bool, int]:
    """Ask for a code for the form's phone. (go on to the code page, the page's status)."""
    try:
        phone_code_request(
            purpose=purpose,
            phone=form.cleaned_data["phone"],
            client_ip=_client_ip(request),
            language=_language(),
            human_checked=human_checked,
        )
    except PhoneCodeThrottled as exc:
        if exc.code == RESEND_WAIT:  # the code sent a moment ago is still on its way
            messages.info(request, str(exc.message))
            return True, 200
        add_service_errors(form, exc)
        return False, exc.status
    return True, 200


def _resend(request: HttpRequest, purpose: str, phone: str) -> None:
    # A new code for the number the phone step accepted (with its human check, when it asked one).
    checked = True if purpose == PhoneCodePurpose.SIGN_UP else None
    try:
        phone_code_request(
            purpose=purpose, phone=phone, client_ip=_client_ip(request), language=_language(), human_checked=checked
        )
    except PhoneCodeThrottled as exc:
        messages.error(request, str(exc.message))
    else:  # a sign-in code goes only to a customer account's number: the same words for every number
        if purpose == PhoneCodePurpose.SIGN_UP:
            messages.success(request, _("We sent a new code."))
        else:
            messages.success(request, _("If the number belongs to a customer's account, a new code is on its way."))


def _code_context(form: CodeForm, phone: str) -> dict[str, Any]:
    return {"form": form, "phone_masked": mask_phone(phone), "minutes": code_minutes(), "resend_seconds": resend_seconds()}


# --- Sign-up -------------------------------------------------------------------------------------


NEW_PICTURE = "new_picture"


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Step 1: the mobile number. A code goes to it, whoever it belongs to — after the digits of
    a picture when the request is suspicious (shown at once when the client is)."""
    elsewhere = _signed_in_elsewhere(request)
    if elsewhere is not None:
        return elsewhere
    if request.method == "POST" and NEW_PICTURE in request.POST:  # "Another picture": nothing is sent
        form = SignupPhoneForm(initial={"phone": request.POST.get("phone", "")[:32]})
        return _phone_page(request, form, picture=True, status=200)
    form = SignupPhoneForm(request.POST or None)
    status = 200
    picture = request.method == "GET" and human_check_needed(client_ip=_client_ip(request))
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data.get("captcha", "")
        checked = human_check_passed(request, typed) if typed else False
        try:
            go_on, status = _ask_code(request, form, PhoneCodePurpose.SIGN_UP, human_checked=checked)
        except HumanCheckRequired as exc:
            message = _("The digits do not match the picture. Try this new one.") if typed else exc.message
            form.add_error("captcha", message)
            go_on, status, picture = False, exc.status, True
        if go_on:
            request.session[SIGN_UP] = {"phone": form.cleaned_data["phone"]}
            return redirect("portal:signup_code")
    elif request.method == "POST":
        status = 422
        picture = bool(request.POST.get("captcha"))  # it was shown: show a new one
    return _phone_page(request, form, picture=picture, status=status)


def _phone_page(request: HttpRequest, form: SignupPhoneForm, *, picture: bool, status: int) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "picture": human_check_picture(request) if picture else ""}
    return render(request, "portal/signup_phone.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def signup_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS (or a new code, once a minute)."""
    elsewhere = _signed_in_elsewhere(request)
    if elsewhere is not None:
        return elsewhere
    phone = _state(request, SIGN_UP).get("phone", "")
    if not phone:
        return redirect("portal:signup")
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, PhoneCodePurpose.SIGN_UP, phone)
        return redirect("portal:signup_code")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            proof = phone_code_verify(
                purpose=PhoneCodePurpose.SIGN_UP, phone=phone, code=form.cleaned_data["code"], client_ip=_client_ip(request)
            )
        except DomainError as exc:
            add_service_errors(form, exc)
            status = exc.status
        else:
            request.session[SIGN_UP] = {"phone": phone, "proof": proof.pk}
            return redirect("portal:signup_details")
    elif request.method == "POST":
        status = 422
    return render(request, "portal/signup_code.html", _code_context(form, phone), status=status)


def _account_exists(request: HttpRequest, phone: str) -> HttpResponse:
    request.session.pop(SIGN_UP, None)
    return render(request, "portal/signup_exists.html", {"phone_masked": mask_phone(phone)}, status=200)


def _start_again(request: HttpRequest) -> HttpResponse:
    request.session.pop(SIGN_UP, None)
    messages.error(request, _("The check of your phone number has expired. Start again: we send you a new code."))
    return redirect("portal:signup")


@never_cache
@require_http_methods(["GET", "POST"])
def signup_details(request: HttpRequest) -> HttpResponse:
    """Step 3 (the phone proven): "you already have an account", or the name, a password and
    the consent; the account is made, signed in and sent to the portal."""
    elsewhere = _signed_in_elsewhere(request)
    if elsewhere is not None:
        return elsewhere
    state = _state(request, SIGN_UP)
    phone, proof = state.get("phone", ""), state.get("proof")
    if not isinstance(proof, int) or not signup_proof_valid(code_id=proof, phone=phone):
        return _start_again(request) if phone else redirect("portal:signup")
    signup_state = portal_signup_state(phone=phone, proof_id=proof)
    if signup_state == EXISTS:
        return _account_exists(request, phone)
    if signup_state == CHECK:  # a record with a history: one detail of it first
        return check_step(request, phone=phone, proof=proof, start_again=lambda: _start_again(request))
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = portal_signup(
                proof_id=proof,
                phone=phone,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                marketing=form.cleaned_data["marketing"],
                language=_language(),
            )
        except PortalAccountExists:
            return _account_exists(request, phone)
        except DomainError as exc:
            if exc.code == "phone_not_verified":
                return _start_again(request)
            if exc.code == "history_check_required":  # a record gained a history meanwhile
                return redirect("portal:signup_details")
            add_service_errors(form, exc)
            status = exc.status
        else:
            request.session.pop(SIGN_UP, None)
            _sign_in(request, result.user)
            messages.success(request, _welcome(result.user))
            return redirect("portal:home")
    elif request.method == "POST":
        status = 422
    without_history = phone_check_state(proof_id=proof, phone=phone) in (PhoneCheckOutcome.FAILED, PhoneCheckOutcome.DECLINED)
    context = {"form": form, "phone_masked": mask_phone(phone), "minutes": PROOF_MINUTES, "without_history": without_history}
    return render(request, "portal/signup_details.html", context, status=status)


def _welcome(user: User) -> str:
    return _(
        "Welcome! Your account is ready. Next time sign in with the user name %(username)s and your password, "
        "or with a code sent to your phone."
    ) % {"username": user.username}


# --- Sign-in by SMS code -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def code_sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: the mobile number of the customer's account; the same answer for every number."""
    elsewhere = _signed_in_elsewhere(request)
    if elsewhere is not None:
        return elsewhere
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        go_on, status = _ask_code(request, form, PhoneCodePurpose.SIGN_IN)
        if go_on:
            request.session[CODE_SIGN_IN] = {"phone": form.cleaned_data["phone"], "next": next_url}
            return redirect("portal:code_sign_in_verify")
    elif request.method == "POST":
        status = 422
    return render(request, "portal/code_sign_in.html", {"form": form, "next": next_url}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def code_sign_in_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code; signed in, on to the page asked for (a page of this site) or the portal."""
    elsewhere = _signed_in_elsewhere(request)
    if elsewhere is not None:
        return elsewhere
    state = _state(request, CODE_SIGN_IN)
    phone = state.get("phone", "")
    if not phone:
        return redirect("portal:code_sign_in")
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, PhoneCodePurpose.SIGN_IN, phone)
        return redirect("portal:code_sign_in_verify")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = login_code_sign_in(phone=phone, code=form.cleaned_data["code"], client_ip=_client_ip(request))
        except DomainError as exc:
            add_service_errors(form, exc)
            status = exc.status
        else:
            request.session.pop(CODE_SIGN_IN, None)
            _sign_in(request, user)
            return redirect(_safe_next(request, str(state.get("next") or "")) or "portal:home")
    elif request.method == "POST":
        status = 422
    return render(request, "portal/code_sign_in_verify.html", _code_context(form, phone), status=status)


# --- Invitation ----------------------------------------------------------------------------------


def _no_referrer_leak(response: HttpResponse) -> HttpResponse:
    # Keep the token out of other sites' logs ("no-referrer" would break the CSRF check's Origin).
    response["Referrer-Policy"] = "same-origin"
    return response


def _invitation_invalid(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _no_referrer_leak(render(request, "portal/invite_invalid.html", {"message": exc.message}, status=410))


@never_cache
@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link: a password and the consent open the account (once)."""
    try:
        customer = portal_invite_customer(token=token)
    except InvitationInvalid as exc:
        return _invitation_invalid(request, exc)
    form = PasswordConsentForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = portal_invite_accept(
                token=token, password=form.cleaned_data["password"], marketing=form.cleaned_data["marketing"]
            )
        except InvitationInvalid as exc:
            return _invitation_invalid(request, exc)
        except DomainError as exc:
            add_service_errors(form, exc)
            status = exc.status
        else:
            _sign_in(request, user)
            messages.success(request, _welcome(user))
            return redirect("portal:home")
    elif request.method == "POST":
        status = 422
    context = {"form": form, "phone_masked": mask_phone(customer.phone)}
    return _no_referrer_leak(render(request, "portal/invite_accept.html", context, status=status))


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice the sign-up pages ask the customer to agree to (its version is audited)."""
    retention = int(getattr(settings, "PRIVACY_RETENTION_DAYS", 1095))
    return render(request, "portal/privacy_notice.html", {"version": PRIVACY_NOTICE_VERSION, "retention_days": retention})
