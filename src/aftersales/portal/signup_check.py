"""The sign-up's second proof on the portal (docs/portal.md, "A number given to somebody else"):
when the proven number belongs to a customer record with a history and no account, the details
page (``/portal/signup/details/``) first asks for one detail of that record — always the same
question — or offers "These records are not mine". Thin: ``customers.phone_reuse`` decides."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError
from aftersales.core.masking import mask_phone
from aftersales.core.view_errors import add_service_errors
from aftersales.customers.models import PhoneCheckOutcome
from aftersales.customers.phone_reuse import (
    ANSWER_MAX_LENGTH,
    CHECK_PROMPT,
    LOCKED_MESSAGE,
    check_tries,
    phone_check_answer,
    phone_check_decline,
)

NOT_MINE = "not_mine"


class PhoneCheckForm(forms.Form):
    history_answer = forms.CharField(
        label=_("One detail of the earlier records"),
        max_length=ANSWER_MAX_LENGTH,
        help_text=_(
            "For example: Zhang Wei, the last 4 characters of a serial number such as 7K3Q, or a service request number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def check_step(request: HttpRequest, *, phone: str, proof: int, start_again: Callable[[], HttpResponse]) -> HttpResponse:
    """The question (GET), an answer or "not mine" (POST); on to the details once decided."""
    if request.method == "POST" and NOT_MINE in request.POST:
        try:
            phone_check_decline(proof_id=proof, phone=phone, channel="web")
        except DomainError:
            return start_again()
        messages.info(request, gettext("Your account opens without the earlier records of this number."))
        return redirect("portal:signup_details")
    form = PhoneCheckForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = phone_check_answer(proof_id=proof, phone=phone, answer=form.cleaned_data["history_answer"], channel="web")
        except DomainError as exc:
            if exc.code == "phone_not_verified":
                return start_again()
            add_service_errors(form, exc)
            status = exc.status
        else:
            if result.outcome == PhoneCheckOutcome.PASSED:
                messages.success(request, gettext("Thank you: your earlier records will be in your account."))
                return redirect("portal:signup_details")
            if result.outcome in (PhoneCheckOutcome.FAILED, PhoneCheckOutcome.DECLINED):
                messages.warning(request, str(LOCKED_MESSAGE))
                return redirect("portal:signup_details")
            if not result.outcome:  # no record owes the check any more
                return redirect("portal:signup_details")
            form.add_error("history_answer", result.message())
            status = 422
    elif request.method == "POST":
        status = 422
    context = {"form": form, "prompt": CHECK_PROMPT, "phone_masked": mask_phone(phone), "tries": check_tries()}
    return render(request, "portal/signup_check.html", context, status=status)
