"""The customer's forms in the portal: a new request, and the answer to a plan.

They parse and present input only; the services decide (intake, the agreement). Files are taken
as the agent's intake page takes them (``tickets.forms.MultipleFileField``, at most
``MAX_REQUEST_FILES``) and checked as every channel checks them (``tickets.attachments.sniff_uploads``:
size, virus scan, the real type read from the bytes), the drawn signature the field-service check
(``fieldservice.uploads.decode_signature``: a real, non-blank PNG of a sensible size).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductUnit
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Address, Customer
from aftersales.customers.phones import format_phone_national
from aftersales.fieldservice.uploads import decode_signature
from aftersales.tickets.attachments import MAX_REQUEST_FILES, kind_for_type, sniff_uploads
from aftersales.tickets.choices import Channel, EvidenceKind, RequestType
from aftersales.tickets.forms import MultipleFileField
from aftersales.tickets.services import IntakeInput
from aftersales.tickets.services.intake import IntakeFile
from aftersales.tickets.when_where import (
    Certainty,
    certainty_field,
    clean_when,
    clean_where,
    intake_notes,
    occurred_on_field,
    occurred_time_field,
)

# What a customer may ask for; refunds and compensation are what a plan offers, not requests.
CUSTOMER_REQUEST_TYPES = (
    RequestType.REPAIR,
    RequestType.COMPLAINT,
    RequestType.RETURN,
    RequestType.EXCHANGE,
    RequestType.INSTALLATION,
    RequestType.CONSULTATION,
)
# How sure the date is, in the customer's words (the values of ``when_where.Certainty``).
CUSTOMER_CERTAINTY = [
    (Certainty.GIVEN, _("On this date")),
    (Certainty.ABOUT, _("Around this date")),
    (Certainty.UNKNOWN, _("I don't remember")),
]
# Files on one request: the limit of every request (the agent's intake page too); the name is
# kept for the portal's callers.
MAX_FILES = MAX_REQUEST_FILES

CONTACT_TIMES = [
    ("", _("Any time")),
    ("morning", _("Mornings (9:00–12:00)")),
    ("afternoon", _("Afternoons (12:00–18:00)")),
    ("evening", _("Evenings (18:00–21:00)")),
    ("weekend", _("Weekends")),
]


# The fields in the order the request page shows them (the error summary follows it).
PAGE_ORDER = (
    "request_type",
    "description",
    "occurred_on",
    "occurred_time",
    "occurred_certainty",
    "photos",
    "unit",
    "serial_number",
    "product_model_code",
    "same_address",
    "province",
    "city",
    "district",
    "address",
    "phone",
    "contact_time",
)


class RequestForm(forms.Form):
    """A signed-in customer's new request. ``to_intake_input`` turns it into the intake's input;
    the customer is the one signed in (the intake files a customer's request under their own
    record whatever they type)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128, initial=lambda: uuid.uuid4().hex)
    request_type = forms.ChoiceField(
        label=_("What do you need?"),
        choices=[(value, RequestType(value).label) for value in CUSTOMER_REQUEST_TYPES],
        initial=RequestType.REPAIR,
        widget=forms.RadioSelect,
    )
    unit = forms.ChoiceField(label=_("Your registered products"), required=False)
    serial_number = forms.CharField(
        label=_("Serial number"),
        required=False,
        max_length=64,
        help_text=_("On the label on the back or the bottom of the product."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    product_model_code = forms.CharField(
        label=_("Model number"),
        required=False,
        max_length=64,
        help_text=_("Optional: leave it empty if you don't know it. A number we don't know is passed on as you typed it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Tell us what happened.")},
    )
    # When (required, SPEC §2.1): the day, the time if known, or "I don't remember" said outright.
    occurred_on = occurred_on_field(_("When did it start?"))
    occurred_time = occurred_time_field(_("At what time? (if you know)"))
    occurred_certainty = certainty_field(_("How sure are you of the date?"), choices=CUSTOMER_CERTAINTY)
    # Where (required): prefilled from the address on file; or "the same as my address".
    same_address = forms.BooleanField(
        label=_("Same as my address on file"),
        required=False,
        help_text=_("Tick it and we use the address you gave us before; the fields below are then ignored."),
    )
    province = forms.CharField(label=_("Province"), required=False, max_length=32)
    city = forms.CharField(label=_("City"), required=False, max_length=32)
    district = forms.CharField(label=_("District"), required=False, max_length=32)
    address = forms.CharField(
        label=_("Street address"),
        required=False,  # required in ``clean`` (not with "same as my address")
        max_length=200,
        help_text=_("Where the product is: where we come or pick it up."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    phone = forms.CharField(
        label=_("Phone for this request"),
        max_length=32,
        error_messages={"required": _("Enter a phone number we can call you on.")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_time = forms.ChoiceField(label=_("Best time to call you"), required=False, choices=CONTACT_TIMES)
    # One field for every file (what each is follows from its type: ``evidence``).
    photos = MultipleFileField(label=_("Photos or videos"), required=False, accept="image/*,video/mp4,application/pdf")

    def __init__(self, *args: Any, customer: Customer, units: list[ProductUnit], address: Address | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial = {**self.initial_for(customer=customer, units=units, address=address), **self.initial}
        self.fields["photos"].help_text = _(
            "Up to %(count)d files: photos, short videos (MP4) or a PDF of the receipt; choose several at once."
        ) % {"count": MAX_REQUEST_FILES}
        self.customer = customer
        self.address_on_file = address
        if address is None:  # nothing on file to be the same as
            del self.fields["same_address"]
        for name in ("city", "address"):
            self.fields[name].show_required = True  # type: ignore[attr-defined]
        self._kinds: list[str] = []  # of the chosen files (``clean_photos``)
        self._units = {str(unit.pk): unit for unit in units}
        unit_field: forms.ChoiceField = self.fields["unit"]  # type: ignore[assignment]
        unit_field.choices = [
            *((str(unit.pk), f"{unit.model.name} {unit.model.code} · {unit.serial_number}") for unit in units),
            ("", _("Another product (type its serial or model number below)")),
        ]
        if not units:
            del self.fields["unit"]

    @property
    def offers_same_address(self) -> bool:
        """Whether "same as my address on file" is offered (there is one on file)."""
        return "same_address" in self.fields

    @staticmethod
    def initial_for(*, customer: Customer, units: list[ProductUnit], address: Address | None) -> dict[str, Any]:
        initial: dict[str, Any] = {"phone": format_phone_national(customer.phone)}
        if units:
            initial["unit"] = str(units[0].pk)
        if address is not None:
            initial.update(province=address.province, city=address.city, district=address.district, address=address.detail)
        return initial

    def error_summary(self) -> list[tuple[str, str, str]]:
        """The fields refused, in the order of the page: (the id to jump to, the label, the first
        error) for the summary on top of the form."""
        summary = []
        for name in PAGE_ORDER:
            if name in self.fields and self.errors.get(name):
                bound = self[name]
                anchor = f"{bound.auto_id}_0" if bound.widget_type == "radioselect" else str(bound.auto_id)
                summary.append((anchor, str(bound.label), str(self.errors[name][0])))
        return summary

    def clean(self) -> dict[str, Any]:
        """When and where, required for every request (SPEC §2.1): the day (the time if known)
        or "I don't remember"; the city and street address (prefilled from the address on file),
        or "same as my address on file"."""
        data = super().clean() or {}
        clean_when(self, data, missing_message=_("Tell us the day it started, or choose “I don't remember”."))
        clean_where(
            self,
            data,
            on_file=self.address_on_file,
            no_file_message=_("We have no address of yours on file: please type it."),
            city_message=_("Tell us the city."),
            address_message=_("Tell us where the product is."),
        )
        return data

    def clean_photos(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("photos") or []
        if len(files) > MAX_REQUEST_FILES:
            raise forms.ValidationError(
                _("At most %(count)d files, please.") % {"count": MAX_REQUEST_FILES}, code="too_many_files"
            )
        try:
            sniffed = sniff_uploads(files, field="photos")  # every refused file named, with why
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.errors.get("photos", [exc.message])) from None
        # What each file is, from its real type: a photo or video is a photo; a PDF is the
        # receipt the field's help asks for (a proof of purchase); audio another file.
        self._kinds = [kind_for_type(item.content_type, document=EvidenceKind.PURCHASE_PROOF) for item in sniffed]
        return files

    def evidence(self) -> list[IntakeFile]:
        """The files chosen, each with its kind (``clean_photos``), for ``portal_submit_request``."""
        files: list[UploadedFile] = self.cleaned_data.get("photos") or []
        return [
            IntakeFile(kind=kind, file=upload, name=upload.name or "") for kind, upload in zip(self._kinds, files, strict=True)
        ]

    def chosen_unit(self) -> ProductUnit | None:
        return self._units.get(self.cleaned_data.get("unit") or "")

    def to_intake_input(self) -> IntakeInput:
        data = self.cleaned_data
        unit = self.chosen_unit()
        description = data["description"].strip()
        if data.get("contact_time"):
            label = dict(CONTACT_TIMES)[data["contact_time"]]
            description += "\n\n" + str(_("Best time to call: %(when)s") % {"when": label})
        return IntakeInput(
            channel=Channel.WEB,
            customer_name=self.customer.name,
            description=description,
            request_type=data["request_type"],
            phone=data["phone"].strip(),
            email=self.customer.email,
            serial_number=unit.serial_number if unit is not None else data["serial_number"].strip(),
            product_model_code="" if unit is not None else data["product_model_code"].strip(),
            occurred_at=data["occurred_at"],
            province=data["province"].strip(),
            city=data["city"].strip(),
            district=data["district"].strip(),
            address=data["address"].strip(),
            extra=intake_notes(data),
        )

    def with_new_key(self) -> dict[str, Any]:
        """The posted values under a fresh idempotency key (after the old one was used for
        different input): submitting again registers this request."""
        return {**dict(self.data.items()), "idempotency_key": uuid.uuid4().hex}


class PlanAnswerForm(forms.Form):
    """Accept and sign, or decline with a reason (the button pressed). Accepting needs the
    signature drawn on the screen; declining needs the reason."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))], widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Anything you want to tell us"),
        help_text=_("If you decline, tell us why, so that we can propose something better."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    signature = forms.CharField(required=False, max_length=800_000, widget=forms.HiddenInput(attrs={"data-signature-value": ""}))

    def __init__(self, *args: Any, version: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expected_version": version})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        data["signature_png"] = b""
        if decision == "accept":
            try:
                data["signature_png"] = decode_signature(data.get("signature", ""), field="signature")
            except ValidationFailed as exc:
                if exc.code in {"signature_required", "signature_blank"}:
                    self.add_error("signature", _("Please sign in the box with your finger or the mouse."))
                else:
                    self.add_error("signature", _("The signature could not be read; clear the box and sign again."))
        elif decision == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", _("Please tell us why you decline the plan."))
        return data
