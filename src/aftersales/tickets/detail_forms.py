"""The actions panel's "Correct details" form (更正信息; ``services.details``).

Prefilled with what the ticket holds; only the fields the user changed reach the service (a
field left as shown is not "corrected"), so a page that shows a time to the minute or a phone
with spaces never records a change nobody made. The service checks everything and says what is
wrong next to the field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError
from aftersales.core.view_errors import add_service_errors
from aftersales.customers.phones import display_phone

from .action_forms import ActionForm
from .choices import AGENT_CHANNELS
from .forms import DateInput, DateTimeLocalInput

# Form field → the service's argument, where they differ ("title" is the panel's heading).
SERVICE_NAMES = {"ticket_title": "title"}
PERSONAL = ("contact_name", "contact_phone", "contact_email")


class TextField(forms.CharField):
    """A text whose line ends are no change: a browser sends CRLF, the API may have stored LF."""

    def has_changed(self, initial: Any, data: Any) -> bool:
        return _lines(initial) != _lines(self.to_python(data))


def _lines(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


class CorrectDetailsForm(ActionForm):
    title = _("Correct details")
    submit_label = _("Save the corrections")
    multipart = True
    # The serial number's lookup (``views.unit_lookup``) answers into this element.
    lookup_target: ClassVar[str] = "correct-details-unit-lookup"

    serial_number = forms.CharField(
        label=_("Serial number"), required=False, max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    product_model_code = forms.CharField(label=_("Product model number"), required=False, max_length=64)
    batch = forms.CharField(label=_("Batch / lot"), required=False, max_length=64)
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=DateInput)
    purchase_proof = forms.FileField(
        label=_("Proof of purchase"),
        required=False,
        help_text=_("The invoice or receipt: kept with the correction (internal)."),
    )
    occurred_at = forms.DateTimeField(label=_("Occurred at"), required=False, widget=DateTimeLocalInput)
    province = forms.CharField(label=_("Province"), required=False, max_length=32)
    city = forms.CharField(label=_("City"), required=False, max_length=32)
    district = forms.CharField(label=_("District"), required=False, max_length=32)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=128)
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, max_length=32, widget=forms.TextInput(attrs={"type": "tel"})
    )
    contact_email = forms.CharField(
        label=_("Contact email"), required=False, max_length=254, widget=forms.TextInput(attrs={"type": "email"})
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[(channel.value, channel.label) for channel in AGENT_CHANNELS],
        help_text=_("How the request came in, if it was chosen wrongly at intake."),
    )
    ticket_title = forms.CharField(label=_("Title"), required=False, max_length=200)
    description = TextField(label=_("What happened"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ticket = self.ticket
        if ticket.channel not in AGENT_CHANNELS:  # filed by the portal, the app or an integration
            del self.fields["channel"]
        if not self.user.sees_personal_data:
            for name in PERSONAL:
                del self.fields[name]
        occurred = ticket.occurred_at
        if occurred is not None:  # shown to the minute: the form's value is compared with it
            occurred = timezone.localtime(occurred).replace(second=0, microsecond=0)
        self.initial.update(
            serial_number=ticket.reported_serial,
            product_model_code=ticket.product_model.code if ticket.product_model is not None else "",
            batch=ticket.reported_batch,
            purchase_date=ticket.reported_purchase_date,
            occurred_at=occurred,
            province=ticket.province,
            city=ticket.city,
            district=ticket.district,
            address=ticket.address,
            contact_name=ticket.contact_name,
            contact_phone=display_phone(ticket.contact_phone, masked=False) if ticket.contact_phone else "",
            contact_email=ticket.contact_email,
            channel=ticket.channel,
            ticket_title=ticket.title,
            description=ticket.description,
        )
        for name in ("contact_name", "description"):  # required by the service, marked for people
            if name in self.fields:
                self.fields[name].show_required = True  # type: ignore[attr-defined]
        self.fields["serial_number"].widget.attrs.update(
            {
                "hx-get": reverse("tickets:unit_lookup"),
                "hx-trigger": "keyup changed delay:400ms, change",
                "hx-target": f"#{self.lookup_target}",
                "hx-sync": "this:replace",
            }
        )

    def service_kwargs(self) -> dict[str, Any]:
        """Only what the user changed (the rest is kept as it is)."""
        changed = set(self.changed_data) - {"expected_version", "purchase_proof"}
        kwargs = {SERVICE_NAMES.get(name, name): self.cleaned_data[name] for name in changed}
        kwargs["purchase_proof"] = self.cleaned_data.get("purchase_proof") or None
        return kwargs

    def show_service_error(self, exc: DomainError) -> None:
        add_service_errors(self, exc, field_map={"title": "ticket_title"})
