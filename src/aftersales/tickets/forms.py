"""Forms of the agent's ticket pages.

They parse and present input only (types, choices, widgets); the business rules live in the
services, whose ``ValidationFailed`` errors are put back next to the fields here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Address
from aftersales.customers.phones import normalize_phone
from aftersales.customers.selectors import customer_find_by_email, customer_find_by_phone
from aftersales.customers.services import normalize_email

from .attachments import MAX_REQUEST_FILES, EvidenceKind
from .choices import AGENT_CHANNELS, Channel, EventKind, Priority, RequestType, Responsibility
from .models import TicketCategory
from .selectors.listing import TicketFilters
from .selectors.lookup import customer_default_address
from .services import IntakeInput
from .services.intake import IntakeFile
from .states import TicketStatus
from .when_where import certainty_field, clean_when, clean_where, intake_notes, occurred_on_field, occurred_time_field

STATUS_OPEN = "open"
STATUS_ALL = "all"


# --- The ticket list's filters --------------------------------------------------------------


class TicketListFilterForm(forms.Form):
    """Read from the query string; an unreadable value falls back to its default."""

    queue = forms.ChoiceField(
        label=_("Queue"),
        required=False,
        choices=[
            ("", _("Everything I may see")),
            ("mine", _("Assigned to me")),
            ("team", _("My team")),
            ("unassigned", _("Unassigned")),
            ("team_unassigned", _("Unassigned in my team or region")),
            ("waiting", _("Waiting for me")),
            ("at_risk", _("SLA at risk")),
            ("due_soon", _("Due soon")),
            ("breached", _("SLA breached")),
            ("awaiting_approval", _("Awaiting approval")),
            ("my_approvals", _("Approvals waiting for me")),
            ("no_region", _("No region")),
        ],
    )

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(STATUS_OPEN, _("Open (needs action)")), (STATUS_ALL, _("All statuses")), *TicketStatus.choices],
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), required=False, coerce=int, empty_value=None, choices=[("", _("Any priority")), *Priority.choices]
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices])
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, words, phone, name or serial")}),
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("due", _("Due soonest")), ("-created", _("Newest first")), ("priority", _("Most urgent first"))],
    )
    # Set by the links of the role home pages and the dashboard (not chosen on the form, kept by it
    # as hidden fields): by category, region and team (0 = without one) and assignee id.
    category = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1, widget=forms.HiddenInput)
    region = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1, widget=forms.HiddenInput)
    team = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1, widget=forms.HiddenInput)
    assignee = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    # Set by the management dashboard's backlog cells (also kept as hidden fields): the open
    # tickets in an SLA state, registered in [created_after, created_before) — an age band as
    # of the backlog's count (local time, YYYY-MM-DDTHH:MM:SS).
    sla = forms.ChoiceField(
        required=False,
        # The values of ``choices.SlaState`` (its labels' msgids).
        choices=[("", _("Any SLA state")), ("warning", _("SLA warning")), ("breached", _("SLA breached"))],
        widget=forms.HiddenInput,
    )
    created_after = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    created_before = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    # Set by the analytics' drill-downs (kept as hidden fields too): a product model by its code
    # (exact), the responsibility and the request type (exact), a ticket number (a whole number
    # exactly, anything shorter as a prefix). Each is one indexed comparison (``_filtered``).
    model = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    responsibility = forms.ChoiceField(
        required=False, choices=[("", _("Any responsibility")), *Responsibility.choices], widget=forms.HiddenInput
    )
    request_type = forms.ChoiceField(
        required=False, choices=[("", _("Any request type")), *RequestType.choices], widget=forms.HiddenInput
    )
    number = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    party = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)  # a responsible party's register code

    def values(self) -> dict[str, Any]:
        """The valid values, each invalid or missing one replaced by its default."""
        return self.values_from(self.data)

    @classmethod
    def values_from(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        """``values()`` of a form bound to ``params``, without building the form: a form copies
        every field (and its choices) when it is made, ~0.3 ms on each list and search page for
        six values. Each field cleans its value as the bound form would (its widget reads the
        value, ``Field.clean`` leaves the field unchanged); the form has no ``clean()`` of its own."""
        data: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            try:
                data[name] = field.clean(field.widget.value_from_datadict(params, {}, name))
            except forms.ValidationError:
                continue  # invalid: left out, as the bound form's cleaned_data leaves it out
        return {
            "queue": data.get("queue") or "",
            "status": data.get("status") or STATUS_OPEN,
            "priority": data.get("priority"),
            "channel": data.get("channel") or "",
            "q": (data.get("q") or "").strip(),
            "sort": data.get("sort") or "due",
            "category": data.get("category"),
            "region": data.get("region"),
            "team": data.get("team"),
            "assignee": data.get("assignee"),
            "sla": data.get("sla") or "",
            "created_after": data.get("created_after"),
            "created_before": data.get("created_before"),
            "model": (data.get("model") or "").strip(),
            "responsibility": data.get("responsibility") or "",
            "request_type": data.get("request_type") or "",
            "number": (data.get("number") or "").strip(),
            "party": (data.get("party") or "").strip().lower(),
        }

    @staticmethod
    def filters_from(values: Mapping[str, Any]) -> TicketFilters:
        """The list's filters from ``values()``: one mapping for the list page and its export."""
        status = values["status"]
        return TicketFilters(
            statuses=() if status in {STATUS_OPEN, STATUS_ALL} else (status,),
            open_only=status == STATUS_OPEN,
            priority=values["priority"],
            channel=values["channel"],
            query=values["q"],
            queue=values["queue"],
            category=values["category"],
            region=values["region"],
            team=values["team"],
            assignee=values["assignee"],
            sla=values["sla"],
            created_after=values["created_after"],
            created_before=values["created_before"],
            model=values["model"],
            responsibility=values["responsibility"],
            request_type=values["request_type"],
            number=values["number"],
            party=values["party"],
        )


# --- Several files under one name ------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern); the service checks each
    (``attachments.sniff_uploads``) and its refusals are put back on the field."""

    def __init__(self, *args: Any, accept: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept} if accept else {}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if data in (None, "", []):
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


# --- Phone intake ---------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class IntakeForm(forms.Form):
    """The agent's intake form (a call, a walk-in, a post, a letter …: ``channel``);
    ``to_intake_input`` turns it into the service's input."""

    # Service field name -> form field name, where they differ.
    SERVICE_FIELDS = {"category_code": "category", "occurred_at": "occurred_on"}
    max_files = MAX_REQUEST_FILES  # of evidence, all kinds together

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128, initial=lambda: uuid.uuid4().hex)
    # How the request reached the agent (SPEC §2.1); left out: a call on the hotline.
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[(channel.value, channel.label) for channel in AGENT_CHANNELS],
        initial=Channel.HOTLINE,
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel", "autofocus": True}),
    )
    customer_name = forms.CharField(label=_("Customer name"), required=False, max_length=128)
    email = forms.CharField(label=_("Email"), required=False, max_length=254, widget=forms.TextInput(attrs={"type": "email"}))
    serial_number = forms.CharField(
        label=_("Serial number"), required=False, max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    product_model_code = forms.CharField(label=_("Product model number"), required=False, max_length=64)
    batch = forms.CharField(label=_("Batch / lot"), required=False, max_length=64)
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=DateInput)
    request_type = forms.ChoiceField(label=_("Request type"), choices=RequestType.choices, initial=RequestType.REPAIR)
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=TicketCategory.objects.filter(active=True),
        to_field_name="code",
        empty_label=_("Not classified yet"),
    )
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL)
    safety_hazard = forms.BooleanField(
        label=_("Safety hazard"), required=False, help_text=_("Marking a safety hazard makes the ticket urgent.")
    )
    # When (SPEC §2.1, required): a date, the time if known, how sure; or "unknown" said outright.
    occurred_on = occurred_on_field(_("Date it happened"))
    occurred_time = occurred_time_field(_("Time (if known)"))
    occurred_certainty = certainty_field(_("How sure is the customer?"))
    # Where (required): typed, or the caller's address on file.
    same_address = forms.BooleanField(
        label=_("Same as the customer's address on file"),
        required=False,
        help_text=_(
            "Uses the address on file of the customer with this phone number or email; the fields below are then ignored."
        ),
    )
    province = forms.CharField(label=_("Province"), required=False, max_length=32)
    city = forms.CharField(label=_("City"), required=False, max_length=32)
    district = forms.CharField(label=_("District"), required=False, max_length=32)
    address = forms.CharField(
        label=_("Address"), required=False, max_length=200, help_text=_("Where the product is, or where it happened.")
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Optional: the first line of the description is used."),
    )
    description = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    # The evidence the customer gave (SPEC §2.1), one field per kind: ``evidence_<EvidenceKind>``,
    # the names of the service's errors. Checked by the service (size, virus scan, real type).
    evidence_photo = MultipleFileField(label=_("Photos or videos of the fault"), required=False, accept="image/*,video/mp4")
    evidence_invoice = MultipleFileField(label=_("Invoice"), required=False, accept="image/*,application/pdf")
    evidence_purchase_proof = MultipleFileField(
        label=_("Proof of purchase"),
        required=False,
        accept="image/*,application/pdf",
        help_text=_("A receipt, an order screenshot or the warranty card."),
    )
    evidence_other = MultipleFileField(label=_("Other files"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Required by the service (a phone or an email; a name; what happened), marked for people.
        # When and where are required here (``when_where``), though not by the service.
        for name in ("phone", "customer_name", "description", "city", "address"):
            self.fields[name].show_required = True  # type: ignore[attr-defined]
        # As the agent types, htmx asks who is calling and which unit it is (see the lookups);
        # when the form comes back with errors, the lookups run again for what was typed.
        for name, url, target in (
            ("phone", "tickets:customer_lookup", "#customer-lookup"),
            ("serial_number", "tickets:unit_lookup", "#unit-lookup"),
        ):
            trigger = "keyup changed delay:400ms, change"
            if self.is_bound and (self.data.get(name) or "").strip():
                trigger += ", load"
            self.fields[name].widget.attrs.update(
                {"hx-get": reverse(url), "hx-trigger": trigger, "hx-target": target, "hx-sync": "this:replace"}
            )

    def clean(self) -> dict[str, Any]:
        """When and where, required on this page (SPEC §2.1): a date (the time if known) or an
        explicit "unknown"; the typed city and address, or the caller's address on file."""
        data = super().clean() or {}
        clean_when(
            self, data, missing_message=_("Enter the date it happened, or choose “Unknown — the customer doesn't remember”.")
        )
        clean_where(
            self,
            data,
            on_file=self._address_on_file(data) if data.get("same_address") else None,
            no_file_message=_("No address is on file for a customer with this phone number or email: type the address."),
            city_message=_("Enter the city where it happened."),
            address_message=_("Enter the address: where the product is, or where it happened."),
        )
        return data

    @staticmethod
    def _address_on_file(data: dict[str, Any]) -> Address | None:
        """The default address of the customer intake will file the ticket under (the same
        match: by phone, else by email); None for a new caller or one without an address."""
        customer = None
        try:
            phone = normalize_phone(data.get("phone") or "") if (data.get("phone") or "").strip() else ""
            email = normalize_email(data.get("email") or "")
        except ValidationFailed:
            return None  # the service names the bad phone or email
        if phone:
            customer = customer_find_by_phone(phone_e164=phone)
        if customer is None and email:
            customer = customer_find_by_email(email=email)
        if customer is None:
            return None
        return customer_default_address(customer)

    def to_intake_input(self) -> IntakeInput:
        data = self.cleaned_data
        category = data.get("category")
        return IntakeInput(
            channel=data.get("channel") or Channel.HOTLINE,
            customer_name=data["customer_name"],
            description=data["description"],
            request_type=data["request_type"],
            title=data["title"],
            phone=data["phone"].strip(),
            email=data["email"].strip(),
            serial_number=data["serial_number"].strip(),
            product_model_code=data["product_model_code"].strip(),
            batch=data["batch"].strip(),
            purchase_date=data["purchase_date"],
            occurred_at=data["occurred_at"],
            province=data["province"],
            city=data["city"],
            district=data["district"],
            address=data["address"],
            category_code=category.code if category else "",
            priority=data["priority"],
            safety_hazard=data["safety_hazard"],
            extra=intake_notes(data),
        )

    def evidence(self) -> list[IntakeFile]:
        """The files given, each with its kind (the field it was chosen in)."""
        return [
            IntakeFile(kind=kind, file=upload, name=upload.name or "")
            for kind in EvidenceKind.values
            for upload in self.cleaned_data.get(f"evidence_{kind}") or []
        ]

    @property
    def max_file_bytes(self) -> int:
        return int(settings.ATTACHMENT_MAX_BYTES)

    def with_new_key(self) -> IntakeForm:
        """The same input under a fresh idempotency key (after the old one was used elsewhere)."""
        data = {**dict(self.data.items()), "idempotency_key": uuid.uuid4().hex}
        form = IntakeForm(data)
        form.full_clean()
        return form


# --- Detail page: timeline entries and attachments ------------------------------------------


class NoteForm(forms.Form):
    STATIC_MARKUP = True  # unbound, it renders the same for every ticket (core layout.form_fields)

    kind = forms.ChoiceField(
        label=_("Entry"),
        choices=[
            (EventKind.NOTE, _("Internal note")),
            (EventKind.MESSAGE_OUT, _("Message to customer")),
            (EventKind.CALL, _("Call record")),
        ],
        initial=EventKind.NOTE,
    )
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    STATIC_MARKUP = True  # unbound, it renders the same for every ticket (core layout.form_fields)

    attachment = forms.FileField(label=_("File"))
    # What the file is; left at "by its type": a photo or video is a photo, anything else
    # another file (``attachments.kind_for_type``). "" reaches the service as ``kind=None``.
    kind = forms.ChoiceField(
        label=_("What is it?"),
        required=False,
        choices=[("", _("By its type (photo, or other file)")), *EvidenceKind.choices],
    )
    public = forms.BooleanField(label=_("Visible to customer"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the note form beside it on the ticket page has a "kind" too.
        kwargs.setdefault("auto_id", "id_attachment_%s")
        super().__init__(*args, **kwargs)

    def chosen_kind(self) -> str | None:
        """The kind the user chose, ``None`` for "by its type" (the service decides)."""
        kind: str = self.cleaned_data.get("kind") or ""
        return kind or None
