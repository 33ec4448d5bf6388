"""The customer's forms on their ticket page besides the plan: a message to us (with photos or
files), and cancelling the request.

They parse and present input only; the services decide (``message_services``, the ticket's
cancel action). Files are checked as every channel checks them (``tickets.attachments
.sniff_uploads``: size, virus scan, the real type read from the bytes), at most
``MAX_REQUEST_FILES`` per message, as on a request.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed
from aftersales.tickets.attachments import MAX_REQUEST_FILES, sniff_uploads
from aftersales.tickets.forms import MultipleFileField

MESSAGE_LIMIT = 20000  # the timeline's limit for a message (``ticket_add_note``)


class TicketMessageForm(forms.Form):
    """A message, files, or both. A hidden per-form key makes a double submit send it once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128, initial=lambda: uuid.uuid4().hex)
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(label=_("Photos or files"), required=False, accept="image/*,video/mp4,application/pdf")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "Up to %(count)d files: photos, short videos (MP4) or a PDF; choose several at once."
        ) % {"count": MAX_REQUEST_FILES}

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_REQUEST_FILES:
            raise forms.ValidationError(
                _("At most %(count)d files, please.") % {"count": MAX_REQUEST_FILES}, code="too_many_files"
            )
        try:
            sniff_uploads(files, field="attachments")  # every refused file named, with why
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.errors.get("attachments", [exc.message])) from None
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "body" in data and "attachments" in data and not (data["body"] or "").strip() and not data["attachments"]:
            self.add_error("body", _("Write a message or add a photo or file."))
        return data


class CancelRequestForm(forms.Form):
    """Cancel the request, with the reason (required, as for staff)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Why do you cancel the request?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please tell us why you cancel the request.")},
    )

    def __init__(self, *args: Any, version: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expected_version": version})
        super().__init__(*args, **kwargs)
